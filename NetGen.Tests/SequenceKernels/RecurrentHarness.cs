using NetGen.Kernels;

namespace NetGen.Tests.SequenceKernels;

public enum CellKind { Rnn, Lstm, Gru }

/// <summary>
/// One recurrent layer with every buffer its kernels need, so that the tests drive RNN, LSTM and GRU alike.
/// Parameters are in the kernels' layout (W_ih [F, G·H], W_hh [H, G·H]).
/// </summary>
internal sealed class RecurrentHarness
{
    public readonly CellKind Kind;
    public readonly int Batch, Steps, Inputs, Hidden, Width;
    public readonly float[] WIh, WHh, BIh, BHh, X;
    public float[] H0 = [], C0 = [];
    public readonly float[] Gates, Cells, Hn, Hs, HLast, CLast, Scratch;
    public readonly float[] DX, DWIh, DWHh, DBIh, DBHh, DH0, DC0;

    public RecurrentHarness(CellKind kind, int batch, int steps, int inputs, int hidden)
    {
        Kind = kind; Batch = batch; Steps = steps; Inputs = inputs; Hidden = hidden;
        int gates = kind switch { CellKind.Lstm => Lstm.Gates, CellKind.Gru => Gru.Gates, _ => 1 };
        Width = gates * hidden;
        int rows = batch * steps, bh = batch * hidden;
        WIh = new float[inputs * Width]; WHh = new float[hidden * Width];
        BIh = new float[Width]; BHh = new float[Width];
        X = new float[rows * inputs];
        Gates = new float[rows * Width];
        Cells = kind == CellKind.Lstm ? new float[rows * hidden] : [];
        Hn = kind == CellKind.Gru ? new float[rows * hidden] : [];
        Hs = new float[rows * hidden];
        HLast = new float[bh];
        CLast = kind == CellKind.Lstm ? new float[bh] : [];
        Scratch = new float[kind switch
        {
            CellKind.Lstm => Lstm.ScratchLength(batch, hidden),
            CellKind.Gru => Gru.ScratchLength(batch, hidden),
            _ => Rnn.ScratchLength(batch, hidden),
        }];
        DX = new float[rows * inputs];
        DWIh = new float[WIh.Length]; DWHh = new float[WHh.Length];
        DBIh = new float[Width]; DBHh = new float[Width];
        DH0 = new float[bh];
        DC0 = kind == CellKind.Lstm ? new float[bh] : [];
    }

    public bool HasCell => Kind == CellKind.Lstm;

    /// <summary>Random parameters, input and (when <paramref name="withState"/>) initial state.</summary>
    public RecurrentHarness Randomize(ulong seed, bool withState)
    {
        var rng = new Rng(seed);
        foreach (var a in new[] { WIh, WHh, BIh, BHh }) Fill(a, 0.5f, ref rng);
        Fill(X, 1f, ref rng);
        H0 = withState ? new float[Batch * Hidden] : [];
        C0 = withState && HasCell ? new float[Batch * Hidden] : [];
        Fill(H0, 0.5f, ref rng);
        Fill(C0, 0.5f, ref rng);
        return this;
    }

    public static void Fill(Span<float> a, float scale, ref Rng rng)
    {
        for (int i = 0; i < a.Length; i++) a[i] = scale * rng.NextGaussian();
    }

    public void Forward(bool withFinalState = true)
    {
        Span<float> hLast = withFinalState ? HLast : default, cLast = withFinalState ? CLast : default;
        switch (Kind)
        {
            case CellKind.Rnn:
                Rnn.Forward(Batch, Steps, Inputs, Hidden, X, WIh, WHh, BIh, BHh, H0, Gates, Hs, hLast, Scratch);
                break;
            case CellKind.Lstm:
                Lstm.Forward(Batch, Steps, Inputs, Hidden, X, WIh, WHh, BIh, BHh, H0, C0, Gates, Cells, Hs, hLast, cLast, Scratch);
                break;
            default:
                Gru.Forward(Batch, Steps, Inputs, Hidden, X, WIh, WHh, BIh, BHh, H0, Gates, Hn, Hs, hLast, Scratch);
                break;
        }
    }

    /// <summary>Backward for the upstream gradients given (empty: none); <paramref name="withDx"/> false skips dx.</summary>
    public void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> dhLast, ReadOnlySpan<float> dcLast, bool withDx = true)
    {
        Span<float> dx = withDx ? DX : default;
        Span<float> dh0 = H0.Length > 0 ? DH0 : default, dc0 = C0.Length > 0 ? DC0 : default;
        switch (Kind)
        {
            case CellKind.Rnn:
                Rnn.Backward(Batch, Steps, Inputs, Hidden, X, WIh, WHh, H0, Gates, Hs, dy, dhLast, dx, DWIh, DWHh, DBIh, DBHh, dh0, Scratch);
                break;
            case CellKind.Lstm:
                Lstm.Backward(Batch, Steps, Inputs, Hidden, X, WIh, WHh, H0, C0, Gates, Cells, Hs, dy, dhLast, dcLast,
                    dx, DWIh, DWHh, DBIh, DBHh, dh0, dc0, Scratch);
                break;
            default:
                Gru.Backward(Batch, Steps, Inputs, Hidden, X, WIh, WHh, H0, Gates, Hn, Hs, dy, dhLast, dx, DWIh, DWHh, DBIh, DBHh, dh0, Scratch);
                break;
        }
    }

    /// <summary>Every differentiable tensor with its gradient buffer, named as in PyTorch where there is a name.</summary>
    public IEnumerable<(string Name, float[] Value, float[] Gradient)> Tensors()
    {
        yield return ("x", X, DX);
        yield return ("weight_ih", WIh, DWIh);
        yield return ("weight_hh", WHh, DWHh);
        yield return ("bias_ih", BIh, DBIh);
        yield return ("bias_hh", BHh, DBHh);
        if (H0.Length > 0) yield return ("h0", H0, DH0);
        if (C0.Length > 0) yield return ("c0", C0, DC0);
    }
}
