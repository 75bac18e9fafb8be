using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NetGen.Kernels.GemmCore;

namespace NetGen.Kernels;

/// <summary>
/// The LSTM's per-step cell passes, shared by every path (16 and 8 lanes where the path's micro-kernel has them, else
/// 1), and the tile kernel of the scalar path. The recurrent products of the steps are made by direct micro-kernel
/// calls (<see cref="Lstm"/>), without GemmDriver's set-up per product.
/// </summary>
/// <remarks>
/// Measured on the char-LSTM (probe <c>lstm-ab</c>, old and new alternating in one process): running the cell update
/// per group of units right after each group's tile of the product (W_hh's gate columns interleaved per unit group,
/// as cuDNN's fused cell) cost 5–7% more in the cell passes than one pass per sample row over all units (each row's
/// lines are revisited once per group), more than the tile in L1 saved; so the product of a step goes to a
/// contiguous block and the pass runs per row.
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
        int count = hidden;
        float* xf = x + hidden, xg = x + 2 * hidden, xo = x + 3 * hidden;
        float* zf = z + hidden, zg = z + 2 * hidden, zo = z + 3 * hidden;
        float* uf = u + hidden, ug = u + 2 * hidden, uo = u + 3 * hidden;
        int j = 0;
        if (lanes >= 16 && Vector512.IsHardwareAccelerated)
        {
            // Two groups of 16 units per iteration, their activation chains side by side: 10% faster than one group
            // per iteration (probe lstm-ab), the long dependent chains of one group leaving the vector units idle.
            for (; j <= count - 32; j += 32)
            {
                var a = Gates(hidden, x, u, j);
                var b = Gates(hidden, x, u, j + 16);
                var ca = Cell(hidden, a, z, cPrev, c, j);
                var cb = Cell(hidden, b, z, cPrev, c, j + 16);
                var (ha, hb) = (a.O * CellMath.Tanh(ca), b.O * CellMath.Tanh(cb));
                ha.Store(h + j); ha.Store(hCopy + j);
                hb.Store(h + j + 16); hb.Store(hCopy + j + 16);
            }
            for (; j <= count - 16; j += 16)
            {
                var a = Gates(hidden, x, u, j);
                var hv = a.O * CellMath.Tanh(Cell(hidden, a, z, cPrev, c, j));
                hv.Store(h + j);
                hv.Store(hCopy + j);
            }
        }
        if (lanes >= 8 && Vector256.IsHardwareAccelerated)
            for (; j <= count - 8; j += 8)
            {
                var (zi, zfv, zgv, zov) = (Vector256.Load(x + j), Vector256.Load(xf + j), Vector256.Load(xg + j), Vector256.Load(xo + j));
                if (u != null) (zi, zfv, zgv, zov) = (zi + Vector256.Load(u + j), zfv + Vector256.Load(uf + j), zgv + Vector256.Load(ug + j), zov + Vector256.Load(uo + j));
                var (i, f, g, o) = (CellMath.Sigmoid(zi), CellMath.Sigmoid(zfv), CellMath.Tanh(zgv), CellMath.Sigmoid(zov));
                i.Store(z + j); f.Store(zf + j); g.Store(zg + j); o.Store(zo + j);
                var cv = cPrev == null ? i * g : Vector256.FusedMultiplyAdd(f, Vector256.Load(cPrev + j), i * g);
                cv.Store(c + j);
                var hv = o * CellMath.Tanh(cv);
                hv.Store(h + j);
                hv.Store(hCopy + j);
            }
        for (; j < count; j++)
        {
            bool add = u != null;
            float i = CellMath.Sigmoid(x[j] + (add ? u[j] : 0f)), f = CellMath.Sigmoid(xf[j] + (add ? uf[j] : 0f));
            float g = CellMath.Tanh(xg[j] + (add ? ug[j] : 0f)), o = CellMath.Sigmoid(xo[j] + (add ? uo[j] : 0f));
            z[j] = i; zf[j] = f; zg[j] = g; zo[j] = o;
            float cv = cPrev == null ? i * g : f * cPrev[j] + i * g;
            c[j] = cv;
            h[j] = hCopy[j] = o * CellMath.Tanh(cv);
        }
    }

    /// <summary>The gate values i, f, g, o of units [j, j + 16) from x + u (u null: x alone), gate blocks <paramref name="hidden"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> I, Vector512<float> F, Vector512<float> G, Vector512<float> O) Gates(int hidden, float* x, float* u, int j)
    {
        float* xj = x + j;
        var (zi, zf, zg, zo) = (Vector512.Load(xj), Vector512.Load(xj + hidden), Vector512.Load(xj + 2 * hidden), Vector512.Load(xj + 3 * hidden));
        if (u != null)
        {
            float* uj = u + j;
            (zi, zf, zg, zo) = (zi + Vector512.Load(uj), zf + Vector512.Load(uj + hidden), zg + Vector512.Load(uj + 2 * hidden), zo + Vector512.Load(uj + 3 * hidden));
        }
        return (CellMath.Sigmoid(zi), CellMath.Sigmoid(zf), CellMath.Tanh(zg), CellMath.Sigmoid(zo));
    }

    /// <summary>Stores the gate values of units [j, j + 16) to z and c_t = f ⊙ c_{t−1} + i ⊙ g (c_{t−1} null: zeros) to c; returns c_t.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Cell(int hidden, (Vector512<float> I, Vector512<float> F, Vector512<float> G, Vector512<float> O) gates,
        float* z, float* cPrev, float* c, int j)
    {
        var (i, f, g, o) = gates;
        float* zj = z + j;
        i.Store(zj); f.Store(zj + hidden); g.Store(zj + 2 * hidden); o.Store(zj + 3 * hidden);
        var cv = cPrev == null ? i * g : Vector512.FusedMultiplyAdd(f, Vector512.Load(cPrev + j), i * g);
        cv.Store(c + j);
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
        int count = hidden;
        float* zf = z + hidden, zg = z + 2 * hidden, zo = z + 3 * hidden;
        float* cf = dzCopy + hidden, cg = dzCopy + 2 * hidden, co = dzCopy + 3 * hidden;
        float* dbf = db + hidden, dbg = db + 2 * hidden, dbo = db + 3 * hidden;
        int j = 0;
        if (lanes >= 16 && Vector512.IsHardwareAccelerated)
        {
            var one = Vector512<float>.One;
            for (; j <= count - 16; j += 16)
            {
                var (i, f, g, o) = (Vector512.Load(z + j), Vector512.Load(zf + j), Vector512.Load(zg + j), Vector512.Load(zo + j));
                var tc = CellMath.Tanh(Vector512.Load(cell + j));
                var dhv = dy == null ? Vector512.Load(dh + j) : Vector512.Load(dh + j) + Vector512.Load(dy + j);
                var dcv = Vector512.FusedMultiplyAdd(dhv * o, one - tc * tc, Vector512.Load(dc + j));
                var cp = cPrev == null ? Vector512<float>.Zero : Vector512.Load(cPrev + j);
                var (di, df, dg, dO) = (dcv * g * i * (one - i), dcv * cp * f * (one - f), dcv * i * (one - g * g), dhv * tc * o * (one - o));
                if (keep) { di.Store(z + j); df.Store(zf + j); dg.Store(zg + j); dO.Store(zo + j); }
                di.Store(dzCopy + j); df.Store(cf + j); dg.Store(cg + j); dO.Store(co + j);
                (Vector512.Load(db + j) + di).Store(db + j);
                (Vector512.Load(dbf + j) + df).Store(dbf + j);
                (Vector512.Load(dbg + j) + dg).Store(dbg + j);
                (Vector512.Load(dbo + j) + dO).Store(dbo + j);
                (dcv * f).Store(dc + j);
            }
        }
        if (lanes >= 8 && Vector256.IsHardwareAccelerated)
        {
            var one = Vector256<float>.One;
            for (; j <= count - 8; j += 8)
            {
                var (i, f, g, o) = (Vector256.Load(z + j), Vector256.Load(zf + j), Vector256.Load(zg + j), Vector256.Load(zo + j));
                var tc = CellMath.Tanh(Vector256.Load(cell + j));
                var dhv = dy == null ? Vector256.Load(dh + j) : Vector256.Load(dh + j) + Vector256.Load(dy + j);
                var dcv = Vector256.FusedMultiplyAdd(dhv * o, one - tc * tc, Vector256.Load(dc + j));
                var cp = cPrev == null ? Vector256<float>.Zero : Vector256.Load(cPrev + j);
                var (di, df, dg, dO) = (dcv * g * i * (one - i), dcv * cp * f * (one - f), dcv * i * (one - g * g), dhv * tc * o * (one - o));
                if (keep) { di.Store(z + j); df.Store(zf + j); dg.Store(zg + j); dO.Store(zo + j); }
                di.Store(dzCopy + j); df.Store(cf + j); dg.Store(cg + j); dO.Store(co + j);
                (Vector256.Load(db + j) + di).Store(db + j);
                (Vector256.Load(dbf + j) + df).Store(dbf + j);
                (Vector256.Load(dbg + j) + dg).Store(dbg + j);
                (Vector256.Load(dbo + j) + dO).Store(dbo + j);
                (dcv * f).Store(dc + j);
            }
        }
        for (; j < count; j++)
        {
            float i = z[j], f = zf[j], g = zg[j], o = zo[j];
            float tc = CellMath.Tanh(cell[j]);
            float dhv = dy == null ? dh[j] : dh[j] + dy[j];
            float dcv = dc[j] + dhv * o * (1f - tc * tc);
            float cp = cPrev == null ? 0f : cPrev[j];
            float di = dcv * g * i * (1f - i), df = dcv * cp * f * (1f - f), dg = dcv * i * (1f - g * g), dO = dhv * tc * o * (1f - o);
            dzCopy[j] = di; cf[j] = df; cg[j] = dg; co[j] = dO;
            if (keep) { z[j] = di; zf[j] = df; zg[j] = dg; zo[j] = dO; }
            db[j] += di; dbf[j] += df; dbg[j] += dg; dbo[j] += dO;
            dc[j] = dcv * f;
        }
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
