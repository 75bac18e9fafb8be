using NetGen.Kernels;

namespace NetGen.Tests.ConvKernels;

public class PoolingTests
{
    // batch, channels, H, W, window, stride
    public static TheoryData<int, int, int, int, int, int> Shapes => new()
    {
        { 2, 3, 6, 6, 2, 2 },  // the usual 2×2/2
        { 1, 2, 7, 5, 2, 2 },  // odd sizes: the last row/column is dropped (floor)
        { 2, 2, 7, 6, 3, 2 },  // overlapping windows
        { 2, 1, 5, 8, 2, 1 },  // stride 1
        { 3, 2, 9, 9, 3, 3 },  // 3×3/3
        { 2, 2, 6, 28, 2, 2 }, // LeNet-5 S2 rows: 14 outputs, vector steps at 0 and 6 (shifted back)
        { 1, 1, 4, 65, 2, 2 }, // 32 output columns from an odd width: four vector steps
        { 2, 1, 4, 17, 2, 2 }, // exactly one vector step
        { 2, 3, 10, 10, 2, 2 }, // LeNet-5 S4 rows: 5 outputs, 128-bit steps at 0 and 1 (shifted back)
        { 1, 2, 8, 9, 2, 2 },  // exactly one 128-bit step (4 outputs)
        { 2, 1, 6, 15, 2, 2 }, // 7 outputs: the widest rows of the 128-bit path
        { 2, 2, 7, 19, 2, 2 }, // odd height and width on the 256-bit paths: the backward clears the unread row and column
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MaxPool_ForwardMatchesReference_ArgmaxPointsAtTheMaximum(int batch, int c, int h, int w, int window, int stride)
    {
        var s = new Pool2DShape(c, h, w, window, stride);
        Assert.Equal((h - window) / stride + 1, s.OutHeight);
        var rng = new Rng(61);
        var x = Reference.RandomFloats(batch * s.InputSize, ref rng);
        var y = new float[batch * s.OutputSize];
        var argmax = new int[y.Length];
        MaxPool2D.Forward(s, batch, x, y, argmax);
        Reference.Close("y", Reference.Pool2D(s, batch, max: true, Reference.ToDouble(x)), y, 0, 0);
        for (int i = 0; i < y.Length; i++)
        {
            int b = i / s.OutputSize;
            Assert.InRange(argmax[i], 0, s.InputSize - 1);
            Assert.Equal(y[i], x[b * s.InputSize + argmax[i]]);
        }

        var yNoArgmax = new float[y.Length];
        MaxPool2D.Forward(s, batch, x, yNoArgmax, Span<int>.Empty);
        Assert.Equal(y, yNoArgmax);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MaxPool_BackwardMatchesFiniteDifferences(int batch, int c, int h, int w, int window, int stride)
    {
        var s = new Pool2DShape(c, h, w, window, stride);
        var rng = new Rng(62);
        var x = Reference.RandomFloats(batch * s.InputSize, ref rng);
        var y = new float[batch * s.OutputSize];
        var argmax = new int[y.Length];
        MaxPool2D.Forward(s, batch, x, y, argmax);
        var r = Reference.ToDouble(Reference.RandomFloats(y.Length, ref rng));
        var dx = new float[x.Length];
        Array.Fill(dx, float.NaN);
        MaxPool2D.Backward(s, batch, argmax, Array.ConvertAll(r, v => (float)v), dx);
        var xd = Reference.ToDouble(x);
        var numeric = Reference.NumericGradient(xd, () => Reference.Dot(Reference.Pool2D(s, batch, max: true, xd), r));
        Reference.Close("dx", numeric, dx, 1e-6, 1e-5);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void AvgPool_ForwardAndBackwardMatchReference(int batch, int c, int h, int w, int window, int stride)
    {
        var s = new Pool2DShape(c, h, w, window, stride);
        var rng = new Rng(63);
        var x = Reference.RandomFloats(batch * s.InputSize, ref rng);
        var y = new float[batch * s.OutputSize];
        AvgPool2D.Forward(s, batch, x, y);
        var xd = Reference.ToDouble(x);
        Reference.Close("y", Reference.Pool2D(s, batch, max: false, xd), y);

        var r = Reference.ToDouble(Reference.RandomFloats(y.Length, ref rng));
        var dx = new float[x.Length];
        Array.Fill(dx, float.NaN);
        AvgPool2D.Backward(s, batch, Array.ConvertAll(r, v => (float)v), dx);
        var numeric = Reference.NumericGradient(xd, () => Reference.Dot(Reference.Pool2D(s, batch, max: false, xd), r));
        Reference.Close("dx", numeric, dx, 1e-6, 1e-5);
    }

    [Fact]
    public void MaxPool_TiesGoToTheFirstPosition()
    {
        var s = new Pool2DShape(1, 2, 2, 2, 2);
        var argmax = new int[1];
        var y = new float[1];
        MaxPool2D.Forward(s, 1, [1f, 3f, 3f, 3f], y, argmax);
        Assert.Equal(3f, y[0]);
        Assert.Equal(1, argmax[0]);
    }

    [Theory]
    [InlineData(2, 2, 2, 70)]  // 256-bit vector path for 2×2/2 on wide rows
    [InlineData(2, 2, 2, 13)]  // 128-bit vector path (6 outputs per row)
    [InlineData(3, 3, 2, 70)]  // scalar path
    public void MaxPool_TiesGoToTheFirstPositionInTheWindow(int channels, int window, int stride, int width)
    {
        var s = new Pool2DShape(channels, 8, width, window, stride);
        var rng = new Rng(64);
        var x = new float[2 * s.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextInt(3); // three levels: ties in most windows
        var y = new float[2 * s.OutputSize];
        var argmax = new int[y.Length];
        MaxPool2D.Forward(s, 2, x, y, argmax);
        int o = 0;
        for (int b = 0; b < 2; b++)
        for (int c = 0; c < channels; c++)
        for (int i = 0; i < s.OutHeight; i++)
        for (int j = 0; j < s.OutWidth; j++, o++)
        {
            int first = -1;
            for (int u = 0; u < window && first < 0; u++)
            for (int v = 0; v < window; v++)
            {
                int at = (c * s.Height + i * stride + u) * s.Width + j * stride + v;
                if (x[b * s.InputSize + at] == y[o]) { first = at; break; }
            }
            Assert.Equal(first, argmax[o]);
        }
    }

    [Fact]
    public void BadShapesAndBuffers_Throw()
    {
        var big = Assert.Throws<ArgumentOutOfRangeException>(() => new Pool2DShape(1, 3, 3, 4, 4));
        Assert.Contains("larger than the padded input", big.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Pool2DShape(1, 4, 4, 2, 0));
        var s = new Pool2DShape(1, 4, 4, 2, 2);
        var e = Assert.Throws<ArgumentException>(() => MaxPool2D.Forward(s, 2, new float[32], new float[8], new int[7]));
        Assert.Equal("argmax", e.ParamName);
    }
}
