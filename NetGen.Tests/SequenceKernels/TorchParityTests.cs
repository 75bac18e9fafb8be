using System.Text.Json;
using NetGen.Kernels;

namespace NetGen.Tests.SequenceKernels;

/// <summary>
/// The same weights and inputs through NetGen's kernels and through PyTorch 1.13 (nn.RNN, nn.LSTM, nn.GRU,
/// nn.Embedding; fixtures from tools/fixtures/recurrent_fixtures.py): outputs, final states and the gradients of a
/// fixed linear loss agree within 1e-4.
/// </summary>
public class TorchParityTests
{
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData(CellKind.Rnn, "sequence")]
    [InlineData(CellKind.Rnn, "last")]
    [InlineData(CellKind.Lstm, "sequence")]
    [InlineData(CellKind.Lstm, "last")]
    [InlineData(CellKind.Gru, "sequence")]
    [InlineData(CellKind.Gru, "last")]
    public void RecurrentLayerMatchesPyTorch(CellKind kind, string caseName)
    {
        var doc = TorchFixture.Load(kind.ToString().ToLowerInvariant());
        var layer = new RecurrentHarness(kind, doc.GetProperty("batch").GetInt32(), doc.GetProperty("steps").GetInt32(),
            doc.GetProperty("inputs").GetInt32(), doc.GetProperty("hidden").GetInt32());
        var parameters = doc.GetProperty("parameters");
        TorchFixture.Transposed(parameters.GetProperty("weight_ih_l0")).CopyTo(layer.WIh, 0);
        TorchFixture.Transposed(parameters.GetProperty("weight_hh_l0")).CopyTo(layer.WHh, 0);
        TorchFixture.Data(parameters.GetProperty("bias_ih_l0")).CopyTo(layer.BIh, 0);
        TorchFixture.Data(parameters.GetProperty("bias_hh_l0")).CopyTo(layer.BHh, 0);

        var entry = doc.GetProperty("cases").GetProperty(caseName);
        TorchFixture.Data(entry.GetProperty("x")).CopyTo(layer.X, 0);
        layer.H0 = Optional(entry, "h0");
        layer.C0 = Optional(entry, "c0");

        layer.Forward();
        string what = $"{kind} {caseName}";
        TorchFixture.AssertClose(TorchFixture.Data(entry.GetProperty("output")), layer.Hs, Tolerance, $"{what} output");
        TorchFixture.AssertClose(TorchFixture.Data(entry.GetProperty("h_n")), layer.HLast, Tolerance, $"{what} h_n");
        if (layer.HasCell)
            TorchFixture.AssertClose(TorchFixture.Data(entry.GetProperty("c_n")), layer.CLast, Tolerance, $"{what} c_n");

        layer.Backward(Optional(entry, "r_out"), Optional(entry, "r_h"), Optional(entry, "r_c"));
        var grad = entry.GetProperty("grad");
        int width = layer.Width;
        TorchFixture.AssertClose(TorchFixture.Data(entry.GetProperty("grad_x")), layer.DX, Tolerance, $"{what} grad x");
        TorchFixture.AssertClose(TorchFixture.Data(grad.GetProperty("weight_ih_l0")),
            TorchFixture.Transpose(layer.DWIh, layer.Inputs, width), Tolerance, $"{what} grad weight_ih_l0");
        TorchFixture.AssertClose(TorchFixture.Data(grad.GetProperty("weight_hh_l0")),
            TorchFixture.Transpose(layer.DWHh, layer.Hidden, width), Tolerance, $"{what} grad weight_hh_l0");
        TorchFixture.AssertClose(TorchFixture.Data(grad.GetProperty("bias_ih_l0")), layer.DBIh, Tolerance, $"{what} grad bias_ih_l0");
        TorchFixture.AssertClose(TorchFixture.Data(grad.GetProperty("bias_hh_l0")), layer.DBHh, Tolerance, $"{what} grad bias_hh_l0");
        if (layer.H0.Length > 0)
            TorchFixture.AssertClose(TorchFixture.Data(entry.GetProperty("grad_h0")), layer.DH0, Tolerance, $"{what} grad h0");
        if (layer.C0.Length > 0)
            TorchFixture.AssertClose(TorchFixture.Data(entry.GetProperty("grad_c0")), layer.DC0, Tolerance, $"{what} grad c0");
    }

    [Fact]
    public void EmbeddingMatchesPyTorch_UnusedRowsGetZeroGradient()
    {
        var doc = TorchFixture.Load("embedding");
        int vocabulary = doc.GetProperty("vocabulary").GetInt32(), dim = doc.GetProperty("dim").GetInt32();
        float[] table = TorchFixture.Data(doc.GetProperty("weight"));
        float[] tokens = TorchFixture.Data(doc.GetProperty("tokens"));
        var y = new float[tokens.Length * dim];
        Embedding.Forward(tokens.Length, vocabulary, dim, tokens, table, y);
        TorchFixture.AssertClose(TorchFixture.Data(doc.GetProperty("output")), y, Tolerance, "embedding output");

        var dTable = Enumerable.Repeat(123f, vocabulary * dim).ToArray(); // stale values from an earlier step
        Embedding.Backward(tokens.Length, vocabulary, dim, tokens, TorchFixture.Data(doc.GetProperty("r_out")), dTable);
        float[] expected = TorchFixture.Data(doc.GetProperty("grad_weight"));
        TorchFixture.AssertClose(expected, dTable, Tolerance, "embedding grad weight");
        for (int v = 0; v < vocabulary; v++)
            if (!tokens.Contains(v))
                Assert.All(dTable.AsSpan(v * dim, dim).ToArray(), g => Assert.Equal(0f, g));
    }

    private static float[] Optional(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var tensor) ? TorchFixture.Data(tensor) : [];
}
