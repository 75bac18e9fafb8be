namespace NetGen.Kernels;

/// <summary>
/// Embedding lookup kernels. The table is <c>[vocabulary, dim]</c> row-major (PyTorch's <c>nn.Embedding.weight</c>
/// layout, stored untransposed); tokens arrive as floats holding integer ids, <c>count = batch × steps</c> of them,
/// and the output is <c>[count, dim]</c>, i.e. <c>[B, T, dim]</c> with the batch outermost.
/// </summary>
public static class Embedding
{
    /// <summary>y[i, :] = table[tokens[i], :] for i &lt; <paramref name="count"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A token is not an integer in <c>[0, vocabulary)</c>.</exception>
    public static void Forward(int count, int vocabulary, int dim,
        ReadOnlySpan<float> tokens, ReadOnlySpan<float> table, Span<float> y)
    {
        Recurrent.Require(tokens, count, nameof(tokens), "Embedding.Forward");
        Recurrent.Require(table, vocabulary * dim, nameof(table), "Embedding.Forward");
        Recurrent.Require(y, count * dim, nameof(y), "Embedding.Forward");
        for (int i = 0; i < count; i++)
        {
            int id = TokenId(tokens, i, vocabulary);
            table.Slice(id * dim, dim).CopyTo(y.Slice(i * dim, dim));
        }
    }

    /// <summary>
    /// dTable = Σᵢ onehot(tokens[i]) ⊗ dy[i, :]: the whole of <paramref name="dTable"/> is cleared, then every
    /// position's gradient row is added to its token's row, so repeated tokens accumulate and unused rows end as
    /// zero. Clearing everything (one memset of <c>vocabulary × dim</c> floats, cheap next to the layers above it)
    /// keeps the network's contract that each train step overwrites the gradients, with no record of which rows an
    /// earlier step touched.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A token is not an integer in <c>[0, vocabulary)</c>.</exception>
    public static void Backward(int count, int vocabulary, int dim,
        ReadOnlySpan<float> tokens, ReadOnlySpan<float> dy, Span<float> dTable)
    {
        Recurrent.Require(tokens, count, nameof(tokens), "Embedding.Backward");
        Recurrent.Require(dy, count * dim, nameof(dy), "Embedding.Backward");
        Recurrent.Require(dTable, vocabulary * dim, nameof(dTable), "Embedding.Backward");
        dTable.Slice(0, vocabulary * dim).Clear();
        for (int i = 0; i < count; i++)
        {
            int id = TokenId(tokens, i, vocabulary);
            Elementwise.AddTo(dTable.Slice(id * dim, dim), dy.Slice(i * dim, dim));
        }
    }

    /// <summary>PyTorch's default initialisation: every entry N(0, 1).</summary>
    public static void Initialize(Span<float> table, ref Rng rng)
    {
        for (int i = 0; i < table.Length; i++) table[i] = rng.NextGaussian();
    }

    /// <summary>The id held by <c>tokens[i]</c>, checked to be an integer in <c>[0, vocabulary)</c>.</summary>
    internal static int TokenId(ReadOnlySpan<float> tokens, int i, int vocabulary)
    {
        float token = tokens[i];
        int id = (int)token;
        if (id != token || (uint)id >= (uint)vocabulary)
            throw new ArgumentOutOfRangeException(nameof(tokens),
                $"Token {token} at position {i} is not an integer id in [0, {vocabulary}): check the data's vocabulary against the network's TokenInput.");
        return id;
    }
}
