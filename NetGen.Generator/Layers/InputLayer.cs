using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers
{
    /// <summary><c>[Input(d0, d1, …)]</c>: the samples given to <c>Forward</c>/<c>TrainStep</c>, any rank.</summary>
    internal sealed class InputLayer : ILayerKind, IGpuLayerKind
    {
        public string Name => "Input";

        public string AttributeName => "NetGen.InputAttribute";

        public bool AcceptsActivation => false;

        public bool IsInput => true;

        public LayerOptions Read(AttributeArguments arguments) =>
            new InputOptions(new EquatableArray<int>(arguments.Ints(0) ?? new int[0]));

        public ShapeResult InferShape(LayerSpec layer, EquatableArray<Shape> inputs)
        {
            var shape = new Shape(((InputOptions)layer.Options).Shape);
            if (shape.Rank == 0)
                return ShapeResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.InputWithoutDimensions, layer.AttributeLocation, layer.Name));
            foreach (int d in shape.Dims)
                if (d < 1)
                    return ShapeResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.InputDimensionNotPositive, layer.AttributeLocation, layer.Name, shape));
            return ShapeResult.Ok(shape);
        }

        public EquatableArray<ParameterSpec> Parameters(LayerSpec layer, EquatableArray<Shape> inputs, Shape output, ActivationKind activation) => default;

        public string Describe(LayerSpec layer, EquatableArray<Shape> inputs, Shape output) => "Input";

        public void EmitForward(SourceWriter writer, LayerCode code) =>
            writer.Line(code.NetworkInput + ".CopyTo(" + code.Output + ");");

        public void EmitBackward(SourceWriter writer, LayerCode code) { }

        /// <summary>Nothing to launch: the GPU emitter binds the input layer's view to the uploaded batch.</summary>
        public void EmitGpuForward(SourceWriter writer, GpuLayerCode code) { }

        public void EmitGpuBackward(SourceWriter writer, GpuLayerCode code) { }

        /// <summary>The declared per-sample shape.</summary>
        private sealed record InputOptions(EquatableArray<int> Shape) : LayerOptions;
    }
}
