// Compiled into NetGen.Runtime and, as a linked source file, into NetGen.Generator (netstandard2.0), so that the
// generator checks a tuning table's choices with the very rule the kernels apply: keep it plain C# over ints.
namespace NetGen.Kernels
{
    /// <summary>
    /// Where <c>Conv2D</c>'s algorithms apply, by shape and instruction set: the direct kernels (AVX-512, stride 1, few
    /// input channels), and im2col with a dot-product weight gradient (backward only).
    /// </summary>
    internal static class Conv2DRules
    {
        // ConvBenchmarks (batch 16, one thread, AVX-512 GEMM), measured with the direct forward kernel the wide one
        // replaced: direct/im2col time 0.3 for LeNet-5 C1, 0.34–0.47 for 1–8 input channels, 0.55–0.7 for 16, 0.83 for
        // 32, 1.18 for 64. Above 8 channels the per-sample GEMM grows past the size at which Gemm spreads over threads,
        // which the direct kernels did not do then, so they stop at 8 (a tuning table can say otherwise per layer only
        // within this bound: the kernels' register blocks are written for it).
        /// <summary>The most input channels the direct kernels take.</summary>
        public const int DirectMaxInChannels = 8;

        /// <summary>The fewest output channels the direct forward kernel takes (its register blocks are 4, 6 or 8 channels).</summary>
        public const int DirectForwardMinOutChannels = 4;

        /// <summary>A 1×1 kernel with stride 1 and no padding: the input is the patch matrix itself, no im2col needed.</summary>
        public static bool IsPointwise(int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, int paddingHeight, int paddingWidth) =>
            kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1 && paddingHeight == 0 && paddingWidth == 0;

        // The reasons are built once: the kernels ask on every call and must not allocate.
        private static readonly string Pointwise = "a pointwise (1×1, stride 1, no padding) convolution needs no im2col and has no direct kernel",
            Strided = "the direct kernels need stride 1",
            ManyInChannels = "the direct kernels take at most " + DirectMaxInChannels + " input channels",
            FewOutChannels = "the direct forward kernel needs at least " + DirectForwardMinOutChannels + " output channels",
            DotForward = "dot products compute only the backward pass's weight gradient",
            NoAvx512 = "the direct kernels need AVX-512",
            NotAnAlgorithm = "the value is not a Conv2DAlgorithm member";

        /// <summary>Why the direct kernels do not apply to a shape's forward (<paramref name="forward"/>) or backward pass,
        /// or null when they do (on AVX-512).</summary>
        public static string? DirectUnsupported(int inChannels, int outChannels, int kernelHeight, int kernelWidth,
            int strideHeight, int strideWidth, int paddingHeight, int paddingWidth, bool forward)
        {
            if (IsPointwise(kernelHeight, kernelWidth, strideHeight, strideWidth, paddingHeight, paddingWidth))
                return Pointwise;
            if (strideHeight != 1 || strideWidth != 1) return Strided;
            if (inChannels > DirectMaxInChannels) return ManyInChannels;
            if (forward && outChannels < DirectForwardMinOutChannels) return FewOutChannels;
            return null;
        }

        /// <summary>Why im2col with a dot-product weight gradient cannot run a pass: the forward pass has no weight gradient.</summary>
        public static string? DotUnsupported(bool forward) => forward ? DotForward : null;

        /// <summary>The values of <c>Conv2DAlgorithm</c>'s members (the enum is defined from them).</summary>
        public const int Auto = 0, Im2Col = 1, Direct = 2, Im2ColDot = 3;

        /// <summary>Why <paramref name="algorithm"/> (a <c>Conv2DAlgorithm</c> value) cannot run a pass of a shape on a
        /// machine with (<paramref name="avx512"/>) or without AVX-512, or null where it can: the one rule the kernels
        /// check each call with and the generator checks each tuning-table entry with, for the instruction set the entry
        /// names.</summary>
        public static string? Unsupported(int algorithm, bool avx512, bool forward, int inChannels, int outChannels,
            int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, int paddingHeight, int paddingWidth)
        {
            switch (algorithm)
            {
                case Auto:
                case Im2Col:
                    return null;
                case Direct:
                    return avx512
                        ? DirectUnsupported(inChannels, outChannels, kernelHeight, kernelWidth, strideHeight, strideWidth, paddingHeight, paddingWidth, forward)
                        : NoAvx512;
                case Im2ColDot:
                    return DotUnsupported(forward);
                default:
                    return NotAnAlgorithm;
            }
        }
    }
}
