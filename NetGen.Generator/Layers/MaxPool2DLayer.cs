using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// <c>[MaxPool2D(window, Stride = window)]</c>: the maximum of each window of each channel. Forward records each
    /// maximum's position in an argmax buffer; backward sends the gradient there.
    /// </summary>
    internal sealed class MaxPool2DLayer : ILayerKind, IBufferedLayerKind, IGpuLayerKind
    {
        public string Name => "MaxPool2D";

        public string AttributeName => "NetGen.MaxPool2DAttribute";

        public bool AcceptsActivation => false;

        public bool IsInput => false;

        public LayerOptions Read(AttributeArguments arguments) => PoolOptions.Read(arguments);

        public ShapeResult InferShape(LayerSpec layer, EquatableArray<Shape> inputs) => PoolOptions.InferShape(this, layer, inputs);

        public EquatableArray<ParameterSpec> Parameters(LayerSpec layer, EquatableArray<Shape> inputs, Shape output, ActivationKind activation) => default;

        public string Describe(LayerSpec layer, EquatableArray<Shape> inputs, Shape output) => PoolOptions.Describe(Name, layer);

        public EquatableArray<LayerBuffer> Buffers(LayerPlan layer)
        {
            var argmax = new LayerBuffer("argmax", layer.OutputSize) { ElementType = "int" };
            return InputGradient.NeedsBuffer(layer)
                ? EquatableArray.Create(argmax, LayerBuffer.InputGradient((int)layer.InputShapes[0].Size))
                : EquatableArray.Create(argmax);
        }

        public void EmitForward(SourceWriter writer, LayerCode code) =>
            writer.Line("global::NetGen.Kernels.MaxPool2D.Forward(" + PoolOptions.ShapeValue(code.Layer) + ", " + code.Batch + ", "
                + code.Inputs[0] + ", " + code.Output + ", " + code.Buffer("argmax") + ");");

        public void EmitBackward(SourceWriter writer, LayerCode code)
        {
            if (code.InputGradients[0] is null) return;
            writer.Line("global::NetGen.Kernels.MaxPool2D.Backward(" + PoolOptions.ShapeValue(code.Layer) + ", " + code.Batch + ", "
                + code.Buffer("argmax") + ", " + code.OutputGradient + ", " + InputGradient.Target(code) + ");");
            InputGradient.AddBuffered(writer, code);
        }

        public void EmitGpuForward(SourceWriter writer, GpuLayerCode code) =>
            writer.Line("global::NetGen.Gpu.GpuMaxPool2D.Forward(" + code.Device + ", " + PoolOptions.ShapeValue(code.Layer) + ", " + code.Batch + ", "
                + code.Inputs[0] + ", " + code.Output + ");");

        public void EmitGpuBackward(SourceWriter writer, GpuLayerCode code)
        {
            if (code.InputGradients[0] is not { } dx) return;
            writer.Line("global::NetGen.Gpu.GpuMaxPool2D.Backward(" + code.Device + ", " + PoolOptions.ShapeValue(code.Layer) + ", " + code.Batch + ", "
                + code.Inputs[0] + ", " + code.OutputGradient + ", " + dx + GpuInputGradient.Accumulate(code) + ");");
        }
    }

    /// <summary>What <c>[MaxPool2D]</c> and <c>[AvgPool2D]</c> declare, and the code both kinds share.</summary>
    internal sealed record PoolOptions(int Window, int Stride) : LayerOptions
    {
        public static LayerOptions Read(AttributeArguments arguments)
        {
            int window = arguments.Int(0) ?? 0;
            return new PoolOptions(window, arguments.Get("Stride", window));
        }

        public static ShapeResult InferShape(ILayerKind kind, LayerSpec layer, EquatableArray<Shape> inputs)
        {
            var o = (PoolOptions)layer.Options;
            return ConvolutionRules.Pooling(kind, layer, inputs[0], o.Window, o.Stride);
        }

        /// <summary><c>MaxPool2D 2×2</c>, with <c>, stride 1</c> when the windows overlap or leave gaps.</summary>
        public static string Describe(string kind, LayerSpec layer)
        {
            var o = (PoolOptions)layer.Options;
            return kind + " " + ConvolutionRules.Extent(new[] { o.Window, o.Window }) + (o.Stride == o.Window ? "" : ", stride " + Literals.Int(o.Stride));
        }

        /// <summary><c>new global::NetGen.Kernels.Pool2DShape(C, H, W, window, stride)</c>.</summary>
        public static string ShapeValue(LayerPlan layer)
        {
            var o = (PoolOptions)layer.Options;
            var input = layer.InputShapes[0].Dims;
            return "new global::NetGen.Kernels.Pool2DShape(" + string.Join(", ", Literals.Int(input[0]), Literals.Int(input[1]), Literals.Int(input[2]),
                Literals.Int(o.Window), Literals.Int(o.Stride)) + ")";
        }
    }
}
