// Compiled into NetGen.Runtime and, as a linked source file, into NetGen.Generator (netstandard2.0), so that the
// generator checks a tuning table's GEMM tilings with the very rule the kernels apply: keep it plain C# over ints.
namespace NetGen.Kernels
{
    /// <summary>
    /// The blocking a product runs with (<c>GemmTiling</c>): the defaults, the bounds, the values of its choices, and the
    /// one rule that says whether a tiling can run a product.
    /// </summary>
    internal static class GemmRules
    {
        /// <summary>The rule's k-block: a 12×256 A sliver (12 KB) stays in L1 while 32-column B panels of 32 KB stream from L2.</summary>
        public const int DefaultKC = 256;

        /// <summary>The rule's column block: the packed KC×NC block of B is 512 KB, resident in L2 while all slivers sweep it.</summary>
        public const int DefaultNC = 512;

        /// <summary>The largest k-block a tiling may ask for (the per-thread scratch holds a packed KC×NC block of B).</summary>
        public const int MaxKC = 512;

        /// <summary>The largest column block a tiling may ask for.</summary>
        public const int MaxNC = 1024;

        /// <summary>Every choice's value 0: the driver's rule decides.</summary>
        public const int Rule = 0;

        /// <summary>Loop orders inside a k-block: each A sliver of MR rows stays in L1 while it sweeps every B panel (the
        /// rule's order), or each B panel stays in L1 while every A sliver sweeps it.</summary>
        public const int SliversOuter = 1, PanelsOuter = 2;

        /// <summary>How an operand is read: copied into the micro-kernel's layout first, or read where it lies.</summary>
        public const int Packed = 1, InPlace = 2;

        /// <summary>Whether the product runs as C = A·B or as Cᵀ = Bᵀ·Aᵀ.</summary>
        public const int Direct = 1, Transposed = 2;

        // The reasons are built once: the kernels ask on every call with a tiling and must not allocate.
        private static readonly string BadKC = "KC must be 0 (the rule's " + DefaultKC + ") or 1 to " + MaxKC,
            BadNC = "NC must be 0 (the rule's " + DefaultNC + ") or 1 to " + MaxNC,
            BadOrder = "the loop order is not a GemmLoopOrder member",
            BadOperand = "an operand's packing is not a GemmOperand member",
            BadTransposition = "the transposition is not a GemmTransposition member",
            PackedAPanelsOuter = "the panel-outer order reads A in place (a packed A would have to hold every sliver of the k-block)",
            InPlaceB = "B read in place needs B's rows contiguous (a row-major B, or, run transposed, a transposed A)",
            TransposedEpilogue = "a product run transposed has no epilogue (bias, activation or optimizer update)";

        /// <summary>
        /// Why a tiling (<paramref name="kc"/>, <paramref name="nc"/>, <paramref name="order"/>, <paramref name="a"/>,
        /// <paramref name="b"/>, <paramref name="transposition"/>: the values above) cannot run a product, or null where it
        /// can. The product is C = A·B with B's rows contiguous (<paramref name="bRowsContiguous"/>: B(p,j) at p·ldb + j) or
        /// not, A's columns contiguous (<paramref name="aColumnsContiguous"/>: A stored [k,m]) or not, and an epilogue
        /// (<paramref name="epilogue"/>: bias, activation or optimizer update) or none. The packing and the order describe
        /// the product as it runs: after a transposition its A is Bᵀ and its B is Aᵀ.
        /// </summary>
        public static string? Unsupported(int kc, int nc, int order, int a, int b, int transposition,
            bool aColumnsContiguous, bool bRowsContiguous, bool epilogue)
        {
            if (kc < 0 || kc > MaxKC) return BadKC;
            if (nc < 0 || nc > MaxNC) return BadNC;
            if (order < Rule || order > PanelsOuter) return BadOrder;
            if (a < Rule || a > InPlace || b < Rule || b > InPlace) return BadOperand;
            if (transposition < Rule || transposition > Transposed) return BadTransposition;
            if (order == PanelsOuter && a == Packed) return PackedAPanelsOuter;
            if (transposition == Transposed && epilogue) return TransposedEpilogue;
            // The rule's transposition never runs a product whose B the tiling reads in place (see Gemm.Transposes).
            bool runRowsContiguous = transposition == Transposed ? aColumnsContiguous : bRowsContiguous;
            if (b == InPlace && !runRowsContiguous) return InPlaceB;
            return null;
        }
    }
}
