using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// <c>[Embedding(dim, From = nameof(X))]</c>: <c>y[t] = E[token[t]]</c> over a token input <c>[T]</c>, giving a
    /// <c>[T, dim]</c> sequence. <c>E</c> is <c>[vocabulary, dim]</c>, stored as PyTorch stores it (not transposed),
    /// initialised N(0, 1); its gradient is the sum of the output gradients of the positions holding each token.
    /// </summary>
    internal sealed class EmbeddingLayer : ILayerKind, IGpuLayerKind
    {
        public string Name => "Embedding";

        public string AttributeName => "NetGen.EmbeddingAttribute";

        public bool AcceptsActivation => false;

        public bool IsInput => false;

        public LayerOptions Read(AttributeArguments arguments)
        {
            string? from = arguments.Get<string?>("From", null);
            return new EmbeddingOptions(arguments.Int(0) ?? 0) { Sources = from is null ? default : EquatableArray.Create(from) };
        }

        public ShapeResult InferShape(LayerSpec layer, EquatableArray<Shape> inputs)
        {
            int dim = ((EmbeddingOptions)layer.Options).Dim;
            if (dim < 1)
                return ShapeResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.SequenceSizeNotPositive, layer.AttributeLocation, Name, layer.Name, "dim", dim));
            var input = inputs[0];
            if (input.Role != ShapeRole.Tokens)
                return ShapeResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.EmbeddingNeedsTokens, layer.AttributeLocation, layer.Name, input.Describe()));
            return ShapeResult.Ok(Shape.Sequence(input.Steps, dim));
        }

        public EquatableArray<ParameterSpec> Parameters(LayerSpec layer, EquatableArray<Shape> inputs, Shape output, ActivationKind activation) =>
            EquatableArray.Create(new ParameterSpec("weight", Shape.Of(inputs[0].Vocabulary, output.Features), Transposed: false, InitScheme.LeCun(1)));

        public string Describe(LayerSpec layer, EquatableArray<Shape> inputs, Shape output) =>
            Name + " " + Literals.Int(inputs[0].Vocabulary) + "×" + Literals.Int(output.Features);

        public void EmitForward(SourceWriter writer, LayerCode code) =>
            writer.Line("global::NetGen.Kernels.Embedding.Forward(" + Sizes(code) + ", " + code.Inputs[0] + ", " + code.Parameter(0) + ", " + code.Output + ");");

        public void EmitBackward(SourceWriter writer, LayerCode code)
        {
            foreach (var layer in code.Network.Layers)
                if (RecurrentLayer.FusedEmbedding(code.Network, layer) == code.Layer)
                {
                    writer.Line("// The table's gradient was written by " + layer.Name + "'s backward, which does this lookup itself");
                    return;
                }
            writer.Line("global::NetGen.Kernels.Embedding.Backward(" + Sizes(code) + ", " + code.Inputs[0] + ", " + code.OutputGradient + ", " + code.Gradient(0) + ");");
        }

        public void EmitGpuForward(SourceWriter writer, GpuLayerCode code) =>
            writer.Line("global::NetGen.Gpu.GpuEmbedding.Forward(" + code.Device + ", " + Sizes(code.Batch, code.Layer) + ", " + code.Inputs[0] + ", "
                + code.Parameter(0) + ", " + code.Output + ");");

        public void EmitGpuBackward(SourceWriter writer, GpuLayerCode code) =>
            writer.Line("global::NetGen.Gpu.GpuEmbedding.Backward(" + code.Device + ", " + Sizes(code.Batch, code.Layer) + ", " + code.Inputs[0] + ", "
                + code.OutputGradient + ", " + code.Gradient(0) + ");");

        private static string Sizes(LayerCode code) => Sizes(code.Batch, code.Layer);

        /// <summary><c>batch * T, vocabulary, dim</c>: one lookup per token of the batch.</summary>
        private static string Sizes(string batch, Planning.LayerPlan layer)
        {
            var input = layer.InputShapes[0];
            return batch + " * " + Literals.Int(input.Steps) + ", " + Literals.Int(input.Vocabulary) + ", " + Literals.Int(layer.Output.Features);
        }

        /// <summary>What <c>[Embedding]</c> declares.</summary>
        private sealed record EmbeddingOptions(int Dim) : LayerOptions;
    }
}
