using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Tuning;
using NetGen.Kernels;

namespace NetGen.Generator.Layers
{
    /// <summary>What <see cref="Conv2DLayer"/> and <see cref="Conv1DLayer"/> share: parameters, description, buffers, and the
    /// kernel calls, which differ only in the runtime class and its shape value.</summary>
    internal static class ConvolutionParameters
    {
        private const string Empty = "global::System.Span<float>.Empty";

        /// <summary>Weight <paramref name="weight"/> (<c>[out, in, k…]</c>, He for ReLU, else Glorot over the receptive
        /// field) and, unless <paramref name="bias"/> is false, a zero bias <c>[out]</c>.</summary>
        public static EquatableArray<ParameterSpec> Create(Shape weight, bool bias, ActivationKind activation)
        {
            int outChannels = weight.Dims[0];
            int field = (int)(weight.Size / outChannels / weight.Dims[1]);
            int fanIn = weight.Dims[1] * field, fanOut = outChannels * field;
            var w = new ParameterSpec("weight", weight, Transposed: false, activation.UsesHeInit ? InitScheme.He(fanIn) : InitScheme.Glorot(fanIn, fanOut));
            return bias ? EquatableArray.Create(w, new ParameterSpec("bias", Shape.Of(outChannels), Transposed: false, InitScheme.Zeros)) : EquatableArray.Create(w);
        }

        /// <summary><c>Conv2D 5×5, 6→16</c>, then <c>, stride 2</c>, <c>, padding 2</c>, <c> (no bias)</c> where they apply.</summary>
        public static string Describe(string kind, int[] kernel, int inChannels, int outChannels, int stride, int padding, bool bias) =>
            kind + " " + ConvolutionRules.Extent(kernel) + ", " + Literals.Int(inChannels) + "→" + Literals.Int(outChannels)
            + (stride == 1 ? "" : ", stride " + Literals.Int(stride)) + (padding == 0 ? "" : ", padding " + Literals.Int(padding))
            + (bias ? "" : " (no bias)");

        /// <summary>The kernel's <c>workspace</c> (<c>WorkspaceSize(shape)</c> floats, whatever the batch) and, where
        /// <see cref="InputGradient.NeedsBuffer"/>, the input gradient's buffer.</summary>
        public static EquatableArray<LayerBuffer> Buffers(LayerPlan layer, string kernel, string shape) =>
            InputGradient.BuffersWith(layer, LayerBuffer.Fixed("workspace", "global::NetGen.Kernels." + kernel + ".WorkspaceSize(" + shape + ")"));

        public static void EmitForward(SourceWriter writer, LayerCode code, string kernel, string shape)
        {
            var algorithm = Algorithm(writer, code, forward: true);
            writer.Line("global::NetGen.Kernels." + kernel + ".Forward<" + code.Activation.KernelType + ">(" + shape + ", " + code.Batch + ",");
            writer.Line("    " + code.Inputs[0] + ", " + code.Parameter(0) + ", " + Bias(code, code.Parameter) + ", " + code.Output + ", " + code.Buffer("workspace") + ",");
            Arguments(writer, algorithm);
        }

        public static void EmitBackward(SourceWriter writer, LayerCode code, string kernel, string shape)
        {
            var algorithm = Algorithm(writer, code, forward: false);
            writer.Line("global::NetGen.Kernels." + kernel + ".Backward<" + code.Activation.KernelType + ">(" + shape + ", " + code.Batch + ",");
            writer.Line("    " + code.Inputs[0] + ", " + code.Parameter(0) + ", " + code.Output + ", " + code.OutputGradient + ",");
            writer.Line("    " + code.Gradient(0) + ", " + Bias(code, code.Gradient) + ", " + InputGradient.Target(code) + ", " + code.Buffer("workspace") + ",");
            Arguments(writer, algorithm);
            InputGradient.AddBuffered(writer, code);
        }

        /// <summary>Why <paramref name="entry"/>'s algorithm cannot run its pass of the shape on the entry's instruction
        /// set, by the runtime's own <see cref="Conv2DRules"/>; null where it can (Auto and Im2Col always can).</summary>
        public static string? Unsupported(TuningEntry entry, int inChannels, int outChannels, int kernelHeight, int kernelWidth,
            int strideHeight, int strideWidth, int paddingHeight, int paddingWidth)
        {
            int value = entry.Choice.Name switch
            {
                "Im2Col" => Conv2DRules.Im2Col,
                "Direct" => Conv2DRules.Direct,
                "Im2ColDot" => Conv2DRules.Im2ColDot,
                _ => Conv2DRules.Auto,
            };
            return Conv2DRules.Unsupported(value, entry.Isa == "Avx512", entry.Pass == "forward", inChannels, outChannels, kernelHeight, kernelWidth,
                strideHeight, strideWidth, paddingHeight, paddingWidth);
        }

        /// <summary><c>forward pass</c>, <c>backward pass</c>.</summary>
        public static string DescribePass(string pass) => pass + " pass";

        /// <summary>The last argument, one tuning entry a line, and the call's end.</summary>
        private static void Arguments(SourceWriter writer, string[] algorithm)
        {
            for (int i = 0; i < algorithm.Length; i++) writer.Line("    " + algorithm[i] + (i == algorithm.Length - 1 ? ");" : ""));
        }

        /// <summary>The <c>Conv2DAlgorithm</c> argument of one pass (<see cref="TunedArgument.Chain"/>), <c>Auto</c> (the kernels'
        /// rule) where no tuning entry applies.</summary>
        private static string[] Algorithm(SourceWriter writer, LayerCode code, bool forward)
        {
            string pass = forward ? "forward" : "backward";
            return TunedArgument.Chain(writer, code, pass, pass + " algorithm", "global::NetGen.Kernels.Conv2D.Isa",
                "global::NetGen.Kernels.Conv2DAlgorithm.Auto", "Auto: the kernels choose by shape");
        }

        private static string Bias(LayerCode code, System.Func<int, string> tensor) => code.Layer.Parameters.Count > 1 ? tensor(1) : Empty;
    }
}
