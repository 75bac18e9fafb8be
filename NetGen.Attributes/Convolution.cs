using System;

namespace NetGen
{
    /// <summary>
    /// A 2-D convolution (cross-correlation, as in PyTorch) over a <c>[C, H, W]</c> input:
    /// <c>y[o, i, j] = b[o] + Σ_{c, u, v} w[o, c, u, v] · x[c, i·Stride + u − Padding, j·Stride + v − Padding]</c>,
    /// with zeros outside the input. The output is <c>[Channels, H′, W′]</c> with
    /// <c>H′ = ⌊(H + 2·Padding − KernelHeight) / Stride⌋ + 1</c> (likewise W′ with KernelWidth).
    /// The weight is <c>[Channels, C, KernelHeight, KernelWidth]</c> (PyTorch's layout), the bias <c>[Channels]</c>.
    /// An activation attribute on the same property (<c>[Conv2D(6, Kernel = 5), Relu]</c>) is fused into it.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class Conv2DAttribute : Attribute
    {
        /// <param name="channels">Number of output channels (filters).</param>
        public Conv2DAttribute(int channels) { Channels = channels; }

        /// <summary>Number of output channels (filters).</summary>
        public int Channels { get; }

        /// <summary>Side of a square kernel (default 3); <see cref="KernelHeight"/> and <see cref="KernelWidth"/> override it.</summary>
        public int Kernel { get; set; } = 3;

        /// <summary>Kernel height; 0 (the default) means <see cref="Kernel"/>.</summary>
        public int KernelHeight { get; set; }

        /// <summary>Kernel width; 0 (the default) means <see cref="Kernel"/>.</summary>
        public int KernelWidth { get; set; }

        /// <summary>Step between neighbouring windows, in both directions (default 1).</summary>
        public int Stride { get; set; } = 1;

        /// <summary>Zeros added on every side of the input, in both directions (default 0).</summary>
        public int Padding { get; set; }

        /// <summary>Whether the layer adds a bias per output channel (default true).</summary>
        public bool Bias { get; set; } = true;

        /// <summary>The layer this one reads from (use <c>nameof</c>); the previous layer when omitted.</summary>
        public string? From { get; set; }
    }

    /// <summary>
    /// A 1-D convolution over a <c>[C, L]</c> input (channels × length):
    /// <c>y[o, i] = b[o] + Σ_{c, u} w[o, c, u] · x[c, i·Stride + u − Padding]</c>, with zeros outside the input.
    /// The output is <c>[Channels, L′]</c> with <c>L′ = ⌊(L + 2·Padding − Kernel) / Stride⌋ + 1</c>.
    /// The weight is <c>[Channels, C, Kernel]</c> (PyTorch's layout), the bias <c>[Channels]</c>.
    /// An activation attribute on the same property is fused into it.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class Conv1DAttribute : Attribute
    {
        /// <param name="channels">Number of output channels (filters).</param>
        public Conv1DAttribute(int channels) { Channels = channels; }

        /// <summary>Number of output channels (filters).</summary>
        public int Channels { get; }

        /// <summary>Kernel length (default 3).</summary>
        public int Kernel { get; set; } = 3;

        /// <summary>Step between neighbouring windows (default 1).</summary>
        public int Stride { get; set; } = 1;

        /// <summary>Zeros added at both ends of the input (default 0).</summary>
        public int Padding { get; set; }

        /// <summary>Whether the layer adds a bias per output channel (default true).</summary>
        public bool Bias { get; set; } = true;

        /// <summary>The layer this one reads from (use <c>nameof</c>); the previous layer when omitted.</summary>
        public string? From { get; set; }
    }

    /// <summary>
    /// Max pooling over each channel of a <c>[C, H, W]</c> input, without padding:
    /// <c>y[c, i, j] = max_{u, v &lt; Window} x[c, i·Stride + u, j·Stride + v]</c>. The output is <c>[C, H′, W′]</c> with
    /// <c>H′ = ⌊(H − Window) / Stride⌋ + 1</c> (likewise W′). The gradient flows to the position of each maximum.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class MaxPool2DAttribute : Attribute
    {
        /// <param name="window">Side of the square pooling window; also the default stride.</param>
        public MaxPool2DAttribute(int window) { Window = window; Stride = window; }

        /// <summary>Side of the square pooling window.</summary>
        public int Window { get; }

        /// <summary>Step between neighbouring windows (defaults to <see cref="Window"/>: non-overlapping pooling).</summary>
        public int Stride { get; set; }
    }

    /// <summary>
    /// Average pooling over each channel of a <c>[C, H, W]</c> input, without padding:
    /// <c>y[c, i, j] = (1 / Window²) · Σ_{u, v &lt; Window} x[c, i·Stride + u, j·Stride + v]</c>. The output is
    /// <c>[C, H′, W′]</c> with <c>H′ = ⌊(H − Window) / Stride⌋ + 1</c> (likewise W′).
    /// </summary>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class AvgPool2DAttribute : Attribute
    {
        /// <param name="window">Side of the square pooling window; also the default stride.</param>
        public AvgPool2DAttribute(int window) { Window = window; Stride = window; }

        /// <summary>Side of the square pooling window.</summary>
        public int Window { get; }

        /// <summary>Step between neighbouring windows (defaults to <see cref="Window"/>: non-overlapping pooling).</summary>
        public int Stride { get; set; }
    }

    /// <summary>
    /// Reshapes the per-sample input (e.g. <c>[C, H, W]</c>) to one vector of <c>C·H·W</c> values in row-major order,
    /// as PyTorch's <c>flatten(1)</c> does. No computation and no parameters; <c>Dense</c> already flattens its input,
    /// so this layer only makes the step explicit.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class FlattenAttribute : Attribute { }

    /// <summary>
    /// Inverted dropout: during training <c>y = x ⊙ m</c> where each <c>m</c> is independently 0 with probability
    /// <see cref="Rate"/> and <c>1 / (1 − Rate)</c> otherwise, so the expected output equals the input; at inference
    /// <c>y = x</c>. The output shape is the input shape.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class DropoutAttribute : Attribute
    {
        /// <param name="rate">Probability of zeroing each value, in [0, 1).</param>
        public DropoutAttribute(double rate) { Rate = rate; }

        /// <summary>Probability of zeroing each value, in [0, 1).</summary>
        public double Rate { get; }
    }
}
