using NetGen.Generator.Model;

namespace NetGen.Generator.Losses
{
    /// <summary>A loss with a device kernel (<c>NetGen.Gpu.GpuLosses</c>); optional, like <c>IGpuLayerKind</c>.</summary>
    internal interface IGpuLossKind
    {
        /// <summary>The launch that writes the mean loss into the state's one-float <c>Loss</c> buffer and its gradient
        /// into <paramref name="gradient"/>; the targets are the uploaded <c>Labels</c> or <c>Targets</c> (T labels per
        /// sample on a sequence output <c>[T, C]</c>, as the CPU call takes them).</summary>
        string GpuCall(Shape output, string activations, string gradient);
    }
}
