using NetGen.Generator.Emit;
using NetGen.Generator.Model;

namespace NetGen.Generator.Losses
{
    /// <summary>½·Σ(y − t)² per sample; its gradient is (y − t) / batch. Fits any output.</summary>
    internal sealed class SquaredErrorLoss : ILossKind, IGpuLossKind
    {
        public string Name => "SquaredError";

        public int Value => 2;

        public string TargetType => "float";

        public string TargetName => "targets";

        public string TargetsPerSample(int outputSize) => Literals.Int(outputSize);

        public string? Requirement(Shape output) => null;

        public string Call(int outputSize, string output, string gradient) =>
            "global::NetGen.Kernels.Losses.SquaredError(batch, " + Literals.Int(outputSize) + ", " + output + ", targets, " + gradient + ")";

        public string GpuCall(int outputSize, string output, string gradient) =>
            "global::NetGen.Gpu.GpuLosses.SquaredError(_device, batch, " + Literals.Int(outputSize) + ", " + output + ", _state.Targets.View, " + gradient + ", _state.Loss.View)";
    }
}
