using NetGen.Generator.Emit;
using NetGen.Generator.Model;

namespace NetGen.Generator.Losses
{
    /// <summary>
    /// Softmax over the logits, then −log p[label]; its gradient is (p − onehot(label)) / rows. On a sequence output
    /// <c>[T, C]</c> it applies at every time step: T labels per sample, the mean over all B·T steps (one kernel call
    /// over B·T rows of C logits).
    /// </summary>
    internal sealed class SoftmaxCrossEntropyLoss : ILossKind, IGpuLossKind
    {
        public string Name => "SoftmaxCrossEntropy";

        public int Value => 1;

        public string TargetType => "int";

        public string TargetName => "labels";

        public string TargetsPerSample(Shape output) => output.Role == ShapeRole.Sequence ? Literals.Int(output.Steps) : "1";

        public string? Requirement(Shape output) => output.Role == ShapeRole.Sequence
            ? output.Features >= 2 ? null : "at least 2 classes at each step (one logit per class), then takes one label per step"
            : output.Size >= 2 ? null : "at least 2 outputs (one per class)";

        public string Call(Shape output, string activations, string gradient) =>
            "global::NetGen.Kernels.Losses.SoftmaxCrossEntropy(" + Sizes(output) + ", " + activations + ", labels, " + gradient + ")";

        public string GpuCall(Shape output, string activations, string gradient) =>
            "global::NetGen.Gpu.GpuLosses.SoftmaxCrossEntropy(_device, " + Sizes(output) + ", " + activations + ", _state.Labels.View, " + gradient + ", _state.Loss.View)";

        /// <summary><c>rows, classes</c>: <c>batch</c> rows of every output, or <c>batch * T</c> rows of C on a sequence.</summary>
        private static string Sizes(Shape output) => output.Role == ShapeRole.Sequence
            ? "batch * " + Literals.Int(output.Steps) + ", " + Literals.Int(output.Features)
            : "batch, " + Literals.Int(output.Size);
    }
}
