using NetGen.Kernels;

namespace NetGen.Tests.ConvKernels;

public class ConvolutionTests
{
    // batch, inC, H, W, outC, kH, kW, stride, padding
    public static TheoryData<int, int, int, int, int, int, int, int, int> Shapes => new()
    {
        { 1, 1, 5, 5, 1, 3, 3, 1, 0 },   // smallest square case
        { 2, 3, 7, 6, 4, 3, 3, 1, 1 },   // non-square input, padding 1
        { 3, 2, 9, 8, 5, 3, 3, 2, 1 },   // stride 2, padding 1
        { 2, 1, 12, 12, 6, 5, 5, 1, 2 }, // LeNet-5 C1 style: 1→6, 5×5, padding 2
        { 2, 2, 8, 7, 3, 2, 4, 2, 2 },   // non-square kernel, stride 2, padding 2
        { 2, 2, 4, 4, 3, 3, 3, 3, 2 },   // windows that are mostly padding
        { 1, 3, 5, 5, 2, 5, 5, 1, 0 },   // kernel as large as the input
        { 2, 4, 6, 5, 3, 1, 1, 1, 0 },   // pointwise: no im2col
        { 2, 3, 5, 5, 2, 1, 1, 2, 0 },   // 1×1 kernel with stride 2 (im2col path)
        { 2, 1, 20, 18, 6, 5, 5, 1, 2 }, // direct path: 6 channels, so the last block of 4 is shifted back
        { 1, 3, 17, 16, 5, 3, 3, 1, 1 }, // direct path: exactly one run of 16 columns
        { 2, 2, 6, 37, 4, 2, 3, 1, 0 },  // direct path: non-square kernel, 35 columns (shifted last run)
        { 1, 1, 24, 24, 4, 3, 3, 1, 1 }, // 576 output pixels: dw by dot products
    };

    // batch, inC, H, W, outC, kH, kW, padding (stride 1): odd sizes around the wide kernels' blocks — 4, 6 or 8 output
    // channels in the forward pass (the last block shifted back), 16-lane output-channel vectors in the weight gradient
    // from 16 channels up (else 4×4 blocks), 3 input channels in the input gradient, 48 wide positions.
    public static TheoryData<int, int, int, int, int, int, int, int> WideShapes => new()
    {
        { 1, 1, 28, 28, 6, 5, 5, 2 },  // LeNet-5 C1
        { 3, 6, 14, 14, 16, 5, 5, 0 }, // LeNet-5 C3
        { 2, 1, 5, 7, 1, 3, 3, 1 },    // one output channel: im2col forward, wide backward
        { 1, 2, 9, 11, 4, 3, 4, 1 },
        { 2, 3, 7, 6, 5, 2, 3, 2 },
        { 1, 4, 13, 10, 7, 3, 3, 0 },
        { 2, 5, 6, 17, 9, 1, 3, 0 },
        { 1, 8, 10, 9, 13, 3, 1, 1 },
        { 3, 2, 11, 5, 17, 5, 5, 2 },  // two channel vectors in the weight gradient, the second nearly empty
        { 1, 3, 4, 4, 33, 3, 3, 1 },
        { 2, 1, 45, 61, 8, 7, 7, 3 },  // many position blocks, a 7×7 kernel
        { 1, 7, 3, 3, 12, 3, 3, 0 },   // a 1×1 output
        { 1, 2, 1, 19, 6, 1, 5, 2 },   // one row (a 1-D convolution)
        { 2, 2, 4, 5, 20, 3, 3, 0 },   // 6 output pixels: too few for the 16×16 transposes of the output gradient
    };

    [Theory]
    [MemberData(nameof(WideShapes))]
    public void DirectAndIm2ColAlgorithms_MatchTheScalarOracle(int batch, int c, int h, int w, int o, int kh, int kw, int padding)
    {
        var s = new Conv2DShape(c, h, w, o, kh, kw, 1, padding);
        bool accelerated = Conv2D.Isa == VectorIsa.Avx512;
        Assert.Equal(accelerated, Conv2D.SupportsBackward(s, Conv2DAlgorithm.Direct));
        Assert.Equal(accelerated && o >= 4, Conv2D.SupportsForward(s, Conv2DAlgorithm.Direct));
        Assert.Equal(accelerated && o >= 4 ? Conv2DAlgorithm.Direct : Conv2DAlgorithm.Im2Col, Conv2D.ChooseForward(s));
        Assert.Equal(accelerated, Conv2D.ChooseBackward(s) == Conv2DAlgorithm.Direct);
        var rng = new Rng(13);
        var x = Reference.RandomFloats(batch * s.InputSize, ref rng);
        var wt = Reference.RandomFloats(s.WeightSize, ref rng, 0.5f);
        var b = Reference.RandomFloats(o, ref rng);
        double[] xd = Reference.ToDouble(x), wd = Reference.ToDouble(wt);
        var expected = Reference.Conv2D(s, batch, "Tanh", xd, wd, Reference.ToDouble(b));
        var all = new[] { Conv2DAlgorithm.Auto, Conv2DAlgorithm.Direct, Conv2DAlgorithm.Im2Col, Conv2DAlgorithm.Im2ColDot };
        foreach (var path in all.Where(a => Conv2D.SupportsForward(s, a)))
        {
            var y = Filled(batch * s.OutputSize);
            Conv2D.Forward<Tanh>(s, batch, x, wt, b, y, Filled(Conv2D.WorkspaceSize(s)), path);
            Reference.Close($"{path} y", expected, y);
            var plain = Filled(batch * s.OutputSize);
            Conv2D.Forward<Identity>(s, batch, x, wt, [], plain, Filled(Conv2D.WorkspaceSize(s)), path);
            Reference.Close($"{path} y without bias", Reference.Conv2D(s, batch, "Identity", xd, wd, null), plain);
        }
        var paths = all.Where(a => Conv2D.SupportsBackward(s, a)).ToArray();

        var yf = new float[batch * s.OutputSize];
        Conv2D.Forward<Tanh>(s, batch, x, wt, b, yf, new float[Conv2D.WorkspaceSize(s)]);
        var dy = Reference.RandomFloats(yf.Length, ref rng);
        var (dwExpected, dbExpected, dxExpected) = Reference.Conv2DBackward(s, batch, "Tanh", xd, wd, Reference.ToDouble(yf), Reference.ToDouble(dy));
        foreach (var path in paths)
        {
            var (dw, db, dx, g) = (Filled(s.WeightSize), Filled(o), Filled(x.Length), (float[])dy.Clone());
            Conv2D.Backward<Tanh>(s, batch, x, wt, yf, g, dw, db, dx, Filled(Conv2D.WorkspaceSize(s)), path);
            Reference.Close($"{path} dy ⊙ f′ in place", Enumerable.Range(0, dy.Length).Select(i => dy[i] * Reference.Derivative("Tanh", yf[i])).ToArray(), g);
            Reference.Close($"{path} dw", dwExpected, dw);
            Reference.Close($"{path} db", dbExpected, db);
            Reference.Close($"{path} dx", dxExpected, dx);
            var dwAlone = Filled(s.WeightSize);
            Conv2D.Backward<Tanh>(s, batch, x, wt, yf, (float[])dy.Clone(), dwAlone, [], [], Filled(Conv2D.WorkspaceSize(s)), path);
            Reference.Close($"{path} dw without db and dx", dwExpected, dwAlone);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_MatchesDirectReference(int batch, int c, int h, int w, int o, int kh, int kw, int stride, int padding)
    {
        var s = new Conv2DShape(c, h, w, o, kh, kw, stride, padding);
        foreach (var act in new[] { "Identity", "Relu", "Tanh", "Sigmoid" })
            CheckForward(s, batch, act, withBias: true, seed: 11);
        CheckForward(s, batch, "Relu", withBias: false, seed: 12);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Backward_MatchesFiniteDifferences(int batch, int c, int h, int w, int o, int kh, int kw, int stride, int padding)
    {
        var s = new Conv2DShape(c, h, w, o, kh, kw, stride, padding);
        CheckGradients(s, batch, "Tanh", withBias: true, withDx: true, seed: 21);
        CheckGradients(s, batch, "Relu", withBias: true, withDx: true, seed: 22);
        CheckGradients(s, batch, "Identity", withBias: false, withDx: false, seed: 23);
    }

    [Fact]
    public void DirectAlgorithm_OnlyForStrideOneWithFewInputChannels()
    {
        Assert.False(Conv2D.SupportsBackward(new Conv2DShape(9, 20, 20, 8, 3, 3, 1, 1), Conv2DAlgorithm.Direct));
        Assert.False(Conv2D.SupportsBackward(new Conv2DShape(1, 40, 40, 8, 3, 3, stride: 2), Conv2DAlgorithm.Direct));
        Assert.False(Conv2D.SupportsBackward(new Conv2DShape(4, 20, 20, 8, 1, 1), Conv2DAlgorithm.Direct));  // pointwise reads x as the patch matrix
        Assert.False(Conv2D.SupportsForward(new Conv2DShape(1, 20, 20, 3, 3, 3), Conv2DAlgorithm.Direct));  // fewer than 4 output channels
        Assert.True(Conv2D.SupportsForward(new Conv2DShape(1, 20, 20, 3, 3, 3), Conv2DAlgorithm.Im2Col));
        Assert.True(Conv2D.SupportsBackward(new Conv2DShape(9, 20, 20, 3, 1, 1), Conv2DAlgorithm.Im2Col));
        Assert.True(Conv2D.SupportsBackward(new Conv2DShape(9, 20, 20, 3, 1, 1), Conv2DAlgorithm.Im2ColDot));
        Assert.False(Conv2D.SupportsForward(new Conv2DShape(9, 20, 20, 3, 1, 1), Conv2DAlgorithm.Im2ColDot));
        // Auto's backward: direct where it applies, else dot products for ≥ 512 pixels and ≤ 4,096 weights.
        Assert.Equal(Conv2DAlgorithm.Im2ColDot, Conv2D.ChooseBackward(new Conv2DShape(9, 24, 24, 4, 3, 3, 1, 1)));
        Assert.Equal(Conv2DAlgorithm.Im2Col, Conv2D.ChooseBackward(new Conv2DShape(9, 20, 20, 4, 3, 3, 1, 1)));
        Assert.Equal(Conv2DAlgorithm.Im2Col, Conv2D.ChooseBackward(new Conv2DShape(9, 24, 24, 64, 3, 3, 1, 1)));
    }

    // inC, H, W, outC, k, stride, padding, pass that Direct cannot run ("forward" or "both"), words the message must contain
    [Theory]
    [InlineData(9, 10, 10, 8, 3, 1, 1, "both", "at most 8 input channels")]
    [InlineData(1, 12, 12, 8, 3, 2, 0, "both", "stride 1")]
    [InlineData(4, 6, 6, 8, 1, 1, 0, "both", "pointwise")]
    [InlineData(2, 9, 9, 3, 3, 1, 1, "forward", "at least 4 output channels")]
    public void ExplicitAlgorithmThatDoesNotApply_Throws(int c, int h, int w, int o, int k, int stride, int padding, string passes, string why)
    {
        var s = new Conv2DShape(c, h, w, o, k, k, stride, padding);
        const int batch = 2;
        var (x, wt, b, y) = (new float[batch * s.InputSize], new float[s.WeightSize], new float[o], new float[batch * s.OutputSize]);
        var (dy, dw, dx, ws) = (new float[y.Length], new float[wt.Length], new float[x.Length], new float[Conv2D.WorkspaceSize(s)]);
        // Without AVX-512 the direct kernels never apply, and the message says so instead.
        string expected = Conv2D.Isa == VectorIsa.Avx512 ? why : "AVX-512";
        var e = Assert.Throws<ArgumentException>(() => Conv2D.Forward<Relu>(s, batch, x, wt, b, y, ws, Conv2DAlgorithm.Direct));
        Assert.Equal("algorithm", e.ParamName);
        Assert.Contains(expected, e.Message);
        Assert.Contains("forward", e.Message);
        Assert.Throws<ArgumentException>(() => Conv1D.Forward<Relu>(new Conv1DShape(c, w, o, k, stride, padding), batch,
            new float[batch * c * w], wt, b, new float[batch * o * Conv1D.OutputSize(w, k, stride, padding)],
            new float[Conv1D.WorkspaceSize(new Conv1DShape(c, w, o, k, stride, padding))], Conv2DAlgorithm.Direct));
        if (passes == "both" || Conv2D.Isa != VectorIsa.Avx512)
        {
            e = Assert.Throws<ArgumentException>(() => Conv2D.Backward<Relu>(s, batch, x, wt, y, dy, dw, b, dx, ws, Conv2DAlgorithm.Direct));
            Assert.Contains(expected, e.Message);
            Assert.Contains("backward", e.Message);
        }
        else Conv2D.Backward<Relu>(s, batch, x, wt, y, dy, dw, b, dx, ws, Conv2DAlgorithm.Direct);
        Assert.Throws<ArgumentException>(() => Conv2D.Forward<Relu>(s, batch, x, wt, b, y, ws, (Conv2DAlgorithm)7));
        e = Assert.Throws<ArgumentException>(() => Conv2D.Forward<Relu>(s, batch, x, wt, b, y, ws, Conv2DAlgorithm.Im2ColDot));
        Assert.Contains("dot products compute only the backward pass's weight gradient", e.Message);
        Conv2D.Backward<Relu>(s, batch, x, wt, y, dy, dw, b, dx, ws, Conv2DAlgorithm.Im2ColDot);
    }

    [Fact]
    public void SeparateStridesAndPaddingsPerAxis()
    {
        var s = new Conv2DShape(2, 6, 7, 3, 3, 2, strideHeight: 2, strideWidth: 1, paddingHeight: 0, paddingWidth: 2);
        Assert.Equal((6 - 3) / 2 + 1, s.OutHeight);
        Assert.Equal(7 + 4 - 2 + 1, s.OutWidth);
        CheckForward(s, 2, "Sigmoid", withBias: true, seed: 31);
        CheckGradients(s, 2, "Sigmoid", withBias: true, withDx: true, seed: 32);
    }

    [Theory]
    [InlineData(1, 1, 9, 2, 3, 1, 0)]
    [InlineData(2, 3, 10, 4, 3, 1, 1)]
    [InlineData(3, 2, 11, 3, 4, 2, 2)]
    [InlineData(2, 4, 7, 5, 1, 1, 0)]
    [InlineData(2, 5, 37, 7, 5, 1, 2)]
    public void Conv1D_MatchesReferenceAndFiniteDifferences(int batch, int c, int length, int o, int k, int stride, int padding)
    {
        var s = new Conv1DShape(c, length, o, k, stride, padding);
        Assert.Equal((length + 2 * padding - k) / stride + 1, s.OutLength);
        var rng = new Rng(41);
        var x = Reference.RandomFloats(batch * s.InputSize, ref rng);
        var wt = Reference.RandomFloats(s.WeightSize, ref rng, 0.5f);
        var b = Reference.RandomFloats(o, ref rng);
        var ws = new float[Conv1D.WorkspaceSize(s)];
        double[] xd = Reference.ToDouble(x), wd = Reference.ToDouble(wt), bd = Reference.ToDouble(b);
        var r = Reference.ToDouble(Reference.RandomFloats(batch * s.OutputSize, ref rng));
        double Loss() => Reference.Dot(Reference.Conv1D(s, batch, "Tanh", xd, wd, bd), r);
        var (dxExpected, dwExpected, dbExpected) = (Reference.NumericGradient(xd, Loss), Reference.NumericGradient(wd, Loss), Reference.NumericGradient(bd, Loss));
        // Every algorithm that runs the backward pass of this shape (the direct kernels on a stride-1 shape, on AVX-512),
        // with the same one forward where it runs that too.
        foreach (var algorithm in new[] { Conv2DAlgorithm.Auto, Conv2DAlgorithm.Im2Col, Conv2DAlgorithm.Im2ColDot, Conv2DAlgorithm.Direct }
                     .Where(a => Conv2D.SupportsBackward(s.Plane, a)))
        {
            var y = new float[batch * s.OutputSize];
            Conv1D.Forward<Tanh>(s, batch, x, wt, b, y, ws, Conv2D.SupportsForward(s.Plane, algorithm) ? algorithm : Conv2DAlgorithm.Auto);
            Reference.Close($"{algorithm} y", Reference.Conv1D(s, batch, "Tanh", xd, wd, bd), y);

            var dy = Array.ConvertAll(r, v => (float)v);
            var dw = Filled(wt.Length); var db = Filled(o); var dx = Filled(x.Length);
            Conv1D.Backward<Tanh>(s, batch, x, wt, y, dy, dw, db, dx, ws, algorithm);
            Reference.Close($"{algorithm} dx", dxExpected, dx, 1e-4, 1e-3);
            Reference.Close($"{algorithm} dw", dwExpected, dw, 1e-4, 1e-3);
            Reference.Close($"{algorithm} db", dbExpected, db, 1e-4, 1e-3);
        }
    }

    [Fact]
    public void PartialBatch_LeavesTheRestOfTheBuffersAlone()
    {
        var s = new Conv2DShape(2, 6, 6, 3, 3, 3, 1, 1);
        const int maxBatch = 3, batch = 2;
        var rng = new Rng(51);
        var x = Reference.RandomFloats(maxBatch * s.InputSize, ref rng);
        var wt = Reference.RandomFloats(s.WeightSize, ref rng);
        var y = Filled(maxBatch * s.OutputSize, 7f);
        var dx = Filled(maxBatch * s.InputSize, 7f);
        var dy = Reference.RandomFloats(maxBatch * s.OutputSize, ref rng);
        var ws = new float[Conv2D.WorkspaceSize(s)];
        Conv2D.Forward<Relu>(s, batch, x, wt, ReadOnlySpan<float>.Empty, y, ws);
        Conv2D.Backward<Relu>(s, batch, x, wt, y, dy, new float[s.WeightSize], Span<float>.Empty, dx, ws);
        Assert.All(y[(batch * s.OutputSize)..], v => Assert.Equal(7f, v));
        Assert.All(dx[(batch * s.InputSize)..], v => Assert.Equal(7f, v));
        Assert.Contains(y[..(batch * s.OutputSize)], v => v != 7f);
    }

    [Theory]
    [InlineData(28, 5, 1, 2, 28)] // LeNet-5 C1
    [InlineData(14, 5, 1, 0, 10)] // LeNet-5 C3
    [InlineData(224, 11, 4, 2, 55)] // AlexNet conv1
    [InlineData(7, 3, 2, 1, 4)]
    [InlineData(8, 3, 2, 1, 4)]
    public void OutputSize_FollowsTheFloorRule(int input, int kernel, int stride, int padding, int expected)
    {
        Assert.Equal(expected, Conv2D.OutputSize(input, kernel, stride, padding));
        Assert.Equal(expected, Conv1D.OutputSize(input, kernel, stride, padding));
    }

    [Fact]
    public void WorkspaceSize_IsOneSamplesPatchMatrix_OrNothingWhenPointwise()
    {
        var s = new Conv2DShape(3, 10, 9, 4, 3, 3, 2, 1);
        Assert.Equal(3 * 3 * 3 * s.OutHeight * s.OutWidth, Conv2D.WorkspaceSize(s));
        Assert.Equal(0, Conv2D.WorkspaceSize(new Conv2DShape(3, 10, 9, 4, 1, 1)));
    }

    [Fact]
    public void BadShapesAndBuffers_ThrowWithAUsefulMessage()
    {
        var tooBig = Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2DShape(1, 4, 4, 2, 5, 5));
        Assert.Contains("larger than the padded input", tooBig.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2DShape(0, 4, 4, 2, 3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2DShape(1, 4, 4, 2, 3, 3, stride: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2DShape(1, 4, 4, 2, 3, 3, padding: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv1DShape(1, 4, 2, 7));

        var s = new Conv2DShape(1, 4, 4, 2, 3, 3);
        var shortY = Assert.Throws<ArgumentException>(() =>
            Conv2D.Forward<Relu>(s, 2, new float[32], new float[18], new float[2], new float[15], new float[Conv2D.WorkspaceSize(s)]));
        Assert.Equal("y", shortY.ParamName);
        Assert.Contains("needs 16", shortY.Message);
        var shortWs = Assert.Throws<ArgumentException>(() =>
            Conv2D.Forward<Relu>(s, 2, new float[32], new float[18], new float[2], new float[16], new float[3]));
        Assert.Equal("workspace", shortWs.ParamName);
    }

    private static float[] Filled(int n, float value = float.NaN)
    {
        var a = new float[n];
        Array.Fill(a, value);
        return a;
    }

    private static void CheckForward(in Conv2DShape s, int batch, string act, bool withBias, ulong seed)
    {
        var rng = new Rng(seed);
        var x = Reference.RandomFloats(batch * s.InputSize, ref rng);
        var w = Reference.RandomFloats(s.WeightSize, ref rng, 0.5f);
        var b = withBias ? Reference.RandomFloats(s.OutChannels, ref rng) : [];
        var y = Filled(batch * s.OutputSize);
        var ws = Filled(Conv2D.WorkspaceSize(s)); // stale workspace contents must not leak into the result
        Forward(act, s, batch, x, w, b, y, ws);
        var expected = Reference.Conv2D(s, batch, act, Reference.ToDouble(x), Reference.ToDouble(w), withBias ? Reference.ToDouble(b) : null);
        Reference.Close($"{act} y", expected, y);
    }

    private static void CheckGradients(in Conv2DShape s, int batch, string act, bool withBias, bool withDx, ulong seed)
    {
        var shape = s;
        var rng = new Rng(seed);
        var x = Reference.RandomFloats(batch * s.InputSize, ref rng);
        var w = Reference.RandomFloats(s.WeightSize, ref rng, 0.5f);
        var b = withBias ? Reference.RandomFloats(s.OutChannels, ref rng) : [];
        var y = new float[batch * s.OutputSize];
        var ws = Filled(Conv2D.WorkspaceSize(s));
        Forward(act, s, batch, x, w, b, y, ws);

        // Loss L = Σ y·r, so dL/dy = r.
        var r = Reference.ToDouble(Reference.RandomFloats(y.Length, ref rng));
        var dy = Array.ConvertAll(r, v => (float)v);
        var dw = Filled(w.Length);
        var db = withBias ? Filled(b.Length) : [];
        var dx = withDx ? Filled(x.Length) : [];
        Backward(act, s, batch, x, w, y, dy, dw, db, dx, ws);

        double[] xd = Reference.ToDouble(x), wd = Reference.ToDouble(w);
        double[]? bd = withBias ? Reference.ToDouble(b) : null;
        double Loss() => Reference.Dot(Reference.Conv2D(shape, batch, act, xd, wd, bd), r);
        Reference.Close($"{act} dw", Reference.NumericGradient(wd, Loss), dw, 1e-4, 1e-3);
        if (bd is not null) Reference.Close($"{act} db", Reference.NumericGradient(bd, Loss), db, 1e-4, 1e-3);
        if (withDx) Reference.Close($"{act} dx", Reference.NumericGradient(xd, Loss), dx, 1e-4, 1e-3);
    }

    private static void Forward(string act, in Conv2DShape s, int batch, float[] x, float[] w, float[] b, float[] y, float[] ws)
    {
        switch (act)
        {
            case "Identity": Conv2D.Forward<Identity>(s, batch, x, w, b, y, ws); break;
            case "Relu": Conv2D.Forward<Relu>(s, batch, x, w, b, y, ws); break;
            case "Tanh": Conv2D.Forward<Tanh>(s, batch, x, w, b, y, ws); break;
            case "Sigmoid": Conv2D.Forward<Sigmoid>(s, batch, x, w, b, y, ws); break;
            default: throw new ArgumentException(act);
        }
    }

    private static void Backward(string act, in Conv2DShape s, int batch, float[] x, float[] w, float[] y,
        float[] dy, float[] dw, float[] db, float[] dx, float[] ws)
    {
        switch (act)
        {
            case "Identity": Conv2D.Backward<Identity>(s, batch, x, w, y, dy, dw, db, dx, ws); break;
            case "Relu": Conv2D.Backward<Relu>(s, batch, x, w, y, dy, dw, db, dx, ws); break;
            case "Tanh": Conv2D.Backward<Tanh>(s, batch, x, w, y, dy, dw, db, dx, ws); break;
            case "Sigmoid": Conv2D.Backward<Sigmoid>(s, batch, x, w, y, dy, dw, db, dx, ws); break;
            default: throw new ArgumentException(act);
        }
    }
}
