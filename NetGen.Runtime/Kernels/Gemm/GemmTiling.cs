using System.Globalization;
using System.Text;

namespace NetGen.Kernels;

/// <summary>The loop order inside one k-block of a product (see <see cref="GemmTiling.Order"/>).</summary>
public enum GemmLoopOrder
{
    /// <summary>The driver's rule (<see cref="SliversOuter"/>).</summary>
    Rule = GemmRules.Rule,
    /// <summary>Each A sliver of up to 12 rows (AVX-512; 6 with AVX2) stays in L1 while it sweeps every B panel of the block.</summary>
    SliversOuter = GemmRules.SliversOuter,
    /// <summary>Each 32-column (16 with AVX2) B panel stays in L1 while every A sliver sweeps it; A is read in place.</summary>
    PanelsOuter = GemmRules.PanelsOuter,
}

/// <summary>How the driver reads an operand (see <see cref="GemmTiling.A"/> and <see cref="GemmTiling.B"/>).</summary>
public enum GemmOperand
{
    /// <summary>The driver's rule, by the operand's layout and the product's size.</summary>
    Rule = GemmRules.Rule,
    /// <summary>Copied, per k-block, into the layout the micro-kernel reads contiguously.</summary>
    Packed = GemmRules.Packed,
    /// <summary>Read where it lies (for B: only where its rows are contiguous).</summary>
    InPlace = GemmRules.InPlace,
}

/// <summary>Whether a product runs as C = A·B or as Cᵀ = Bᵀ·Aᵀ (see <see cref="GemmTiling.Transposition"/>).</summary>
public enum GemmTransposition
{
    /// <summary>The rule: A·Bᵀ with few rows and a long k runs transposed, where it has no epilogue and B is not read in place.</summary>
    Rule = GemmRules.Rule,
    /// <summary>C = A·B as given.</summary>
    Direct = GemmRules.Direct,
    /// <summary>Cᵀ = Bᵀ·Aᵀ: the operands swap roles and C is written transposed. Only without an epilogue.</summary>
    Transposed = GemmRules.Transposed,
}

/// <summary>
/// How one matrix product is blocked: the k-block <see cref="KC"/>, the column block <see cref="NC"/>, the loop
/// <see cref="Order"/> inside a k-block, whether each operand is packed, and whether the product runs transposed. Every
/// member's zero value means "the driver's rule", so <c>default</c> is today's blocking (KC = 256, NC = 512, slivers
/// outer, packing and transposition by shape). Choices describe the product as it runs: after a transposition its A is
/// the original Bᵀ and its B the original Aᵀ. Products of at most 4 rows run a row kernel that honours only
/// <see cref="KC"/>, and the scalar path (no AVX2) none of it.
/// <para>
/// Results depend only on <see cref="KC"/>: every element is summed per k-block of KC terms (one fused multiply-add
/// chain per block, the blocks added in order), so another KC changes results within rounding, while the other choices
/// and the number of threads leave them bit-identical. A tiling that cannot run a product (B read in place where its
/// rows are not contiguous, a packed A with <see cref="GemmLoopOrder.PanelsOuter"/>, a transposed run with an epilogue,
/// KC or NC out of bounds) makes the product throw an <see cref="ArgumentException"/> saying why.
/// </para>
/// </summary>
public readonly struct GemmTiling
{
    /// <summary>The k-block: 0 for the rule's 256, else 1 to 512 terms per block.</summary>
    public int KC { get; init; }

    /// <summary>The column block (columns of B packed, and of C swept, per k-block): 0 for the rule's 512, else 1 to 1,024.</summary>
    public int NC { get; init; }

    /// <summary>The loop order inside a k-block.</summary>
    public GemmLoopOrder Order { get; init; }

    /// <summary>How A is read.</summary>
    public GemmOperand A { get; init; }

    /// <summary>How B is read.</summary>
    public GemmOperand B { get; init; }

    /// <summary>Whether the product runs transposed.</summary>
    public GemmTransposition Transposition { get; init; }

    /// <summary>True when every choice is the rule's (<c>default</c>).</summary>
    public bool IsRule => KC == 0 && NC == 0 && Order == GemmLoopOrder.Rule && A == GemmOperand.Rule && B == GemmOperand.Rule
        && Transposition == GemmTransposition.Rule;

    /// <summary>The k-block in effect.</summary>
    internal int BlockK => KC == 0 ? GemmRules.DefaultKC : KC;

    /// <summary>The column block in effect.</summary>
    internal int BlockN => NC == 0 ? GemmRules.DefaultNC : NC;

    /// <summary>The choices other than the rule's, in a tuning table's words (<c>kc=392 order=panels b=inplace</c>), or <c>rule</c>.</summary>
    public override string ToString()
    {
        if (IsRule) return "rule";
        var text = new StringBuilder();
        void Add(string item) => text.Append(text.Length == 0 ? "" : " ").Append(item);
        if (KC != 0) Add("kc=" + KC.ToString(CultureInfo.InvariantCulture));
        if (NC != 0) Add("nc=" + NC.ToString(CultureInfo.InvariantCulture));
        if (Order != GemmLoopOrder.Rule) Add(Order == GemmLoopOrder.PanelsOuter ? "order=panels" : "order=slivers");
        if (A != GemmOperand.Rule) Add(A == GemmOperand.Packed ? "a=packed" : "a=inplace");
        if (B != GemmOperand.Rule) Add(B == GemmOperand.Packed ? "b=packed" : "b=inplace");
        if (Transposition != GemmTransposition.Rule) Add(Transposition == GemmTransposition.Transposed ? "transpose=yes" : "transpose=no");
        return text.ToString();
    }
}
