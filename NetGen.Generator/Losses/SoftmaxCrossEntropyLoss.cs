using NetGen.Generator.Emit;
using NetGen.Generator.Model;

namespace NetGen.Generator.Losses
{
    /// <summary>Softmax over the logits, then −log p[label]; its gradient is (p − onehot(label)) / batch.</summary>
    internal sealed class SoftmaxCrossEntropyLoss : ILossKind, IGpuLossKind
    {
        public string Name => "SoftmaxCrossEntropy";

        public int Value => 1;

        public string TargetType => "int";

        public string TargetName => "labels";

        public string TargetsPerSample(int outputSize) => "1";

        public string? Requirement(Shape output) => output.Size >= 2 ? null : "at least 2 outputs (one per class)";

        public string Call(int outputSize, string output, string gradient) =>
            "global::NetGen.Kernels.Losses.SoftmaxCrossEntropy(batch, " + Literals.Int(outputSize) + ", " + output + ", labels, " + gradient + ")";

        public string GpuCall(int outputSize, string output, string gradient) =>
            "global::NetGen.Gpu.GpuLosses.SoftmaxCrossEntropy(_device, batch, " + Literals.Int(outputSize) + ", " + output + ", _state.Labels.View, " + gradient + ", _state.Loss.View)";
    }
}
