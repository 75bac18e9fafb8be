using NetGen.Gpu;
using NetGen.Kernels;
using static NetGen.Tests.Gpu.GpuTestData;

namespace NetGen.Tests.Gpu;

/// <summary>The sequence kernels (embedding, LSTM, per-step dense and loss) on the device against NetGen.Kernels.</summary>
[Collection(GpuCollection.Name)]
public class GpuSequenceTests(GpuFixture fixture)
{
    private readonly GpuDevice _device = fixture.Device;

    private static float[] Tokens(int count, int vocabulary, ulong seed)
    {
        var rng = new Rng(seed);
        var tokens = new float[count];
        for (int i = 0; i < count; i++) tokens[i] = rng.NextInt(vocabulary);
        return tokens;
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(12, 5, 3)]   // more positions than tokens: repeated ids accumulate, some rows stay unused
    [InlineData(40, 37, 9)]
    public void Embedding_MatchesCpu(int count, int vocabulary, int dim)
    {
        var tokens = Tokens(count, vocabulary, 40);
        var table = Random(vocabulary * dim, 41); var dy = Random(count * dim, 42);
        var y = new float[count * dim]; var dTable = new float[table.Length];
        Embedding.Forward(count, vocabulary, dim, tokens, table, y);
        Embedding.Backward(count, vocabulary, dim, tokens, dy, dTable);

        using var gt = Upload<float>(_device, tokens); using var gtab = Upload<float>(_device, table);
        using var gy = _device.Allocate<float>(y.Length); using var gdy = Upload<float>(_device, dy);
        using var gdt = Upload<float>(_device, Random(table.Length, 43)); // stale values: Backward must overwrite all
        GpuEmbedding.Forward(_device, count, vocabulary, dim, gt.View, gtab.View, gy.View);
        GpuEmbedding.Backward(_device, count, vocabulary, dim, gt.View, gdy.View, gdt.View);
        AssertClose(y, Download(gy), 0f, "y");
        AssertClose(dTable, Download(gdt), 0f, "dTable"); // same additions in the same order
    }

    [Fact]
    public void Embedding_InvalidToken_GivesNaNRow()
    {
        using var gt = Upload<float>(_device, new[] { 1f, 3f, 0.5f }); using var gtab = Upload<float>(_device, Random(3 * 2, 44));
        using var gy = _device.Allocate<float>(6);
        GpuEmbedding.Forward(_device, 3, 3, 2, gt.View, gtab.View, gy.View);
        var y = Download(gy);
        Assert.False(float.IsNaN(y[0]) || float.IsNaN(y[1]));
        Assert.True(y[2..].All(float.IsNaN));
    }

    public static TheoryData<int, int, int, int, bool> LstmCases => new()
    {
        { 1, 1, 1, 1, false },
        { 3, 4, 5, 6, false },
        { 2, 5, 3, 9, true },   // initial state given, gradients out through dh0/dc0/dhLast/dcLast
        { 5, 3, 7, 17, true },
    };

    [Theory]
    [MemberData(nameof(LstmCases))]
    public void Lstm_MatchesCpu(int batch, int steps, int inputs, int hidden, bool state)
    {
        int width = 4 * hidden, rows = batch * steps, bh = batch * hidden;
        var x = Random(rows * inputs, 50); var wIh = Random(inputs * width, 51); var wHh = Random(hidden * width, 52);
        var bIh = Random(width, 53); var bHh = Random(width, 54);
        var h0 = state ? Random(bh, 55) : []; var c0 = state ? Random(bh, 56) : [];
        var dy = Random(rows * hidden, 57);
        var dhLast = state ? Random(bh, 58) : []; var dcLast = state ? Random(bh, 59) : [];
        string at = $"[B{batch} T{steps} F{inputs} H{hidden} state={state}] ";

        var gates = new float[rows * width]; var cells = new float[rows * hidden]; var hs = new float[rows * hidden];
        var hLast = new float[bh]; var cLast = new float[bh]; var scratch = new float[Lstm.ScratchLength(batch, hidden)];
        Lstm.Forward(batch, steps, inputs, hidden, x, wIh, wHh, bIh, bHh, h0, c0, gates, cells, hs, hLast, cLast, scratch);
        var savedGates = (float[])gates.Clone();
        var dx = new float[x.Length]; var dwIh = new float[wIh.Length]; var dwHh = new float[wHh.Length];
        var dbIh = new float[width]; var dbHh = new float[width];
        var dh0 = state ? new float[bh] : []; var dc0 = state ? new float[bh] : [];
        Lstm.Backward(batch, steps, inputs, hidden, x, wIh, wHh, h0, c0, gates, cells, hs, dy, dhLast, dcLast,
            dx, dwIh, dwHh, dbIh, dbHh, dh0, dc0, scratch);

        using var gx = Upload<float>(_device, x); using var gwIh = Upload<float>(_device, wIh); using var gwHh = Upload<float>(_device, wHh);
        using var gbIh = Upload<float>(_device, bIh); using var gbHh = Upload<float>(_device, bHh);
        using var gh0 = Upload<float>(_device, h0); using var gc0 = Upload<float>(_device, c0);
        using var gGates = _device.Allocate<float>(gates.Length); using var gCells = _device.Allocate<float>(cells.Length);
        using var gHs = _device.Allocate<float>(hs.Length); using var gScratch = _device.Allocate<float>(scratch.Length);
        using var ghLast = _device.Allocate<float>(bh); using var gcLast = _device.Allocate<float>(bh);
        GpuLstm.Forward(_device, batch, steps, inputs, hidden, gx.View, gwIh.View, gwHh.View, gbIh.View, gbHh.View, gh0.View, gc0.View,
            gGates.View, gCells.View, gHs.View, ghLast.View, gcLast.View, gScratch.View);
        const float tolerance = 1e-4f; // tanh and σ through exp2 on the device, steps of recurrence on top
        AssertClose(savedGates, Download(gGates), tolerance, at + "gates");
        AssertClose(cells, Download(gCells), tolerance, at + "cells");
        AssertClose(hs, Download(gHs), tolerance, at + "hs");
        AssertClose(hLast, Download(ghLast), tolerance, at + "hLast");
        AssertClose(cLast, Download(gcLast), tolerance, at + "cLast");

        // Backward from the CPU's saved buffers, so that the comparison isolates the backward kernels.
        gGates.CopyFrom(savedGates); gCells.CopyFrom(cells); gHs.CopyFrom(hs);
        using var gdy = Upload<float>(_device, dy); using var gdhLast = Upload<float>(_device, dhLast); using var gdcLast = Upload<float>(_device, dcLast);
        using var gdx = _device.Allocate<float>(dx.Length); using var gdwIh = _device.Allocate<float>(dwIh.Length);
        using var gdwHh = Upload<float>(_device, Random(dwHh.Length, 60)); // stale: Backward overwrites
        using var gdbIh = _device.Allocate<float>(width); using var gdbHh = _device.Allocate<float>(width);
        using var gdh0 = _device.Allocate<float>(dh0.Length); using var gdc0 = _device.Allocate<float>(dc0.Length);
        GpuLstm.Backward(_device, batch, steps, inputs, hidden, gx.View, gwIh.View, gwHh.View, gh0.View, gc0.View,
            gGates.View, gCells.View, gHs.View, gdy.View, gdhLast.View, gdcLast.View,
            gdx.View, gdwIh.View, gdwHh.View, gdbIh.View, gdbHh.View, gdh0.View, gdc0.View, gScratch.View);
        AssertClose(gates, Download(gGates), tolerance, at + "dgates");
        AssertClose(dx, Download(gdx), tolerance, at + "dx");
        AssertClose(dwIh, Download(gdwIh), tolerance, at + "dwIh");
        AssertClose(dwHh, Download(gdwHh), tolerance, at + "dwHh");
        AssertClose(dbIh, Download(gdbIh), tolerance, at + "dbIh");
        AssertClose(dbHh, Download(gdbHh), tolerance, at + "dbHh");
        AssertClose(dh0, Download(gdh0), tolerance, at + "dh0");
        AssertClose(dc0, Download(gdc0), tolerance, at + "dc0");
    }

    [Theory]
    [InlineData(1, 1, 1, 1, false)]
    [InlineData(3, 4, 5, 6, false)]
    [InlineData(5, 3, 7, 17, true)]
    public void Rnn_MatchesCpu(int batch, int steps, int inputs, int hidden, bool state)
    {
        int rows = batch * steps, bh = batch * hidden;
        var x = Random(rows * inputs, 60); var wIh = Random(inputs * hidden, 61); var wHh = Random(hidden * hidden, 62);
        var bIh = Random(hidden, 63); var bHh = Random(hidden, 64); var h0 = state ? Random(bh, 65) : [];
        var dy = Random(rows * hidden, 66); var dhLast = state ? Random(bh, 67) : [];
        string at = $"[B{batch} T{steps} F{inputs} H{hidden} state={state}] ";

        var gates = new float[rows * hidden]; var hs = new float[rows * hidden]; var hLast = new float[bh];
        var scratch = new float[Rnn.ScratchLength(batch, hidden)];
        Rnn.Forward(batch, steps, inputs, hidden, x, wIh, wHh, bIh, bHh, h0, gates, hs, hLast, scratch);
        var savedGates = (float[])gates.Clone();
        var dx = new float[x.Length]; var dwIh = new float[wIh.Length]; var dwHh = new float[wHh.Length];
        var dbIh = new float[hidden]; var dbHh = new float[hidden]; var dh0 = state ? new float[bh] : [];
        Rnn.Backward(batch, steps, inputs, hidden, x, wIh, wHh, h0, gates, hs, dy, dhLast, dx, dwIh, dwHh, dbIh, dbHh, dh0, scratch);

        using var gx = Upload<float>(_device, x); using var gwIh = Upload<float>(_device, wIh); using var gwHh = Upload<float>(_device, wHh);
        using var gbIh = Upload<float>(_device, bIh); using var gbHh = Upload<float>(_device, bHh); using var gh0 = Upload<float>(_device, h0);
        using var gGates = _device.Allocate<float>(gates.Length); using var gHs = _device.Allocate<float>(hs.Length);
        using var ghLast = _device.Allocate<float>(bh); using var gScratch = _device.Allocate<float>(scratch.Length);
        GpuRnn.Forward(_device, batch, steps, inputs, hidden, gx.View, gwIh.View, gwHh.View, gbIh.View, gbHh.View, gh0.View,
            gGates.View, gHs.View, ghLast.View, gScratch.View);
        const float tolerance = 1e-4f;
        AssertClose(savedGates, Download(gGates), tolerance, at + "gates");
        AssertClose(hs, Download(gHs), tolerance, at + "hs");
        AssertClose(hLast, Download(ghLast), tolerance, at + "hLast");

        gGates.CopyFrom(savedGates); gHs.CopyFrom(hs);
        using var gdy = Upload<float>(_device, dy); using var gdhLast = Upload<float>(_device, dhLast);
        using var gdx = _device.Allocate<float>(dx.Length); using var gdwIh = _device.Allocate<float>(dwIh.Length);
        using var gdwHh = Upload<float>(_device, Random(dwHh.Length, 68)); // stale: Backward overwrites
        using var gdbIh = _device.Allocate<float>(hidden); using var gdbHh = _device.Allocate<float>(hidden);
        using var gdh0 = _device.Allocate<float>(dh0.Length);
        GpuRnn.Backward(_device, batch, steps, inputs, hidden, gx.View, gwIh.View, gwHh.View, gh0.View, gGates.View, gHs.View,
            gdy.View, gdhLast.View, gdx.View, gdwIh.View, gdwHh.View, gdbIh.View, gdbHh.View, gdh0.View, gScratch.View);
        AssertClose(gates, Download(gGates), tolerance, at + "dgates");
        AssertClose(dx, Download(gdx), tolerance, at + "dx");
        AssertClose(dwIh, Download(gdwIh), tolerance, at + "dwIh");
        AssertClose(dwHh, Download(gdwHh), tolerance, at + "dwHh");
        AssertClose(dbIh, Download(gdbIh), tolerance, at + "dbIh");
        AssertClose(dbHh, Download(gdbHh), tolerance, at + "dbHh");
        AssertClose(dh0, Download(gdh0), tolerance, at + "dh0");
    }

    /// <summary>
    /// A per-step Dense over a <c>[B, T, F]</c> sequence and softmax cross-entropy at every step are the plain kernels
    /// over B·T rows, on both sides: logits, mean loss over all B·T steps and every gradient agree.
    /// </summary>
    [Fact]
    public void PerStepDenseAndLoss_MatchCpu()
    {
        const int batch = 3, steps = 7, features = 5, classes = 6, rows = batch * steps;
        var x = Random(rows * features, 70); var w = Random(features * classes, 71); var bias = Random(classes, 72);
        var rng = new Rng(73);
        var labels = new int[rows];
        for (int r = 0; r < rows; r++) labels[r] = rng.NextInt(classes);
        var z = new float[rows * classes]; var dz = new float[z.Length];
        var dw = new float[w.Length]; var db = new float[classes]; var dx = new float[x.Length];
        Dense.Forward<Identity>(rows, features, classes, x, w, bias, z);
        float loss = Losses.SoftmaxCrossEntropy(rows, classes, z, labels, dz);
        Dense.Backward<Identity>(rows, features, classes, x, w, z, dz, dw, db, dx);

        using var gx = Upload<float>(_device, x); using var gw = Upload<float>(_device, w); using var gb = Upload<float>(_device, bias);
        using var glab = Upload<int>(_device, labels); using var gz = _device.Allocate<float>(z.Length); using var gdz = _device.Allocate<float>(z.Length);
        using var gloss = _device.Allocate<float>(1); using var gdw = _device.Allocate<float>(w.Length);
        using var gdb = _device.Allocate<float>(classes); using var gdx = _device.Allocate<float>(x.Length);
        GpuDense.Forward<GpuIdentity>(_device, rows, features, classes, gx.View, gw.View, gb.View, gz.View);
        GpuLosses.SoftmaxCrossEntropy(_device, rows, classes, gz.View, glab.View, gdz.View, gloss.View);
        GpuDense.Backward<GpuIdentity>(_device, rows, features, classes, gx.View, gw.View, gz.View, gdz.View, gdw.View, gdb.View, gdx.View);
        AssertClose(z, Download(gz), what: "logits");
        AssertClose([loss], Download(gloss), 1e-5f, "loss");
        AssertClose(dz, Download(gdz), 1e-5f, "dlogits");
        AssertClose(dw, Download(gdw), 1e-5f, "dw");
        AssertClose(db, Download(gdb), 1e-5f, "dbias");
        AssertClose(dx, Download(gdx), 1e-5f, "dx");
    }
}
