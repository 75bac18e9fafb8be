using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Shapes;
using NetGen.Generator.Tuning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// <c>[Conv1D(channels, Kernel = 3, Stride = 1, Padding = 0, Bias = true, From)]</c>: y = act(b + w ⋆ x) over
    /// <c>[C, L]</c>, computed by <c>NetGen.Kernels.Conv1D</c> (a 2-D convolution of height 1, with
    /// the algorithm per pass as for <see cref="Conv2DLayer"/>) with the bias and activation fused; weight <c>[out, in, k]</c>.
    /// </summary>
    internal sealed class Conv1DLayer : ILayerKind, IBufferedLayerKind, ITunableLayerKind
    {
        public string Name => "Conv1D";

        public string AttributeName => "NetGen.Conv1DAttribute";

        public bool AcceptsActivation => true;

        public bool IsInput => false;

        public LayerOptions Read(AttributeArguments arguments)
        {
            string? from = arguments.Get<string?>("From", null);
            return new Conv1DOptions(arguments.Int(0) ?? 0, arguments.Get("Kernel", 3), arguments.Get("Stride", 1), arguments.Get("Padding", 0),
                arguments.Get("Bias", true))
            {
                Sources = from is null ? default : EquatableArray.Create(from),
            };
        }

        public ShapeResult InferShape(LayerSpec layer, EquatableArray<Shape> inputs)
        {
            var o = (Conv1DOptions)layer.Options;
            return ConvolutionRules.Convolution(this, layer, inputs[0], o.Channels, new[] { o.Kernel }, o.Stride, o.Padding);
        }

        public EquatableArray<ParameterSpec> Parameters(LayerSpec layer, EquatableArray<Shape> inputs, Shape output, ActivationKind activation)
        {
            var o = (Conv1DOptions)layer.Options;
            return ConvolutionParameters.Create(Shape.Of(o.Channels, inputs[0].Dims[0], o.Kernel), o.Bias, activation);
        }

        public string Describe(LayerSpec layer, EquatableArray<Shape> inputs, Shape output)
        {
            var o = (Conv1DOptions)layer.Options;
            return ConvolutionParameters.Describe(Name, new[] { o.Kernel }, inputs[0].Dims[0], o.Channels, o.Stride, o.Padding, o.Bias);
        }

        public EquatableArray<LayerBuffer> Buffers(LayerPlan layer) => ConvolutionParameters.Buffers(layer, "Conv1D", ShapeValue(layer));

        public string TuningSignature(LayerPlan layer)
        {
            var o = (Conv1DOptions)layer.Options;
            var input = layer.InputShapes[0].Dims;
            return TuningSignatures.Conv1D(input[0], input[1], o.Channels, o.Kernel, o.Stride, o.Padding);
        }

        /// <summary>As for the 2-D convolution of height 1 that <c>NetGen.Kernels.Conv1D</c> runs.</summary>
        public string? Unsupported(LayerPlan layer, TuningEntry entry)
        {
            var o = (Conv1DOptions)layer.Options;
            return ConvolutionParameters.Unsupported(entry, layer.InputShapes[0].Dims[0], o.Channels, 1, o.Kernel, 1, o.Stride, 0, o.Padding);
        }

        public string DescribePass(string pass) => ConvolutionParameters.DescribePass(pass);

        public void EmitForward(SourceWriter writer, LayerCode code) =>
            ConvolutionParameters.EmitForward(writer, code, "Conv1D", ShapeValue(code.Layer));

        public void EmitBackward(SourceWriter writer, LayerCode code) =>
            ConvolutionParameters.EmitBackward(writer, code, "Conv1D", ShapeValue(code.Layer));

        /// <summary><c>new global::NetGen.Kernels.Conv1DShape(inC, L, outC, k, stride, padding)</c>.</summary>
        private static string ShapeValue(LayerPlan layer)
        {
            var o = (Conv1DOptions)layer.Options;
            var input = layer.InputShapes[0].Dims;
            return "new global::NetGen.Kernels.Conv1DShape(" + string.Join(", ", Literals.Int(input[0]), Literals.Int(input[1]),
                Literals.Int(o.Channels), Literals.Int(o.Kernel), Literals.Int(o.Stride), Literals.Int(o.Padding)) + ")";
        }

        /// <summary>What <c>[Conv1D]</c> declares.</summary>
        private sealed record Conv1DOptions(int Channels, int Kernel, int Stride, int Padding, bool Bias) : LayerOptions;
    }
}
