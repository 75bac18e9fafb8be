using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// What <c>[MaxPool2D(window, Stride = window)]</c> and <c>[AvgPool2D]</c> share: the options they declare, the shape
    /// rule, the description, and their kernel calls, which take the same shape value and batch first.
    /// </summary>
    internal abstract class Pool2DLayer : ILayerKind, IBufferedLayerKind, IGpuLayerKind
    {
        public abstract string Name { get; }

        public string AttributeName => "NetGen." + Name + "Attribute";

        public bool AcceptsActivation => false;

        public bool IsInput => false;

        public LayerOptions Read(AttributeArguments arguments)
        {
            int window = arguments.Int(0) ?? 0;
            return new PoolOptions(window, arguments.Get("Stride", window));
        }

        public ShapeResult InferShape(LayerSpec layer, EquatableArray<Shape> inputs)
        {
            var o = (PoolOptions)layer.Options;
            return ConvolutionRules.Pooling(this, layer, inputs[0], o.Window, o.Stride);
        }

        public EquatableArray<ParameterSpec> Parameters(LayerSpec layer, EquatableArray<Shape> inputs, Shape output, ActivationKind activation) => default;

        /// <summary><c>MaxPool2D 2×2</c>, with <c>, stride 1</c> when the windows overlap or leave gaps.</summary>
        public string Describe(LayerSpec layer, EquatableArray<Shape> inputs, Shape output)
        {
            var o = (PoolOptions)layer.Options;
            return Name + " " + ConvolutionRules.Extent(new[] { o.Window, o.Window }) + (o.Stride == o.Window ? "" : ", stride " + Literals.Int(o.Stride));
        }

        public abstract EquatableArray<LayerBuffer> Buffers(LayerPlan layer);

        public abstract void EmitForward(SourceWriter writer, LayerCode code);

        public abstract void EmitBackward(SourceWriter writer, LayerCode code);

        public abstract void EmitGpuForward(SourceWriter writer, GpuLayerCode code);

        public abstract void EmitGpuBackward(SourceWriter writer, GpuLayerCode code);

        /// <summary>Writes <c>global::NetGen.Kernels.{Name}.{pass}(shape, batch, arguments…);</c>.</summary>
        protected void WriteCall(SourceWriter writer, LayerCode code, string pass, params string[] arguments) =>
            writer.Line("global::NetGen.Kernels." + Name + "." + pass + "(" + ShapeValue(code.Layer) + ", " + code.Batch + ", " + string.Join(", ", arguments) + ");");

        /// <summary>Writes <c>global::NetGen.Gpu.Gpu{Name}.{pass}(device, shape, batch, arguments…);</c>.</summary>
        protected void WriteGpuCall(SourceWriter writer, GpuLayerCode code, string pass, params string[] arguments) =>
            writer.Line("global::NetGen.Gpu.Gpu" + Name + "." + pass + "(" + code.Device + ", " + ShapeValue(code.Layer) + ", " + code.Batch + ", "
                + string.Join(", ", arguments) + ");");

        /// <summary><c>new global::NetGen.Kernels.Pool2DShape(C, H, W, window, stride)</c>.</summary>
        private static string ShapeValue(LayerPlan layer)
        {
            var o = (PoolOptions)layer.Options;
            var input = layer.InputShapes[0].Dims;
            return "new global::NetGen.Kernels.Pool2DShape(" + string.Join(", ", Literals.Int(input[0]), Literals.Int(input[1]), Literals.Int(input[2]),
                Literals.Int(o.Window), Literals.Int(o.Stride)) + ")";
        }

        /// <summary>What <c>[MaxPool2D]</c> and <c>[AvgPool2D]</c> declare.</summary>
        private sealed record PoolOptions(int Window, int Stride) : LayerOptions;
    }
}
