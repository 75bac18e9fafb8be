using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Diagnostics
{
    /// <summary>
    /// Every diagnostic NetGen reports. IDs: NG0001–0099 usage, NG0100–0199 shapes, NG0200–0299 types, NG0300–0319 GPU code,
    /// NG0900–0999 limits and internal errors; an ID is never reused. Each has a page under <c>docs/diagnostics/</c>.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        /// <summary>Where the per-ID help pages live (the repository's <c>docs/diagnostics</c> folder).</summary>
        public const string HelpBase = "https://github.com/netgen/NetGen/blob/main/docs/diagnostics/";

        private const string Usage = "NetGen.Usage", Shapes = "NetGen.Shapes", Types = "NetGen.Types", Internal = "NetGen.Internal";
        private const string Gpu = "NetGen.Gpu";

        public static readonly DiagnosticDescriptor NotPartial = Error("NG0001", Usage,
            "Network type must be partial",
            "'{0}' must be declared partial so that NetGen can add the generated members of network '{1}'");

        public static readonly DiagnosticDescriptor LayerNotPartial = Error("NG0002", Usage,
            "Layer property must be partial",
            "Layer '{0}' must be a partial property: declare it as 'public partial Layer {0} {{ get; }}'");

        public static readonly DiagnosticDescriptor LayerStatic = Error("NG0003", Usage,
            "Layer property must not be static",
            "Layer '{0}' is static; a layer belongs to one network instance, so declare it without 'static'");

        public static readonly DiagnosticDescriptor LayerHasSetter = Error("NG0004", Usage,
            "Layer property must be get-only",
            "Layer '{0}' declares a setter; layers are created by the generated constructor, so declare only '{{ get; }}'");

        public static readonly DiagnosticDescriptor TwoLayerAttributes = Error("NG0005", Usage,
            "A member has more than one layer attribute",
            "'{0}' has more than one layer attribute ({1}); a layer has exactly one kind");

        public static readonly DiagnosticDescriptor TwoActivations = Error("NG0006", Usage,
            "A layer has more than one activation",
            "Layer '{0}' has more than one activation ({1}); keep one");

        public static readonly DiagnosticDescriptor ActivationWithoutLayer = Error("NG0007", Usage,
            "Activation without a layer",
            "'{0}' has the activation [{1}] but no layer attribute; add one, e.g. [Dense(64), {1}]");

        public static readonly DiagnosticDescriptor NoInput = Error("NG0008", Usage,
            "Network has no input layer",
            "Network '{0}' has no [Input] layer; declare the per-sample input shape first, e.g. [Input(784)] public partial Layer Pixels {{ get; }}");

        public static readonly DiagnosticDescriptor TwoInputs = Error("NG0009", Usage,
            "Network has more than one input layer",
            "Layer '{0}' is a second input: '{1}' already is the input of network '{2}', and a network has one input layer");

        public static readonly DiagnosticDescriptor InputNotFirst = Error("NG0010", Usage,
            "Input layer is not the first layer",
            "Input '{0}' must be the first layer, but '{1}' is declared before it; move '{0}' to the top");

        public static readonly DiagnosticDescriptor DuplicateLayerName = Error("NG0011", Usage,
            "Two layers have the same name",
            "Layer name '{0}' is used by more than one layer; give each layer its own name");

        public static readonly DiagnosticDescriptor NameClashesWithGenerated = Error("NG0012", Usage,
            "Layer name collides with a generated member",
            "Layer name '{0}' collides with the generated member '{0}' of network '{1}'; rename the layer");

        public static readonly DiagnosticDescriptor UnknownSource = Error("NG0013", Usage,
            "A layer reads from an unknown layer",
            "Layer '{0}' reads From = \"{1}\", but network '{2}' has no layer named '{1}'; write From = nameof(...) of an earlier layer");

        public static readonly DiagnosticDescriptor LaterSource = Error("NG0014", Usage,
            "A layer reads from itself or a later layer",
            "Layer '{0}' reads From '{1}', which is {2}; a layer can only read layers declared before it");

        public static readonly DiagnosticDescriptor NoLoss = Warning("NG0015", Usage,
            "Network has no loss",
            "Network '{0}' has no Loss, so no TrainStep is generated; set [Network(Loss = Loss.SoftmaxCrossEntropy)] or Loss.SquaredError to train it");

        public static readonly DiagnosticDescriptor UnknownLoss = Error("NG0016", Usage,
            "Unknown loss",
            "Network '{0}' has Loss = {1}, which is not a NetGen.Loss value NetGen knows");

        public static readonly DiagnosticDescriptor UnusedLayer = Warning("NG0017", Usage,
            "Layer does not reach the output",
            "Layer '{0}' {1} is read by no later layer and does not reach the output '{2}'; its parameters get zero gradients");

        public static readonly DiagnosticDescriptor ActivationNotAccepted = Error("NG0018", Usage,
            "Layer kind takes no activation",
            "Layer '{0}' is of kind {1}, which takes no activation; remove [{2}]");

        public static readonly DiagnosticDescriptor NothingAfterInput = Error("NG0019", Usage,
            "Network has no layer after its input",
            "Network '{0}' has no layer after its input '{1}'; add at least one, e.g. [Dense(10)] public partial Layer Output {{ get; }}");

        public static readonly DiagnosticDescriptor MalformedTuningLine = Warning("NG0020", Usage,
            "Tuning table line is malformed",
            "{0}({1}): {2}; the line is ignored (format: {3})");

        public static readonly DiagnosticDescriptor TunedChoiceDoesNotApply = Warning("NG0021", Usage,
            "Tuned choice does not apply to the layer",
            "{0}: {1} cannot run the {2} of layer '{3}' of network '{4}': {5}; the layer keeps the kernels' rule there");

        public static readonly DiagnosticDescriptor InputDimensionNotPositive = Error("NG0100", Shapes,
            "Input dimension is not positive",
            "Input '{0}' has shape {1}; every dimension must be at least 1");

        public static readonly DiagnosticDescriptor InputWithoutDimensions = Error("NG0101", Shapes,
            "Input has no dimensions",
            "Input '{0}' declares no dimensions; give its per-sample shape, e.g. [Input(784)] or [Input(1, 28, 28)]");

        public static readonly DiagnosticDescriptor UnitsNotPositive = Error("NG0102", Shapes,
            "Layer size is not positive",
            "{0} layer '{1}' has {2} units; units must be at least 1");

        public static readonly DiagnosticDescriptor LossDoesNotFit = Error("NG0103", Shapes,
            "Loss does not fit the output",
            "{0} needs {1}, but the last layer '{2}' gives {3} per sample");

        public static readonly DiagnosticDescriptor KernelLargerThanInput = Error("NG0110", Shapes,
            "Convolution kernel is larger than its padded input",
            "{0}: {1} needs at least {2} for its {3} kernel with padding {4}; use a smaller kernel, more padding, or less downsampling before it");

        public static readonly DiagnosticDescriptor PaddingNotBelowKernel = Error("NG0111", Shapes,
            "Convolution padding leaves outputs without input",
            "{0}: {1} pads its input by {2} with a {3} kernel, so its outermost outputs read nothing but padding; use Padding below the kernel size (Padding = {4} keeps the size at stride 1)");

        public static readonly DiagnosticDescriptor PoolWindowLargerThanInput = Error("NG0112", Shapes,
            "Pooling window is larger than its input",
            "{0}: {1} pools {2} windows, which do not fit in its {3} input planes; use a smaller window or pool less before it");

        public static readonly DiagnosticDescriptor WrongInputRank = Error("NG0113", Shapes,
            "Layer gets an input of the wrong rank",
            "{0}: {2} layer '{1}' needs a {3} input, but gets {4}; {5}");

        public static readonly DiagnosticDescriptor DropoutRateOutOfRange = Error("NG0114", Shapes,
            "Dropout rate is outside [0, 1)",
            "{0}: Dropout layer '{1}' has rate {2}; the rate is the probability of dropping a value and must lie in [0, 1), e.g. 0.5");

        public static readonly DiagnosticDescriptor LayerSettingOutOfRange = Error("NG0115", Shapes,
            "Convolution or pooling setting is out of range",
            "{0}: {1} layer '{2}' has {3} = {4}; it must be {5}");

        public static readonly DiagnosticDescriptor RecurrentNeedsSequence = Error("NG0140", Shapes,
            "Recurrent layer on a non-sequence input",
            "{0} layer '{1}' reads {2}, which is not a sequence of vectors; {3}");

        public static readonly DiagnosticDescriptor EmbeddingNeedsTokens = Error("NG0141", Shapes,
            "Embedding on a non-token input",
            "Embedding '{0}' reads {1}, which is not a token input; an Embedding looks up token ids, so read a [TokenInput(Vocabulary = ..., Length = ...)] layer");

        public static readonly DiagnosticDescriptor SequenceSizeNotPositive = Error("NG0142", Shapes,
            "Sequence layer size is not positive",
            "{0} layer '{1}' has {2} = {3}; it must be at least 1");

        public static readonly DiagnosticDescriptor PerStepLossDoesNotFit = Error("NG0143", Shapes,
            "Per-time-step loss does not fit the sequence output",
            "{0} is applied at every time step of the sequence output '{1}' {2} and needs {3}");

        public static readonly DiagnosticDescriptor LayerOnTokens = Error("NG0144", Shapes,
            "Layer reads token ids as features",
            "{0} layer '{1}' reads {2}; token ids are labels, not features, so put an [Embedding(dim)] between the token input and this layer");

        public static readonly DiagnosticDescriptor WrongPropertyType = Error("NG0200", Types,
            "Layer property must have type Layer",
            "Layer '{0}' has type '{1}'; a layer property must have type NetGen.Layer");

        public static readonly DiagnosticDescriptor NoGpuCode = Create("NG0300", Gpu,
            "Network gets no GPU code",
            "Network '{0}' gets no GPU type ({0}.Gpu) although ILGPU is referenced: {1}; it trains on the CPU only",
            DiagnosticSeverity.Info);

        public static readonly DiagnosticDescriptor TooLarge = Error("NG0900", Internal,
            "Network is too large",
            "Network '{0}' needs {1} {2}, more than one .NET array holds; make the layers smaller");

        public static readonly DiagnosticDescriptor InternalError = Error("NG0999", Internal,
            "NetGen failed",
            "NetGen failed on network '{0}': {1}; please report this with the declaration that caused it");

        private static DiagnosticDescriptor Error(string id, string category, string title, string message) =>
            Create(id, category, title, message, DiagnosticSeverity.Error);

        private static DiagnosticDescriptor Warning(string id, string category, string title, string message) =>
            Create(id, category, title, message, DiagnosticSeverity.Warning);

        private static DiagnosticDescriptor Create(string id, string category, string title, string message, DiagnosticSeverity severity) =>
            new DiagnosticDescriptor(id, title, message, category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id + ".md");
    }
}
