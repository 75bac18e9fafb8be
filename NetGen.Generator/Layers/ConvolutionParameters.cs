using System.Collections.Generic;
using System.Linq;
using System.Text;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Shapes;
using NetGen.Kernels;

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
            var algorithm = Algorithm(writer, code, forward: true);
            writer.Line("global::NetGen.Kernels." + kernel + ".Forward<" + code.Activation.KernelType + ">(" + shape + ", " + code.Batch + ",");
            writer.Line("    " + code.Inputs[0] + ", " + code.Parameter(0) + ", " + Bias(code, code.Parameter) + ", " + code.Output + ", " + code.Buffer("workspace") + ",");
            Arguments(writer, algorithm);
        }

        public static void EmitBackward(SourceWriter writer, LayerCode code, string kernel, string shape)
        {
            var algorithm = Algorithm(writer, code, forward: false);
            writer.Line("global::NetGen.Kernels." + kernel + ".Backward<" + code.Activation.KernelType + ">(" + shape + ", " + code.Batch + ",");
            writer.Line("    " + code.Inputs[0] + ", " + code.Parameter(0) + ", " + code.Output + ", " + code.OutputGradient + ",");
            writer.Line("    " + code.Gradient(0) + ", " + Bias(code, code.Gradient) + ", " + InputGradient.Target(code) + ", " + code.Buffer("workspace") + ",");
            Arguments(writer, algorithm);
            InputGradient.AddBuffered(writer, code);
        }

        /// <summary>Why <paramref name="algorithm"/> (a <c>Conv2DAlgorithm</c> member's name) cannot run a pass of the shape
        /// on <paramref name="isa"/> (a <c>VectorIsa</c> member's name), by the runtime's own <see cref="Conv2DRules"/>; null
        /// where it can (Auto and Im2Col always can).</summary>
        public static string? Unsupported(string algorithm, string isa, bool forward, int inChannels, int outChannels, int kernelHeight, int kernelWidth,
            int strideHeight, int strideWidth, int paddingHeight, int paddingWidth)
        {
            int value = algorithm switch
            {
                "Im2Col" => Conv2DRules.Im2Col,
                "Direct" => Conv2DRules.Direct,
                "Im2ColDot" => Conv2DRules.Im2ColDot,
                _ => Conv2DRules.Auto,
            };
            return Conv2DRules.Unsupported(value, isa == "Avx512", forward, inChannels, outChannels, kernelHeight, kernelWidth,
                strideHeight, strideWidth, paddingHeight, paddingWidth);
        }

        /// <summary>The last argument, one tuning entry a line, and the call's end.</summary>
        private static void Arguments(SourceWriter writer, string[] algorithm)
        {
            for (int i = 0; i < algorithm.Length; i++) writer.Line("    " + algorithm[i] + (i == algorithm.Length - 1 ? ");" : ""));
        }

        /// <summary>
        /// The <c>Conv2DAlgorithm</c> argument of one pass, after a comment saying where it came from: <c>Auto</c> (the
        /// kernels' rule) when the layer has no tuning entry for the pass, else a chain of the entries' choices, each
        /// taken where the machine's instruction set and the batch match the entry (first match wins), with <c>Auto</c> last.
        /// </summary>
        private static string[] Algorithm(SourceWriter writer, LayerCode code, bool forward)
        {
            const string Enum = "global::NetGen.Kernels.Conv2DAlgorithm.";
            string pass = forward ? "forward" : "backward";
            var entries = code.Layer.Tuning.Where(e => e.Forward == forward).ToList();
            if (entries.Count == 0)
            {
                writer.Line("// " + pass + " algorithm: rule (Auto: the kernels choose by shape)");
                return new[] { Enum + "Auto" };
            }
            var chain = new List<string>();
            foreach (var e in entries)
            {
                var line = new StringBuilder(chain.Count == 0 ? "" : ": ");
                writer.Line("// " + pass + " algorithm: tuned, " + e.Line + " (" + e.Isa + ", batch " + e.Batches + "): " + e.Algorithm
                    + (e.Note.Length == 0 ? "" : "; " + e.Note));
                line.Append("global::NetGen.Kernels.Conv2D.Isa == global::NetGen.Kernels.VectorIsa.").Append(e.Isa);
                if (e.BatchFrom == e.BatchTo) line.Append(" && ").Append(code.Batch).Append(" == ").Append(Literals.Int(e.BatchFrom));
                else
                {
                    if (e.BatchFrom > 1) line.Append(" && ").Append(code.Batch).Append(" >= ").Append(Literals.Int(e.BatchFrom));
                    if (e.BatchTo > 0) line.Append(" && ").Append(code.Batch).Append(" <= ").Append(Literals.Int(e.BatchTo));
                }
                chain.Add(line.Append(" ? ").Append(Enum).Append(e.Algorithm).ToString());
            }
            chain.Add(": " + Enum + "Auto");
            return chain.ToArray();
        }

        private static string Bias(LayerCode code, System.Func<int, string> tensor) => code.Layer.Parameters.Count > 1 ? tensor(1) : Empty;
    }
}
