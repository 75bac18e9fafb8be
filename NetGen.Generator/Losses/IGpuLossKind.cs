using NetGen.Generator.Model;

namespace NetGen.Generator.Losses
{
    /// <summary>A loss with a device kernel (<c>NetGen.Gpu.GpuLosses</c>); optional, like <c>IGpuLayerKind</c>.</summary>
    internal interface IGpuLossKind
    {
        /// <summary>The launch that writes the mean loss into the state's one-float <c>Loss</c> buffer and its gradient
        /// into <paramref name="gradient"/>; the targets are the uploaded <c>Labels</c> or <c>Targets</c>. Only networks of
        /// <c>IGpuLayerKind</c> layers (Input, Dense) get a twin, so <paramref name="output"/> is a plain per-sample shape
        /// (one label per sample), never a sequence.</summary>
        string GpuCall(Shape output, string activations, string gradient);
    }
}
