using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Shapes;

namespace NetGen.Generator.Layers
{
    /// <summary>What <see cref="Conv2DLayer"/> and <see cref="Conv1DLayer"/> share: parameters, description, and the
    /// kernel calls, which differ only in the runtime class and its shape value.</summary>
    internal static class ConvolutionParameters
    {
        private const string Empty = "global::System.Span<float>.Empty";

        /// <summary>Weight <paramref name="weight"/> (<c>[out, in, k…]</c>, He for ReLU, else Glorot over the receptive
        /// field) and, unless <paramref name="bias"/> is false, a zero bias <c>[out]</c>.</summary>
        public static EquatableArray<ParameterSpec> Create(Shape weight, bool bias, ActivationKind activation)
        {
            int outChannels = weight.Dims[0];
            int field = (int)(weight.Size / outChannels / weight.Dims[1]);
            int fanIn = weight.Dims[1] * field, fanOut = outChannels * field;
            var w = new ParameterSpec("weight", weight, Transposed: false, activation.UsesHeInit ? InitScheme.He(fanIn) : InitScheme.Glorot(fanIn, fanOut));
            return bias ? EquatableArray.Create(w, new ParameterSpec("bias", Shape.Of(outChannels), Transposed: false, InitScheme.Zeros)) : EquatableArray.Create(w);
        }

        /// <summary><c>Conv2D 5×5, 6→16</c>, then <c>, stride 2</c>, <c>, padding 2</c>, <c> (no bias)</c> where they apply.</summary>
        public static string Describe(string kind, int[] kernel, int inChannels, int outChannels, int stride, int padding, bool bias) =>
            kind + " " + ConvolutionRules.Extent(kernel) + ", " + Literals.Int(inChannels) + "→" + Literals.Int(outChannels)
            + (stride == 1 ? "" : ", stride " + Literals.Int(stride)) + (padding == 0 ? "" : ", padding " + Literals.Int(padding))
            + (bias ? "" : " (no bias)");

        public static void EmitForward(SourceWriter writer, LayerCode code, string kernel, string shape)
        {
            writer.Line("global::NetGen.Kernels." + kernel + ".Forward<" + code.Activation.KernelType + ">(" + shape + ", " + code.Batch + ",");
            writer.Line("    " + code.Inputs[0] + ", " + code.Parameter(0) + ", " + Bias(code, code.Parameter) + ", " + code.Output + ", " + code.Buffer("workspace") + ");");
        }

        public static void EmitBackward(SourceWriter writer, LayerCode code, string kernel, string shape)
        {
            writer.Line("global::NetGen.Kernels." + kernel + ".Backward<" + code.Activation.KernelType + ">(" + shape + ", " + code.Batch + ",");
            writer.Line("    " + code.Inputs[0] + ", " + code.Parameter(0) + ", " + code.Output + ", " + code.OutputGradient + ",");
            writer.Line("    " + code.Gradient(0) + ", " + Bias(code, code.Gradient) + ", " + InputGradient.Target(code) + ", " + code.Buffer("workspace") + ");");
            InputGradient.AddBuffered(writer, code);
        }

        private static string Bias(LayerCode code, System.Func<int, string> tensor) => code.Layer.Parameters.Count > 1 ? tensor(1) : Empty;
    }
}
