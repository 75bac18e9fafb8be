using System.Runtime.CompilerServices;
using NetGen.Kernels.GemmCore;

namespace NetGen.Kernels;

/// <summary>
/// The LSTM's per-step cell passes, shared by every path (16 and 8 lanes where the path's micro-kernel has them, else
/// 1), and the tile kernel of the scalar path. The recurrent products of the steps are made by direct micro-kernel
/// calls (<see cref="Lstm"/>), without GemmDriver's set-up per product.
/// </summary>
/// <remarks>
/// Measured on the char-LSTM (old and new kernels alternating in one process, minimum thread CPU time): running the
/// cell update per group of units right after each group's tile of the product (W_hh's gate columns interleaved per
/// unit group, as cuDNN's fused cell) cost 5–7% more in the cell passes than one pass per sample row over all units
/// (each row's lines are revisited once per group), more than the tile in L1 saved; so the product of a step goes to
/// a contiguous block and the pass runs per row.
/// </remarks>
internal static unsafe class LstmCell
{
    /// <summary>
    /// One sample's step from its pre-activations x + u, each <c>[4H]</c> with gate blocks i, f, g, o of
    /// <paramref name="hidden"/> floats: x = the input projection with both biases, u = h_{t−1}·W_hh (null: zeros).
    /// Writes the gate values to z (same layout; z may be x), and from c_{t−1} (null: zeros)
    /// c_t = f ⊙ c_{t−1} + i ⊙ g and h_t = o ⊙ tanh c_t (to both h and hCopy). The same formulas on 16 and 8 lanes
    /// (up to <paramref name="lanes"/>) and on 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StepForward(int lanes, int hidden, float* x, float* u, float* z, float* cPrev, float* c, float* h, float* hCopy)
    {
        int j = 0;
        if (lanes >= 16 && Lanes16.IsAccelerated) j = Forward<Lanes16>(j, hidden, x, u, z, cPrev, c, h, hCopy);
        if (lanes >= 8 && Lanes8.IsAccelerated) j = Forward<Lanes8>(j, hidden, x, u, z, cPrev, c, h, hCopy);
        if (lanes >= 4 && Lanes4.IsAccelerated) j = Forward<Lanes4>(j, hidden, x, u, z, cPrev, c, h, hCopy);
        Forward<Lanes1>(j, hidden, x, u, z, cPrev, c, h, hCopy);
    }

    // StepForward from unit j on, T.Count units at a time; returns where it stopped. Two groups per iteration, their
    // activation chains side by side: 10% faster at 16 lanes than one group per iteration (measured as the remarks
    // say), the long dependent chains of one group leaving the vector units idle; four groups gained nothing more.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Forward<T>(int j, int hidden, float* x, float* u, float* z, float* cPrev, float* c, float* h, float* hCopy)
        where T : struct, ILanes<T>
    {
        int n = T.Count;
        for (; j <= hidden - 2 * n; j += 2 * n)
        {
            var a = Gates<T>(hidden, x, u, j);
            var b = Gates<T>(hidden, x, u, j + n);
            var ca = Cell<T>(hidden, a, z, cPrev, c, j);
            var cb = Cell<T>(hidden, b, z, cPrev, c, j + n);
            var (ha, hb) = (T.Multiply(a.O, T.Tanh(ca)), T.Multiply(b.O, T.Tanh(cb)));
            T.Store(ha, h + j); T.Store(ha, hCopy + j);
            T.Store(hb, h + j + n); T.Store(hb, hCopy + j + n);
        }
        for (; j <= hidden - n; j += n)
        {
            var a = Gates<T>(hidden, x, u, j);
            var hv = T.Multiply(a.O, T.Tanh(Cell<T>(hidden, a, z, cPrev, c, j)));
            T.Store(hv, h + j);
            T.Store(hv, hCopy + j);
        }
        return j;
    }

    // The gate values i, f, g, o of units [j, j + T.Count) from x + u (u null: x alone), gate blocks hidden apart.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (T I, T F, T G, T O) Gates<T>(int hidden, float* x, float* u, int j) where T : struct, ILanes<T>
    {
        float* xj = x + j;
        var (zi, zf, zg, zo) = (T.Load(xj), T.Load(xj + hidden), T.Load(xj + 2 * hidden), T.Load(xj + 3 * hidden));
        if (u != null)
        {
            float* uj = u + j;
            (zi, zf, zg, zo) = (T.Add(zi, T.Load(uj)), T.Add(zf, T.Load(uj + hidden)), T.Add(zg, T.Load(uj + 2 * hidden)), T.Add(zo, T.Load(uj + 3 * hidden)));
        }
        return (T.Sigmoid(zi), T.Sigmoid(zf), T.Tanh(zg), T.Sigmoid(zo));
    }

    // Stores the gate values of units [j, j + T.Count) to z and c_t = f ⊙ c_{t−1} + i ⊙ g (c_{t−1} null: zeros) to c;
    // returns c_t.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Cell<T>(int hidden, (T I, T F, T G, T O) gates, float* z, float* cPrev, float* c, int j) where T : struct, ILanes<T>
    {
        var (i, f, g, o) = gates;
        float* zj = z + j;
        T.Store(i, zj); T.Store(f, zj + hidden); T.Store(g, zj + 2 * hidden); T.Store(o, zj + 3 * hidden);
        var cv = cPrev == null ? T.Multiply(i, g) : T.FusedMultiplyAdd(f, T.Load(cPrev + j), T.Multiply(i, g));
        T.Store(cv, c + j);
        return cv;
    }

    /// <summary>
    /// One sample's step back through the cell (formulas on <see cref="Lstm.Backward"/>), from the gate values
    /// z = [i, f, g, o] (gate blocks <paramref name="hidden"/> floats apart), c_t, c_{t−1} (null: zeros), the recurrent
    /// part of dh and dy_t (null: zeros): the pre-activation gradients go to dzCopy (same layout), are added to db
    /// (same layout) and, when <paramref name="keep"/>, replace z; dc becomes the gradient w.r.t. c_{t−1}. The same
    /// formulas on 16 and 8 lanes (up to <paramref name="lanes"/>) and on 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StepBackward(int lanes, int hidden, float* z, bool keep, float* dzCopy, float* cell, float* cPrev,
        float* dh, float* dy, float* dc, float* db)
    {
        int j = 0;
        if (lanes >= 16 && Lanes16.IsAccelerated) j = Backward<Lanes16>(j, hidden, z, keep, dzCopy, cell, cPrev, dh, dy, dc, db);
        if (lanes >= 8 && Lanes8.IsAccelerated) j = Backward<Lanes8>(j, hidden, z, keep, dzCopy, cell, cPrev, dh, dy, dc, db);
        if (lanes >= 4 && Lanes4.IsAccelerated) j = Backward<Lanes4>(j, hidden, z, keep, dzCopy, cell, cPrev, dh, dy, dc, db);
        Backward<Lanes1>(j, hidden, z, keep, dzCopy, cell, cPrev, dh, dy, dc, db);
    }

    // StepBackward from unit j on, T.Count units at a time; returns where it stopped.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Backward<T>(int j, int hidden, float* z, bool keep, float* dzCopy, float* cell, float* cPrev,
        float* dh, float* dy, float* dc, float* db) where T : struct, ILanes<T>
    {
        var one = T.Create(1f);
        for (; j <= hidden - T.Count; j += T.Count)
        {
            float* zj = z + j, dzj = dzCopy + j, dbj = db + j;
            var (i, f, g, o) = (T.Load(zj), T.Load(zj + hidden), T.Load(zj + 2 * hidden), T.Load(zj + 3 * hidden));
            var tc = T.Tanh(T.Load(cell + j));
            var dhv = dy == null ? T.Load(dh + j) : T.Add(T.Load(dh + j), T.Load(dy + j));
            var dcv = T.FusedMultiplyAdd(T.Multiply(dhv, o), T.Subtract(one, T.Multiply(tc, tc)), T.Load(dc + j));
            var cp = cPrev == null ? T.Create(0f) : T.Load(cPrev + j);
            var di = T.Multiply(T.Multiply(T.Multiply(dcv, g), i), T.Subtract(one, i));
            var df = T.Multiply(T.Multiply(T.Multiply(dcv, cp), f), T.Subtract(one, f));
            var dg = T.Multiply(T.Multiply(dcv, i), T.Subtract(one, T.Multiply(g, g)));
            var dO = T.Multiply(T.Multiply(T.Multiply(dhv, tc), o), T.Subtract(one, o));
            if (keep) { T.Store(di, zj); T.Store(df, zj + hidden); T.Store(dg, zj + 2 * hidden); T.Store(dO, zj + 3 * hidden); }
            T.Store(di, dzj); T.Store(df, dzj + hidden); T.Store(dg, dzj + 2 * hidden); T.Store(dO, dzj + 3 * hidden);
            T.Store(T.Add(T.Load(dbj), di), dbj);
            T.Store(T.Add(T.Load(dbj + hidden), df), dbj + hidden);
            T.Store(T.Add(T.Load(dbj + 2 * hidden), dg), dbj + 2 * hidden);
            T.Store(T.Add(T.Load(dbj + 3 * hidden), dO), dbj + 3 * hidden);
            T.Store(T.Multiply(dcv, f), dc + j);
        }
        return j;
    }
}

/// <summary>
/// The tile kernel of the LSTM's per-step products without AVX2/FMA: the <see cref="IMicroKernel"/> contract with one
/// dot product per element (4×8 tiles; the cell passes then run on 1 lane).
/// </summary>
internal readonly unsafe struct ScalarTileKernel : IMicroKernel
{
    public static int MR => 4;
    public static int NR => 8;
    public static int Lanes => 1;

    public static void Run(int rows, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite) =>
        Tile(rows, NR, kc, a, rsA, csA, b, ldb, c, ldc, overwrite);

    public static void RunNarrow(int rows, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite) =>
        Tile(rows, Lanes, kc, a, rsA, csA, b, ldb, c, ldc, overwrite);

    private static void Tile(int rows, int columns, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite)
    {
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
            {
                float s = 0f;
                for (int p = 0; p < kc; p++) s += a[i * rsA + p * csA] * b[p * ldb + j];
                c[i * ldc + j] = overwrite ? s : c[i * ldc + j] + s;
            }
    }
}
