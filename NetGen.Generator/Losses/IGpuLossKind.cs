namespace NetGen.Generator.Losses
{
    /// <summary>A loss with a device kernel (<c>NetGen.Gpu.GpuLosses</c>); optional, like <c>IGpuLayerKind</c>.</summary>
    internal interface IGpuLossKind
    {
        /// <summary>The launch that writes the mean loss into the state's one-float <c>Loss</c> buffer and its gradient
        /// into <paramref name="gradient"/>; the targets are the uploaded <c>Labels</c> or <c>Targets</c>.</summary>
        string GpuCall(int outputSize, string output, string gradient);
    }
}
