using NetGen.Generator.Emit;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// Everything NetGen knows about one layer kind. Adding a kind means one class implementing this and one line
    /// in <see cref="LayerKinds"/>; the generic passes (parsing, shape inference, planning, emission) reach every
    /// kind through it.
    /// </summary>
    internal interface ILayerKind
    {
        /// <summary>The kind's name, as shown in summaries, comments and <c>Layer.Kind</c>: <c>Dense</c>.</summary>
        string Name { get; }

        /// <summary>Metadata name of the attribute that declares the kind: <c>NetGen.DenseAttribute</c>.</summary>
        string AttributeName { get; }

        /// <summary>True for the kind that feeds samples into the network: it reads no layer and must come first.</summary>
        bool IsInput { get; }

        /// <summary>Whether an activation attribute may be written on this kind's layers (fused into its kernels).</summary>
        bool AcceptsActivation { get; }

        /// <summary>Reads the attribute's arguments into the kind's options (no checks: those belong to <see cref="InferShape"/>).</summary>
        LayerOptions Read(AttributeArguments arguments);

        /// <summary>The per-sample output shape from the shapes of the layers this one reads, or the errors that
        /// prevent it. Reported on <see cref="LayerSpec.AttributeLocation"/>.</summary>
        ShapeResult InferShape(LayerSpec layer, EquatableArray<Shape> inputs);

        /// <summary>The trainable tensors, in the order they are laid out in the parameter buffer.</summary>
        EquatableArray<ParameterSpec> Parameters(LayerSpec layer, EquatableArray<Shape> inputs, Shape output, ActivationKind activation);

        /// <summary>A short description for the generated comment: <c>Dense 784→256</c>.</summary>
        string Describe(LayerSpec layer, EquatableArray<Shape> inputs, Shape output);

        /// <summary>Writes the statements that compute <see cref="LayerCodeBase.Output"/>.</summary>
        void EmitForward(SourceWriter writer, LayerCode code);

        /// <summary>Writes the statements that turn <see cref="LayerCodeBase.OutputGradient"/> into parameter gradients and
        /// input gradients. Never called for <see cref="IsInput"/> kinds.</summary>
        void EmitBackward(SourceWriter writer, LayerCode code);
    }

    /// <summary>A shape rule's answer: an output shape, or the errors that prevent one.</summary>
    internal sealed record ShapeResult(Shape? Output, EquatableArray<DiagnosticInfo> Errors)
    {
        public static ShapeResult Ok(Shape output) => new ShapeResult(output, default);

        public static ShapeResult Fail(DiagnosticInfo error) => new ShapeResult(null, EquatableArray.Create(error));
    }
}
