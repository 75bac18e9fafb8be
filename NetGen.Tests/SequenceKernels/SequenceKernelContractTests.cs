using NetGen.Kernels;

namespace NetGen.Tests.SequenceKernels;

/// <summary>The kernels' contracts beyond the arithmetic: carried state, no allocation, skipped outputs, argument errors.</summary>
public class SequenceKernelContractTests
{
    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void CarryingFinalStateIntoInitialStateEqualsOneLongerSequence(CellKind kind)
    {
        const int batch = 2, half = 3, inputs = 3, hidden = 5;
        var whole = new RecurrentHarness(kind, batch, 2 * half, inputs, hidden).Randomize(seed: 5, withState: false);
        whole.Forward();

        var first = new RecurrentHarness(kind, batch, half, inputs, hidden);
        var second = new RecurrentHarness(kind, batch, half, inputs, hidden);
        foreach (var part in new[] { first, second })
        {
            whole.WIh.CopyTo(part.WIh, 0); whole.WHh.CopyTo(part.WHh, 0);
            whole.BIh.CopyTo(part.BIh, 0); whole.BHh.CopyTo(part.BHh, 0);
        }
        for (int b = 0; b < batch; b++)
        {
            Array.Copy(whole.X, b * 2 * half * inputs, first.X, b * half * inputs, half * inputs);
            Array.Copy(whole.X, (b * 2 + 1) * half * inputs, second.X, b * half * inputs, half * inputs);
        }
        first.Forward();
        second.H0 = (float[])first.HLast.Clone();
        second.C0 = (float[])first.CLast.Clone();
        second.Forward();

        for (int b = 0; b < batch; b++)
            for (int i = 0; i < half * hidden; i++)
                Assert.Equal(whole.Hs[(b * 2 + 1) * half * hidden + i], second.Hs[b * half * hidden + i], 1e-6f);
        Assert.Equal(whole.HLast.Length, second.HLast.Length);
        for (int i = 0; i < whole.HLast.Length; i++) Assert.Equal(whole.HLast[i], second.HLast[i], 1e-6f);
        Assert.Equal(whole.CLast.Length, second.CLast.Length);
        for (int i = 0; i < whole.CLast.Length; i++) Assert.Equal(whole.CLast[i], second.CLast[i], 1e-6f);
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void ForwardAndBackwardAllocateNothing(CellKind kind)
    {
        var layer = new RecurrentHarness(kind, batch: 4, steps: 6, inputs: 8, hidden: 16).Randomize(seed: 3, withState: true);
        var dy = new float[layer.Hs.Length];
        var rng = new Rng(4);
        RecurrentHarness.Fill(dy, 1f, ref rng);
        void Step()
        {
            layer.Forward();
            layer.Backward(dy, layer.HLast, layer.CLast);
        }
        Step(); // first calls JIT-compile and initialise statics
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void EmbeddingAllocatesNothing()
    {
        float[] tokens = [1, 0, 2, 2], table = new float[3 * 4], y = new float[16], dTable = new float[12];
        Embedding.Forward(4, 3, 4, tokens, table, y);
        Embedding.Backward(4, 3, 4, tokens, y, dTable);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Embedding.Forward(4, 3, 4, tokens, table, y);
        Embedding.Backward(4, 3, 4, tokens, y, dTable);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void SkippingDxLeavesWeightGradientsUnchanged(CellKind kind)
    {
        var layer = new RecurrentHarness(kind, batch: 2, steps: 3, inputs: 4, hidden: 3).Randomize(seed: 8, withState: false);
        var dy = new float[layer.Hs.Length];
        var rng = new Rng(9);
        RecurrentHarness.Fill(dy, 1f, ref rng);
        layer.Forward();
        layer.Backward(dy, [], []);
        var withDx = layer.Tensors().Skip(1).Select(t => (float[])t.Gradient.Clone()).ToList();
        Array.Fill(layer.DX, 7f);
        layer.Forward();
        layer.Backward(dy, [], [], withDx: false);
        Assert.All(layer.DX, v => Assert.Equal(7f, v));
        Assert.Equal(withDx, layer.Tensors().Skip(1).Select(t => t.Gradient));
    }

    [Fact]
    public void ShortBufferNamesTheArgument()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Lstm.Forward(2, 3, 4, 5, new float[24], new float[80], new float[100], new float[20], new float[20], [], [],
                gates: new float[119], cells: new float[30], hs: new float[30], [], [], new float[Lstm.ScratchLength(2, 5)]));
        Assert.Equal("gates", ex.ParamName);
        Assert.Contains("Lstm.Forward", ex.Message);
        Assert.Contains("needs 120", ex.Message);
    }

    [Theory]
    [InlineData(1.5f)]
    [InlineData(-1f)]
    [InlineData(3f)]
    public void EmbeddingRejectsTokensOutsideTheVocabulary(float bad)
    {
        float[] tokens = [0, bad], table = new float[3 * 2], y = new float[4];
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.Forward(2, 3, 2, tokens, table, y));
        Assert.Equal("tokens", ex.ParamName);
        Assert.Contains("position 1", ex.Message);
        Assert.Contains("[0, 3)", ex.Message);
    }
}
