namespace NetGen.Kernels;

/// <summary>
/// Single-precision matrix products on dense row-major matrices, the three forms backward needs.
/// Every form writes <c>C = A·B</c> (or adds it to C when <c>accumulate</c> is true).
/// </summary>
public static class Gemm
{
    /// <summary>C[m,n] (+)= A[m,k] · B[k,n].</summary>
    public static void MatMul(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            var ci = c.Slice(i * n, n);
            if (!accumulate) ci.Clear();
            for (int p = 0; p < k; p++)
            {
                float aip = a[i * k + p];
                var bp = b.Slice(p * n, n);
                for (int j = 0; j < n; j++) ci[j] += aip * bp[j];
            }
        }
    }

    /// <summary>C[m,n] (+)= Aᵀ · B, where A is stored as [k,m].</summary>
    public static void MatMulTransA(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
    {
        if (!accumulate) c.Slice(0, m * n).Clear();
        for (int p = 0; p < k; p++)
        {
            var bp = b.Slice(p * n, n);
            for (int i = 0; i < m; i++)
            {
                float api = a[p * m + i];
                var ci = c.Slice(i * n, n);
                for (int j = 0; j < n; j++) ci[j] += api * bp[j];
            }
        }
    }

    /// <summary>C[m,n] (+)= A · Bᵀ, where B is stored as [n,k].</summary>
    public static void MatMulTransB(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            var ai = a.Slice(i * k, k);
            for (int j = 0; j < n; j++)
            {
                var bj = b.Slice(j * k, k);
                float s = 0f;
                for (int p = 0; p < k; p++) s += ai[p] * bj[p];
                c[i * n + j] = accumulate ? c[i * n + j] + s : s;
            }
        }
    }
}
