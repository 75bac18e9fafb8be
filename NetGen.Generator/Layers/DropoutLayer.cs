using System.Globalization;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// <c>[Dropout(rate)]</c>: inverted dropout in <c>TrainStep</c>, masks drawn from the network's own Rng into a mask
    /// buffer that backward multiplies the gradient by; the identity (a copy) in <c>Forward</c>.
    /// </summary>
    internal sealed class DropoutLayer : ILayerKind, IBufferedLayerKind, IGpuLayerKind
    {
        public string Name => "Dropout";

        public string AttributeName => "NetGen.DropoutAttribute";

        public bool AcceptsActivation => false;

        public bool IsInput => false;

        public LayerOptions Read(AttributeArguments arguments) =>
            new DropoutOptions(arguments.Positional.Count > 0 && arguments.Positional[0] is double rate ? rate : double.NaN);

        public ShapeResult InferShape(LayerSpec layer, EquatableArray<Shape> inputs)
        {
            double rate = ((DropoutOptions)layer.Options).Rate;
            if (!(rate >= 0 && rate < 1))
                return ShapeResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.DropoutRateOutOfRange, layer.AttributeLocation, ShapeChain.Marker,
                    layer.Name, rate.ToString("R", CultureInfo.InvariantCulture)));
            return TokenRules.NotTokens(this, layer, inputs[0]) is { } tokens ? ShapeResult.Fail(tokens) : ShapeResult.Ok(inputs[0]);
        }

        public EquatableArray<ParameterSpec> Parameters(LayerSpec layer, EquatableArray<Shape> inputs, Shape output, ActivationKind activation) => default;

        public string Describe(LayerSpec layer, EquatableArray<Shape> inputs, Shape output) => Name + " " + RateText(layer.Options);

        public EquatableArray<LayerBuffer> Buffers(LayerPlan layer) => InputGradient.BuffersWith(layer, new LayerBuffer("mask", layer.OutputSize));

        public void EmitForward(SourceWriter writer, LayerCode code)
        {
            writer.Line("if (" + code.Training + ") global::NetGen.Kernels.Dropout.Forward(" + Rate(code.Layer.Options) + ", "
                + code.Inputs[0] + ", " + code.Output + ", " + code.Buffer("mask") + ", ref " + code.Rng + ");");
            writer.Line("else " + code.Inputs[0] + ".CopyTo(" + code.Output + ");");
        }

        public void EmitBackward(SourceWriter writer, LayerCode code)
        {
            if (code.InputGradients[0] is null) return;
            writer.Line("global::NetGen.Kernels.Dropout.Backward(" + code.Buffer("mask") + ", " + code.OutputGradient + ", " + InputGradient.Target(code) + ");");
            InputGradient.AddBuffered(writer, code);
        }

        /// <summary>On the device the mask is a hash of a per-layer, per-step seed (<c>GpuNetworkState.DropoutSeed</c>), so
        /// backward recomputes it and no mask buffer is needed; inference (<c>Forward</c>) copies.</summary>
        public void EmitGpuForward(SourceWriter writer, GpuLayerCode code)
        {
            writer.Line("if (_state.Training) global::NetGen.Gpu.GpuDropout.Forward(" + code.Device + ", " + Rate(code.Layer.Options) + ", " + GpuSeed(code) + ", "
                + code.Inputs[0] + ", " + code.Output + ");");
            writer.Line("else global::NetGen.Gpu.GpuElementwise.Copy(" + code.Device + ", " + code.Inputs[0] + ", " + code.Output + ");");
        }

        public void EmitGpuBackward(SourceWriter writer, GpuLayerCode code)
        {
            if (code.InputGradients[0] is not { } dx) return;
            writer.Line("global::NetGen.Gpu.GpuDropout.Backward(" + code.Device + ", " + Rate(code.Layer.Options) + ", " + GpuSeed(code) + ", "
                + code.OutputGradient + ", " + dx + GpuInputGradient.Accumulate(code) + ");");
        }

        private static string GpuSeed(GpuLayerCode code) => "_state.DropoutSeed(" + Literals.Int(code.Layer.Index) + ")";

        /// <summary>The rate as a float literal: <c>0.25f</c>.</summary>
        private static string Rate(LayerOptions options) => RateText(options) + "f";

        /// <summary>The rate as the kernel sees it (rounded to float): <c>0.25</c>.</summary>
        private static string RateText(LayerOptions options) =>
            ((float)((DropoutOptions)options).Rate).ToString("R", CultureInfo.InvariantCulture);

        /// <summary>What <c>[Dropout]</c> declares.</summary>
        private sealed record DropoutOptions(double Rate) : LayerOptions;
    }
}
