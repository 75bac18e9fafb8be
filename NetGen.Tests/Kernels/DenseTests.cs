using NetGen.Kernels;

namespace NetGen.Tests.Kernels;

public class DenseTests
{
    private static readonly (int Batch, int Inputs, int Outputs)[] Shapes = [(1, 1, 1), (1, 33, 17), (3, 17, 33), (7, 65, 10), (64, 100, 40), (150, 20, 70)];
    private static readonly string[] Activations = ["Identity", "Relu", "Tanh", "Sigmoid"];

    public static IEnumerable<object[]> Cases()
    {
        foreach (var isa in Oracle.Paths())
            foreach (string act in Activations)
                foreach (var (batch, inputs, outputs) in Shapes)
                    foreach (bool bias in new[] { false, true })
                        yield return [isa.ToString(), act, batch, inputs, outputs, bias];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackwardMatchOracle(string path, string activation, int batch, int inputs, int outputs, bool bias)
    {
        var isa = Enum.Parse<GemmIsa>(path);
        switch (activation)
        {
            case "Identity": Check<Identity>(isa, batch, inputs, outputs, bias); break;
            case "Relu": Check<Relu>(isa, batch, inputs, outputs, bias); break;
            case "Tanh": Check<Tanh>(isa, batch, inputs, outputs, bias); break;
            default: Check<Sigmoid>(isa, batch, inputs, outputs, bias); break;
        }
    }

    private static void Check<TAct>(GemmIsa isa, int batch, int inputs, int outputs, bool withBias) where TAct : struct, IActivation
    {
        var x = Oracle.Uniform(batch * inputs, 11);
        var w = Oracle.Uniform(inputs * outputs, 12);
        var bias = withBias ? Oracle.Uniform(outputs, 13) : [];
        var dyIn = Oracle.Uniform(batch * outputs, 14);
        string what = $"{isa} {typeof(TAct).Name} {batch}×{inputs}→{outputs}";

        // Forward: act(x·w + bias), the activation applied in float as the kernels do; the vector exp may differ
        // from MathF.Exp by a few ulps, covered by the absolute tolerance.
        var pre = Oracle.Product(Form.AB, batch, outputs, inputs, x, w);
        var y = new double[pre.Length];
        for (int i = 0; i < pre.Length; i++) y[i] = TAct.Apply((float)(pre[i] + (withBias ? bias[i % outputs] : 0f)));
        var actual = new float[batch * outputs];
        Dense.Forward<TAct>(batch, inputs, outputs, x, w, bias, actual, isa);
        Oracle.AssertClose(y, actual, Oracle.Tolerance(inputs), what + " y");

        // Backward from the kernel's own y, so act′ sees the same values.
        var g = new double[dyIn.Length];
        for (int i = 0; i < g.Length; i++) g[i] = dyIn[i] * (double)TAct.Derivative(actual[i]);
        var gFloat = g.Select(v => (float)v).ToArray();
        var dw = Oracle.Product(Form.AtB, inputs, outputs, batch, x, gFloat);
        var dx = Oracle.Product(Form.ABt, batch, inputs, outputs, gFloat, w);
        var db = new double[outputs];
        for (int i = 0; i < g.Length; i++) db[i % outputs] += g[i];

        var dy = (float[])dyIn.Clone();
        var dwActual = Oracle.Uniform(inputs * outputs, 15); // overwritten, not accumulated
        var dbActual = withBias ? new float[outputs] : [];
        var dxActual = new float[batch * inputs];
        Dense.Backward<TAct>(batch, inputs, outputs, x, w, actual, dy, dwActual, dbActual, dxActual, isa);
        Oracle.AssertClose(g, dy, 1e-6, what + " dy⊙act′");
        Oracle.AssertClose(dw, dwActual, Oracle.Tolerance(batch), what + " dw");
        Oracle.AssertClose(dx, dxActual, Oracle.Tolerance(outputs), what + " dx");
        if (withBias) Oracle.AssertClose(db, dbActual, Oracle.Tolerance(batch), what + " db");
    }

    [Fact]
    public void BackwardWithoutDxLeavesInputGradientAlone()
    {
        const int batch = 5, inputs = 9, outputs = 4;
        var x = Oracle.Uniform(batch * inputs, 1);
        var w = Oracle.Uniform(inputs * outputs, 2);
        var y = Oracle.Uniform(batch * outputs, 3, 0.1f, 0.9f);
        var dy = Oracle.Uniform(batch * outputs, 4);
        var dw = new float[inputs * outputs];
        Dense.Backward<Sigmoid>(batch, inputs, outputs, x, w, y, dy, dw, [], []);
        var g = dy.Select(v => (float)v).ToArray();
        Oracle.AssertClose(Oracle.Product(Form.AtB, inputs, outputs, batch, x, g), dw, Oracle.Tolerance(batch), "dw");
    }

    [Fact]
    public void WrongSizesNameTheSpan()
    {
        var e = Assert.Throws<ArgumentException>(() => Dense.Forward<Relu>(2, 3, 4, new float[6], new float[12], new float[3], new float[8]));
        Assert.Equal("bias", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Dense.Backward<Relu>(2, 3, 4, new float[6], new float[12], new float[8], new float[8], new float[11], [], []));
        Assert.Equal("dw", e.ParamName);
    }
}
