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

        public string Call(Shape output, string activations, string gradient)
        {
            bool sequence = output.Role == ShapeRole.Sequence;
            string rows = sequence ? "batch * " + Literals.Int(output.Steps) : "batch";
            return "global::NetGen.Kernels.Losses.SoftmaxCrossEntropy(" + rows + ", " + Literals.Int(sequence ? output.Features : output.Size) + ", "
                + activations + ", labels, " + gradient + ")";
        }

        public string GpuCall(Shape output, string activations, string gradient) =>
            "global::NetGen.Gpu.GpuLosses.SoftmaxCrossEntropy(_device, batch, " + Literals.Int(output.Size) + ", " + activations + ", _state.Labels.View, " + gradient + ", _state.Loss.View)";
    }
}
