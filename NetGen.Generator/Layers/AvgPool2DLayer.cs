using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary><c>[AvgPool2D(window, Stride = window)]</c>: the mean of each window of each channel; backward spreads
    /// the gradient evenly over the window.</summary>
    internal sealed class AvgPool2DLayer : Pool2DLayer
    {
        public override string Name => "AvgPool2D";

        public override EquatableArray<LayerBuffer> Buffers(LayerPlan layer) => InputGradient.OnlyBuffer(layer);

        public override void EmitForward(SourceWriter writer, LayerCode code) =>
            WriteCall(writer, code, "Forward", code.Inputs[0], code.Output);

        public override void EmitBackward(SourceWriter writer, LayerCode code)
        {
            if (code.InputGradients[0] is null) return;
            WriteCall(writer, code, "Backward", code.OutputGradient, InputGradient.Target(code));
            InputGradient.AddBuffered(writer, code);
        }

        public override void EmitGpuForward(SourceWriter writer, GpuLayerCode code) =>
            WriteGpuCall(writer, code, "Forward", code.Inputs[0], code.Output);

        public override void EmitGpuBackward(SourceWriter writer, GpuLayerCode code)
        {
            if (code.InputGradients[0] is not { } dx) return;
            WriteGpuCall(writer, code, "Backward", code.OutputGradient, dx + GpuInputGradient.Accumulate(code));
        }
    }
}
