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

        public string TargetsPerSample(Shape output) => Literals.Int(output.Size);

        public string? Requirement(Shape output) => null;

        public string Call(Shape output, string activations, string gradient) =>
            "global::NetGen.Kernels.Losses.SquaredError(batch, " + Literals.Int(output.Size) + ", " + activations + ", targets, " + gradient + ")";

        public string GpuCall(Shape output, string activations, string gradient) =>
            "global::NetGen.Gpu.GpuLosses.SquaredError(_device, batch, " + Literals.Int(output.Size) + ", " + activations + ", _state.Targets.View, " + gradient + ", _state.Loss.View)";
    }
}
