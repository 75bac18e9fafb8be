using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// <c>[TokenInput(Vocabulary = V, Length = T)]</c>: the network's input as T token ids per sample, passed as floats
    /// (<c>InputSize = T</c>). Its shape is a <see cref="ShapeRole.Tokens"/> <c>[T]</c> that only an Embedding reads.
    /// </summary>
    internal sealed class TokenInputLayer : ILayerKind, IGpuLayerKind
    {
        public string Name => "TokenInput";

        public string AttributeName => "NetGen.TokenInputAttribute";

        public bool AcceptsActivation => false;

        public bool IsInput => true;

        public LayerOptions Read(AttributeArguments arguments) =>
            new TokenInputOptions(arguments.Get("Vocabulary", 0), arguments.Get("Length", 0));

        public ShapeResult InferShape(LayerSpec layer, EquatableArray<Shape> inputs)
        {
            var options = (TokenInputOptions)layer.Options;
            if (options.Vocabulary < 1)
                return ShapeResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.SequenceSizeNotPositive, layer.AttributeLocation, Name, layer.Name, "Vocabulary", options.Vocabulary));
            if (options.Length < 1)
                return ShapeResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.SequenceSizeNotPositive, layer.AttributeLocation, Name, layer.Name, "Length", options.Length));
            return ShapeResult.Ok(Shape.Tokens(options.Length, options.Vocabulary));
        }

        public EquatableArray<ParameterSpec> Parameters(LayerSpec layer, EquatableArray<Shape> inputs, Shape output, ActivationKind activation) => default;

        public string Describe(LayerSpec layer, EquatableArray<Shape> inputs, Shape output) =>
            "TokenInput, vocabulary " + Literals.Int(output.Vocabulary);

        public void EmitForward(SourceWriter writer, LayerCode code) =>
            writer.Line(code.NetworkInput + ".CopyTo(" + code.Output + ");");

        public void EmitBackward(SourceWriter writer, LayerCode code) { }

        /// <summary>Nothing to launch: the GPU emitter binds the input layer's view to the uploaded batch.</summary>
        public void EmitGpuForward(SourceWriter writer, GpuLayerCode code) { }

        public void EmitGpuBackward(SourceWriter writer, GpuLayerCode code) { }

        /// <summary>What <c>[TokenInput]</c> declares.</summary>
        private sealed record TokenInputOptions(int Vocabulary, int Length) : LayerOptions;
    }
}
