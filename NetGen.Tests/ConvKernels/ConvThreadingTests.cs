using NetGen.Kernels;
using NetGen.Tests.Networks;

namespace NetGen.Tests.ConvKernels;

/// <summary>
/// The convolution and pooling kernels split large calls over <see cref="Threading.MaxThreads"/> threads; every result
/// must be the same bit for bit whatever their number. These tests change the process-wide setting, so they run in the
/// threading collection (alone).
/// </summary>
[Collection("ThreadingTests")]
public class ConvThreadingTests : IDisposable
{
    /// <summary>Every call is split while these tests run (see <see cref="NetGen.Kernels.GemmCore.WorkerPool.Adaptive"/>).</summary>
    public ConvThreadingTests() => NetGen.Kernels.GemmCore.WorkerPool.Adaptive = false;

    public void Dispose() => NetGen.Kernels.GemmCore.WorkerPool.Adaptive = true;

    // batch, inC, H, W, outC, kH, kW, padding (stride 1): odd shapes on the wide path, each with enough work to be split
    // (at least Conv2D.WideParallelFlops) and a batch of several sample groups of unequal sizes.
    public static TheoryData<int, int, int, int, int, int, int, int> Shapes => new()
    {
        { 21, 1, 31, 29, 6, 5, 5, 2 },  // C1-like: 4-by-3 weight-gradient blocks (two channel blocks), no 16-channel vectors
        { 15, 5, 19, 17, 7, 3, 5, 1 },  // three channel blocks, the last one partly padding; six-channel input gradient
        { 13, 6, 15, 13, 16, 5, 5, 0 }, // C3-like: one vector of 16 output channels
        { 13, 3, 23, 19, 17, 3, 3, 1 }, // two channel vectors, the second nearly empty
        { 401, 4, 5, 5, 20, 3, 3, 0 },  // 9 output pixels: the output gradient reaches the transposed one through dy_wide
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Conv2DWide_SameBitsOnOneTwoAndThreeThreads(int batch, int c, int h, int w, int o, int kh, int kw, int padding)
    {
        var s = new Conv2DShape(c, h, w, o, kh, kw, 1, padding);
        Assert.True(2L * batch * s.OutputSize * s.PatchSize >= Conv2D.WideParallelFlops, "shape must be large enough to be split");
        Assert.True(Conv2D.WideGroups(batch) >= 3, "the backward pass must have several sample groups");
        var rng = new Rng(17);
        var x = Reference.RandomFloats(batch * s.InputSize, ref rng);
        var wt = Reference.RandomFloats(s.WeightSize, ref rng, 0.5f);
        var b = Reference.RandomFloats(o, ref rng);
        var dy = Reference.RandomFloats(batch * s.OutputSize, ref rng);

        var one = Run(1, withInputGradient: true);
        foreach (int threads in new[] { 2, 3 })
        {
            var many = Run(threads, withInputGradient: true);
            for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], many[i]);
        }
        var first = Run(1, withInputGradient: false);
        Assert.Equal(first, Run(2, withInputGradient: false));
        Assert.Equal(one[1], first[1]); // dw does not depend on whether dx is asked for

        // The threaded results are the convolution: close to the im2col path.
        var y2 = new float[batch * s.OutputSize];
        Conv2D.Forward<Tanh>(s, batch, x, wt, b, y2, new float[Conv2D.WorkspaceSize(s)], Conv2DAlgorithm.Im2Col);
        var (dw2, db2, dx2, g2) = (new float[s.WeightSize], new float[o], new float[x.Length], (float[])dy.Clone());
        Conv2D.Backward<Tanh>(s, batch, x, wt, y2, g2, dw2, db2, dx2, new float[Conv2D.WorkspaceSize(s)], Conv2DAlgorithm.Im2Col);
        var threaded = Run(2, withInputGradient: true);
        foreach (var (name, expected, actual) in new[] { ("y", y2, threaded[0]), ("dw", dw2, threaded[1]), ("db", db2, threaded[2]),
                     ("dx", dx2, threaded[3]), ("dy ⊙ f′", g2, threaded[4]) })
            Reference.Close(name, Reference.ToDouble(expected), actual, 1e-4, 1e-3);

        float[][] Run(int threads, bool withInputGradient)
        {
            int saved = Threading.MaxThreads;
            Threading.MaxThreads = threads;
            try
            {
                var y = new float[batch * s.OutputSize];
                var workspace = new float[Conv2D.WorkspaceSize(s)];
                if (Conv2D.UsesWideForward(s)) Conv2D.Forward<Tanh>(s, batch, x, wt, b, y, workspace);
                else Conv2D.Forward<Tanh>(s, batch, x, wt, b, y, workspace, Conv2DAlgorithm.Im2Col);
                var (dw, db, dx, g) = (new float[s.WeightSize], new float[o], new float[x.Length], (float[])dy.Clone());
                Array.Fill(dw, float.NaN);
                Array.Fill(db, float.NaN);
                Array.Fill(dx, float.NaN);
                if (withInputGradient) Conv2D.Backward<Tanh>(s, batch, x, wt, y, g, dw, db, dx, workspace);
                else Conv2D.Backward<Tanh>(s, batch, x, wt, y, g, dw, [], [], workspace);
                return [y, dw, db, dx, g];
            }
            finally
            {
                Threading.MaxThreads = saved;
            }
        }
    }

    // batch, channels, H, W, window, stride: each at least MaxPool2D.ParallelInputs input floats.
    [Theory]
    [InlineData(67, 6, 28, 28, 2, 2)]  // LeNet-5 S2 rows (256-bit paths, windows written outright)
    [InlineData(301, 16, 9, 11, 2, 2)] // 128-bit forward, odd height and width, scatter backward
    [InlineData(53, 3, 29, 31, 3, 2)]  // overlapping windows: scalar forward, scatter backward that adds up
    public void MaxPool_SameBitsOnOneTwoAndThreeThreads(int batch, int c, int h, int w, int window, int stride)
    {
        var s = new Pool2DShape(c, h, w, window, stride);
        Assert.True((long)batch * s.InputSize >= MaxPool2D.ParallelInputs, "shape must be large enough to be split");
        var rng = new Rng(71);
        var x = Reference.RandomFloats(batch * s.InputSize, ref rng);
        var dy = Reference.RandomFloats(batch * s.OutputSize, ref rng);
        var one = Run(1);
        Reference.Close("y", Reference.Pool2D(s, batch, max: true, Reference.ToDouble(x)), one.Y, 0, 0);
        foreach (int threads in new[] { 2, 3 })
        {
            var many = Run(threads);
            Assert.Equal(one.Y, many.Y);
            Assert.Equal(one.Argmax, many.Argmax);
            Assert.Equal(one.Dx, many.Dx);
        }

        (float[] Y, int[] Argmax, float[] Dx) Run(int threads)
        {
            int saved = Threading.MaxThreads;
            Threading.MaxThreads = threads;
            try
            {
                var y = new float[batch * s.OutputSize];
                var argmax = new int[y.Length];
                var dx = new float[x.Length];
                Array.Fill(dx, float.NaN);
                MaxPool2D.Forward(s, batch, x, y, argmax);
                MaxPool2D.Backward(s, batch, argmax, dy, dx);
                return (y, argmax, dx);
            }
            finally
            {
                Threading.MaxThreads = saved;
            }
        }
    }

    /// <summary>LeNet-5 at batch 64 splits its convolutions and pooling; with one, two or three threads a train step
    /// still allocates nothing once warm (the per-thread scratch lies in the workspace the network allocated).</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void LeNet5TrainStepAllocatesNothing(int threads)
    {
        int saved = Threading.MaxThreads;
        Threading.MaxThreads = threads;
        try
        {
            NetworkBehaviourTests.AssertStepsAllocateNothing(new LeNet5(64, seed: 1));
        }
        finally
        {
            Threading.MaxThreads = saved;
        }
    }
}
