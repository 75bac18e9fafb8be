using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// <c>[MaxPool2D(window, Stride = window)]</c>: the maximum of each window of each channel. Forward records each
    /// maximum's position in an argmax buffer; backward sends the gradient there.
    /// </summary>
    internal sealed class MaxPool2DLayer : Pool2DLayer
    {
        public override string Name => "MaxPool2D";

        public override EquatableArray<LayerBuffer> Buffers(LayerPlan layer) =>
            InputGradient.BuffersWith(layer, new LayerBuffer("argmax", layer.OutputSize) { ElementType = "int" });

        public override void EmitForward(SourceWriter writer, LayerCode code) =>
            WriteCall(writer, code, "Forward", code.Inputs[0], code.Output, code.Buffer("argmax"));

        public override void EmitBackward(SourceWriter writer, LayerCode code)
        {
            if (code.InputGradients[0] is null) return;
            WriteCall(writer, code, "Backward", code.Buffer("argmax"), code.OutputGradient, InputGradient.Target(code));
            InputGradient.AddBuffered(writer, code);
        }

        public override void EmitGpuForward(SourceWriter writer, GpuLayerCode code) =>
            WriteGpuCall(writer, code, "Forward", code.Inputs[0], code.Output);

        public override void EmitGpuBackward(SourceWriter writer, GpuLayerCode code)
        {
            if (code.InputGradients[0] is not { } dx) return;
            WriteGpuCall(writer, code, "Backward", code.Inputs[0], code.OutputGradient, dx + GpuInputGradient.Accumulate(code));
        }
    }
}
