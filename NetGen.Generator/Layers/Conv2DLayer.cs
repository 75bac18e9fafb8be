using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Tuning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// <c>[Conv2D(channels, Kernel = 3, KernelHeight, KernelWidth, Stride = 1, Padding = 0, Bias = true, From)]</c>:
    /// y = act(b + w ⋆ x) over <c>[C, H, W]</c>, computed by <c>NetGen.Kernels.Conv2D</c> (im2col + GEMM, or its direct
    /// kernels, per pass as a tuning table or the kernels' rule says) with the bias and activation fused; weight <c>[out, in, kH, kW]</c> as in PyTorch.
    /// </summary>
    internal sealed class Conv2DLayer : ILayerKind, IBufferedLayerKind, IGpuLayerKind, ITunableLayerKind
    {
        public string Name => "Conv2D";

        public string AttributeName => "NetGen.Conv2DAttribute";

        public bool AcceptsActivation => true;

        public bool IsInput => false;

        public LayerOptions Read(AttributeArguments arguments)
        {
            int kernel = arguments.Get("Kernel", 3);
            int height = arguments.Get("KernelHeight", 0), width = arguments.Get("KernelWidth", 0);
            string? from = arguments.Get<string?>("From", null);
            return new Conv2DOptions(arguments.Int(0) ?? 0, height == 0 ? kernel : height, width == 0 ? kernel : width,
                arguments.Get("Stride", 1), arguments.Get("Padding", 0), arguments.Get("Bias", true))
            {
                Sources = from is null ? default : EquatableArray.Create(from),
            };
        }

        public ShapeResult InferShape(LayerSpec layer, EquatableArray<Shape> inputs)
        {
            var o = (Conv2DOptions)layer.Options;
            return ConvolutionRules.Convolution(this, layer, inputs[0], o.Channels, new[] { o.KernelHeight, o.KernelWidth }, o.Stride, o.Padding);
        }

        public EquatableArray<ParameterSpec> Parameters(LayerSpec layer, EquatableArray<Shape> inputs, Shape output, ActivationKind activation)
        {
            var o = (Conv2DOptions)layer.Options;
            return ConvolutionParameters.Create(Shape.Of(o.Channels, inputs[0].Dims[0], o.KernelHeight, o.KernelWidth), o.Bias, activation);
        }

        public string Describe(LayerSpec layer, EquatableArray<Shape> inputs, Shape output)
        {
            var o = (Conv2DOptions)layer.Options;
            return ConvolutionParameters.Describe(Name, new[] { o.KernelHeight, o.KernelWidth }, inputs[0].Dims[0], o.Channels, o.Stride, o.Padding, o.Bias);
        }

        public EquatableArray<LayerBuffer> Buffers(LayerPlan layer) => ConvolutionParameters.Buffers(layer, "Conv2D", ShapeValue(layer));

        public string TuningSignature(LayerPlan layer)
        {
            var o = (Conv2DOptions)layer.Options;
            var input = layer.InputShapes[0].Dims;
            return TuningSignatures.Conv2D(input[0], input[1], input[2], o.Channels, o.KernelHeight, o.KernelWidth, o.Stride, o.Padding);
        }

        public string? Unsupported(LayerPlan layer, TuningEntry entry)
        {
            var o = (Conv2DOptions)layer.Options;
            return ConvolutionParameters.Unsupported(entry, layer.InputShapes[0].Dims[0], o.Channels, o.KernelHeight, o.KernelWidth,
                o.Stride, o.Stride, o.Padding, o.Padding);
        }

        public string DescribePass(string pass) => ConvolutionParameters.DescribePass(pass);

        public void EmitForward(SourceWriter writer, LayerCode code) =>
            ConvolutionParameters.EmitForward(writer, code, "Conv2D", ShapeValue(code.Layer));

        public void EmitBackward(SourceWriter writer, LayerCode code) =>
            ConvolutionParameters.EmitBackward(writer, code, "Conv2D", ShapeValue(code.Layer));

        public void EmitGpuForward(SourceWriter writer, GpuLayerCode code)
        {
            writer.Line("global::NetGen.Gpu.GpuConv2D.Forward<" + code.Activation + ">(" + code.Device + ", " + ShapeValue(code.Layer) + ", " + code.Batch + ",");
            writer.Line("    " + code.Inputs[0] + ", " + code.Parameter(0) + ", " + GpuBias(code, code.Parameter) + ", " + code.Output + ");");
        }

        public void EmitGpuBackward(SourceWriter writer, GpuLayerCode code)
        {
            string? dx = code.InputGradients[0];
            writer.Line("global::NetGen.Gpu.GpuConv2D.Backward<" + code.Activation + ">(" + code.Device + ", " + ShapeValue(code.Layer) + ", " + code.Batch + ",");
            writer.Line("    " + code.Inputs[0] + ", " + code.Parameter(0) + ", " + code.Output + ", " + code.OutputGradient + ",");
            writer.Line("    " + code.Gradient(0) + ", " + GpuBias(code, code.Gradient) + ", " + (dx ?? code.EmptyView) + GpuInputGradient.Accumulate(code) + ");");
        }

        private static string GpuBias(GpuLayerCode code, System.Func<int, string> tensor) => code.Layer.Parameters.Count > 1 ? tensor(1) : code.EmptyView;

        /// <summary><c>new global::NetGen.Kernels.Conv2DShape(inC, H, W, outC, kH, kW, stride, padding)</c>.</summary>
        private static string ShapeValue(LayerPlan layer)
        {
            var o = (Conv2DOptions)layer.Options;
            var input = layer.InputShapes[0].Dims;
            return "new global::NetGen.Kernels.Conv2DShape(" + string.Join(", ", Literals.Int(input[0]), Literals.Int(input[1]), Literals.Int(input[2]),
                Literals.Int(o.Channels), Literals.Int(o.KernelHeight), Literals.Int(o.KernelWidth), Literals.Int(o.Stride), Literals.Int(o.Padding)) + ")";
        }

        /// <summary>What <c>[Conv2D]</c> declares, with the kernel's sides resolved.</summary>
        private sealed record Conv2DOptions(int Channels, int KernelHeight, int KernelWidth, int Stride, int Padding, bool Bias) : LayerOptions;
    }
}
