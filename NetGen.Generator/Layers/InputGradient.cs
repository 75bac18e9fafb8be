using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// Where a single-input kind whose backward kernel overwrites <c>dx</c> writes it: straight into the input's gradient,
    /// or, when another consumer of that input wrote its gradient first, into a <see cref="LayerBuffer.InputGradient"/>
    /// buffer that is then added in.
    /// </summary>
    internal static class InputGradient
    {
        private const string Empty = "global::System.Span<float>.Empty";

        private static readonly string Name = LayerBuffer.InputGradient(0).Name;

        /// <summary>Whether <paramref name="layer"/> needs the extra buffer: its input gets a gradient (it is not the
        /// network input, which comes first) and a later consumer writes that gradient before this layer does.</summary>
        public static bool NeedsBuffer(LayerPlan layer) => layer.AccumulateInputGradient[0] && layer.Sources[0] != 0;

        /// <summary>The buffers of a kind that needs none but this one.</summary>
        public static EquatableArray<LayerBuffer> OnlyBuffer(LayerPlan layer) =>
            NeedsBuffer(layer) ? EquatableArray.Create(Buffer(layer)) : default;

        /// <summary>The buffers of a kind that needs <paramref name="own"/>: it, then this one where <see cref="NeedsBuffer"/>.</summary>
        public static EquatableArray<LayerBuffer> BuffersWith(LayerPlan layer, LayerBuffer own) =>
            NeedsBuffer(layer) ? EquatableArray.Create(own, Buffer(layer)) : EquatableArray.Create(own);

        private static LayerBuffer Buffer(LayerPlan layer) => LayerBuffer.InputGradient((int)layer.InputShapes[0].Size);

        /// <summary>The span the kernel writes input 0's gradient to (empty when the input needs none).</summary>
        public static string Target(LayerCode code)
        {
            string? dx = code.InputGradients[0];
            if (dx is null) return Empty;
            return code.AccumulatesInputGradient(0) ? code.Buffer(Name) : dx;
        }

        /// <summary>After the kernel: adds the buffered gradient into the input's gradient when <see cref="Target"/> chose the buffer.</summary>
        public static void AddBuffered(SourceWriter writer, LayerCode code)
        {
            string? dx = code.InputGradients[0];
            if (dx is null || !code.AccumulatesInputGradient(0)) return;
            writer.Line("// " + code.Inputs[0] + " also feeds a later layer, which wrote " + dx + " first: add this layer's share");
            writer.Line("var " + dx + "Share = " + code.Buffer(Name) + ";");
            writer.Line("for (int i = 0; i < " + dx + "Share.Length; i++) " + dx + "[i] += " + dx + "Share[i];");
        }
    }

    /// <summary>
    /// The device side of <see cref="InputGradient"/>: the GPU kernels of single-input kinds write input 0's gradient
    /// straight into its view and add to it themselves when another consumer wrote it first, so no buffer is needed.
    /// </summary>
    internal static class GpuInputGradient
    {
        /// <summary><c>, accumulate: true</c> when input 0's gradient must be added to, else nothing.</summary>
        public static string Accumulate(GpuLayerCode code) =>
            code.InputGradients[0] is not null && code.AccumulatesInputGradient(0) ? ", accumulate: true" : "";
    }
}
