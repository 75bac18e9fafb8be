using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary><c>[AvgPool2D(window, Stride = window)]</c>: the mean of each window of each channel; backward spreads
    /// the gradient evenly over the window.</summary>
    internal sealed class AvgPool2DLayer : ILayerKind, IBufferedLayerKind, IGpuLayerKind
    {
        public string Name => "AvgPool2D";

        public string AttributeName => "NetGen.AvgPool2DAttribute";

        public bool AcceptsActivation => false;

        public bool IsInput => false;

        public LayerOptions Read(AttributeArguments arguments) => PoolOptions.Read(arguments);

        public ShapeResult InferShape(LayerSpec layer, EquatableArray<Shape> inputs) => PoolOptions.InferShape(this, layer, inputs);

        public EquatableArray<ParameterSpec> Parameters(LayerSpec layer, EquatableArray<Shape> inputs, Shape output, ActivationKind activation) => default;

        public string Describe(LayerSpec layer, EquatableArray<Shape> inputs, Shape output) => PoolOptions.Describe(Name, layer);

        public EquatableArray<LayerBuffer> Buffers(LayerPlan layer) => InputGradient.OnlyBuffer(layer);

        public void EmitForward(SourceWriter writer, LayerCode code) =>
            writer.Line("global::NetGen.Kernels.AvgPool2D.Forward(" + PoolOptions.ShapeValue(code.Layer) + ", " + code.Batch + ", "
                + code.Inputs[0] + ", " + code.Output + ");");

        public void EmitBackward(SourceWriter writer, LayerCode code)
        {
            if (code.InputGradients[0] is null) return;
            writer.Line("global::NetGen.Kernels.AvgPool2D.Backward(" + PoolOptions.ShapeValue(code.Layer) + ", " + code.Batch + ", "
                + code.OutputGradient + ", " + InputGradient.Target(code) + ");");
            InputGradient.AddBuffered(writer, code);
        }

        public void EmitGpuForward(SourceWriter writer, GpuLayerCode code) =>
            writer.Line("global::NetGen.Gpu.GpuAvgPool2D.Forward(" + code.Device + ", " + PoolOptions.ShapeValue(code.Layer) + ", " + code.Batch + ", "
                + code.Inputs[0] + ", " + code.Output + ");");

        public void EmitGpuBackward(SourceWriter writer, GpuLayerCode code)
        {
            if (code.InputGradients[0] is not { } dx) return;
            writer.Line("global::NetGen.Gpu.GpuAvgPool2D.Backward(" + code.Device + ", " + PoolOptions.ShapeValue(code.Layer) + ", " + code.Batch + ", "
                + code.OutputGradient + ", " + dx + GpuInputGradient.Accumulate(code) + ");");
        }
    }
}
