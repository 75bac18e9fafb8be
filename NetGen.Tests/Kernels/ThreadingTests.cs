using NetGen.Kernels;

namespace NetGen.Tests.Kernels;

/// <summary>These tests change the process-wide <see cref="Threading.MaxThreads"/>, so they run alone.</summary>
[CollectionDefinition(nameof(ThreadingTests), DisableParallelization = true)]
public class ThreadingCollection;

[Collection(nameof(ThreadingTests))]
public class ThreadingTests : IDisposable
{
    /// <summary>Every run of these tests is split: the pool's habit of keeping runs on the caller after hand-offs lost
    /// time (likely on a loaded test machine) is off while they run.</summary>
    public ThreadingTests() => NetGen.Kernels.GemmCore.WorkerPool.Adaptive = false;

    public void Dispose() => NetGen.Kernels.GemmCore.WorkerPool.Adaptive = true;

    [Fact]
    public void MaxThreadsRejectsZero()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Threading.MaxThreads = 0);
        Assert.Equal("MaxThreads", e.ParamName);
    }

    /// <summary>
    /// Column chunks (many panels), row chunks (one column panel, many rows), transposed operands, an A·Bᵀ run as
    /// (B·Aᵀ)ᵀ (its chunks cut the rows of C), odd sizes that are no multiple of the tiles, accumulation into C and a
    /// bias-and-ReLU epilogue: the result at 2 and 3 threads must equal the single-threaded one bit for bit (every
    /// element sums the same terms in the same order whichever chunk and thread computes it).
    /// </summary>
    [Theory]
    [InlineData(Form.AB, 96, 300, 160, false)]
    [InlineData(Form.ABt, 64, 200, 250, false)]
    [InlineData(Form.AtB, 1000, 20, 150, false)]
    [InlineData(Form.ABt, 24, 400, 600, false)]
    [InlineData(Form.AB, 257, 131, 67, true)]
    [InlineData(Form.AtB, 129, 257, 97, true)]
    [InlineData(Form.ABt, 65, 255, 193, true)]
    [InlineData(Form.AB, 13, 1000, 257, false)]
    [InlineData(Form.AtB, 785, 40, 80, true)]
    public void ThreadedEqualsSingleThreaded(Form form, int m, int n, int k, bool accumulate)
    {
        Assert.True((long)m * n * k >= Gemm.ParallelThreshold, "shape must be large enough to be split");
        var a = Oracle.Uniform(m * k, 21);
        var b = Oracle.Uniform(k * n, 22);
        var c0 = Oracle.Uniform(m * n, 23);
        var single = Run(1);
        Assert.Equal(single, Run(2));
        Assert.Equal(single, Run(3));
        var expected = Oracle.Product(form, m, n, k, a, b);
        if (accumulate)
            for (int i = 0; i < expected.Length; i++) expected[i] += c0[i];
        Oracle.AssertClose(expected, single, Oracle.Tolerance(k), form.ToString());

        float[] Run(int threads)
        {
            int saved = Threading.MaxThreads;
            Threading.MaxThreads = threads;
            try
            {
                var c = accumulate ? (float[])c0.Clone() : new float[m * n];
                switch (form)
                {
                    case Form.AB: Gemm.MatMul(m, n, k, a, b, c, accumulate); break;
                    case Form.AtB: Gemm.MatMulTransA(m, n, k, a, b, c, accumulate); break;
                    default: Gemm.MatMulTransB(m, n, k, a, b, c, accumulate); break;
                }
                return c;
            }
            finally
            {
                Threading.MaxThreads = saved;
            }
        }
    }

    /// <summary>A dense forward with bias and ReLU (the epilogue runs inside each chunk) at odd sizes: 1, 2 and 3 threads
    /// give the same bits.</summary>
    [Theory]
    [InlineData(64, 784, 256)]
    [InlineData(257, 131, 67)]
    [InlineData(37, 257, 255)]
    public void ThreadedEpilogueEqualsSingleThreaded(int m, int k, int n)
    {
        var x = Oracle.Uniform(m * k, 41);
        var w = Oracle.Uniform(k * n, 42);
        var bias = Oracle.Uniform(n, 43);
        var single = Run(1);
        Assert.Equal(single, Run(2));
        Assert.Equal(single, Run(3));

        float[] Run(int threads)
        {
            int saved = Threading.MaxThreads;
            Threading.MaxThreads = threads;
            try
            {
                var y = new float[m * n];
                Dense.Forward<Relu>(m, k, n, x, w, bias, y);
                return y;
            }
            finally
            {
                Threading.MaxThreads = saved;
            }
        }
    }

    /// <summary>
    /// After warm-up (worker threads, scratch buffers, and enough calls for tiered and on-stack-replacement JIT
    /// compilation, which runs on the calling thread and may allocate), a training step's kernels allocate nothing.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SteadyStateCallsAllocateNothing(int threads)
    {
        const int batch = 64, inputs = 784, hidden = 256, classes = 10;
        var x = Oracle.Uniform(batch * inputs, 31);
        var w1 = Oracle.Uniform(inputs * hidden, 32);
        var b1 = Oracle.Uniform(hidden, 33);
        var w2 = Oracle.Uniform(hidden * classes, 34);
        var b2 = Oracle.Uniform(classes, 35);
        var h = new float[batch * hidden];
        var logits = new float[batch * classes];
        var dLogits = new float[batch * classes];
        var dh = new float[batch * hidden];
        var dw1 = new float[inputs * hidden];
        var db1 = new float[hidden];
        var dw2 = new float[hidden * classes];
        var db2 = new float[classes];
        var labels = Enumerable.Range(0, batch).Select(i => i % classes).ToArray();
        var big = Oracle.Uniform(300 * 300, 36);
        var bigC = new float[300 * 300];

        void Step()
        {
            Dense.Forward<Relu>(batch, inputs, hidden, x, w1, b1, h);
            Dense.Forward<Identity>(batch, hidden, classes, h, w2, b2, logits);
            Losses.SoftmaxCrossEntropy(batch, classes, logits, labels, dLogits);
            Dense.Backward<Identity>(batch, hidden, classes, h, w2, logits, dLogits, dw2, db2, dh);
            Dense.Backward<Relu>(batch, inputs, hidden, x, w1, h, dh, dw1, db1, []);
            Losses.SquaredError(batch, classes, logits, logits, dLogits);
            Gemm.MatMul(300, 300, 300, big, big, bigC, false);
            Gemm.MatMulTransA(300, 300, 300, big, big, bigC, true);
            Gemm.MatMulTransB(300, 300, 300, big, big, bigC, true);
        }

        int saved = Threading.MaxThreads;
        Threading.MaxThreads = threads;
        try
        {
            for (int i = 0; i < 40; i++) Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 3; i++) Step();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        finally
        {
            Threading.MaxThreads = saved;
        }
    }

    /// <summary>
    /// The LSTM runs its recurrence in batch groups, one per thread (<see cref="Lstm.Groups"/>: 2 for batch 33, 4 for 64
    /// and for 129, whose groups are uneven): forward, backward and both token forms, with and without an initial
    /// state, must give the same bits at 1, 2 and 3 threads (the groups depend on the batch alone, and backward adds
    /// their weight and bias sums in group order), and a steady call allocates nothing.
    /// </summary>
    [Theory]
    [InlineData(33, 5, false)]
    [InlineData(64, 3, true)]
    [InlineData(129, 2, true)]
    public void LstmThreadedEqualsSingleThreaded(int batch, int steps, bool withState)
    {
        const int inputs = 6, hidden = 20, vocabulary = 9;
        Assert.True(Lstm.Groups(batch) > 1, "the batch must make several groups");
        int width = Lstm.Gates * hidden, rows = batch * steps, bh = batch * hidden;
        var x = Oracle.Uniform(rows * inputs, 51);
        var wIh = Oracle.Uniform(inputs * width, 52);
        var wHh = Oracle.Uniform(hidden * width, 53);
        var bIh = Oracle.Uniform(width, 54);
        var bHh = Oracle.Uniform(width, 55);
        var h0 = withState ? Oracle.Uniform(bh, 56) : [];
        var c0 = withState ? Oracle.Uniform(bh, 57) : [];
        var dy = Oracle.Uniform(rows * hidden, 58);
        var dhLast = withState ? Oracle.Uniform(bh, 59) : [];
        var table = Oracle.Uniform(vocabulary * inputs, 60);
        var tokens = Enumerable.Range(0, rows).Select(i => (float)(i * 7 % vocabulary)).ToArray();
        var single = Run(1);
        for (int threads = 2; threads <= 3; threads++)
        {
            var threaded = Run(threads);
            for (int i = 0; i < single.Length; i++) Assert.Equal(single[i], threaded[i]);
        }

        float[][] Run(int threads)
        {
            int saved = Threading.MaxThreads;
            Threading.MaxThreads = threads;
            try
            {
                var (gates, cells, hs, hLast, cLast) = (new float[rows * width], new float[rows * hidden], new float[rows * hidden], new float[bh], new float[bh]);
                var scratch = new float[Lstm.ScratchLength(batch, hidden)];
                var (dx, dwIh, dwHh, dbIh, dbHh, dh0, dc0) = (new float[rows * inputs], new float[wIh.Length], new float[wHh.Length],
                    new float[width], new float[width], withState ? new float[bh] : [], withState ? new float[bh] : []);
                Lstm.Forward(batch, steps, inputs, hidden, x, wIh, wHh, bIh, bHh, h0, c0, gates, cells, hs, hLast, cLast, scratch);
                float[][] plain = [(float[])hs.Clone(), (float[])cells.Clone(), (float[])hLast.Clone(), (float[])cLast.Clone()];
                Lstm.Backward(batch, steps, inputs, hidden, x, wIh, wHh, h0, c0, gates, cells, hs, dy, dhLast, [],
                    dx, dwIh, dwHh, dbIh, dbHh, dh0, dc0, scratch);
                plain = [.. plain, (float[])gates.Clone(), (float[])dx.Clone(), (float[])dwIh.Clone(), (float[])dwHh.Clone(),
                    (float[])dbIh.Clone(), (float[])dbHh.Clone(), (float[])dh0.Clone(), (float[])dc0.Clone()];

                var dTable = new float[table.Length];
                void TokenStep()
                {
                    Lstm.ForwardTokens(batch, steps, vocabulary, inputs, hidden, tokens, table, wIh, wHh, bIh, bHh, h0, c0, gates, cells, hs, hLast, cLast, scratch);
                    Lstm.BackwardTokens(batch, steps, vocabulary, inputs, hidden, tokens, table, wIh, wHh, h0, c0, gates, cells, hs, dy, dhLast, [],
                        dTable, dwIh, dwHh, dbIh, dbHh, dh0, dc0, scratch);
                }
                TokenStep();
                Assert.Equal(0, NetGen.Tests.Networks.Allocations.FewestBytes(TokenStep, 2));
                return [.. plain, hs, hLast, dTable, dwIh, dwHh, dbIh, dbHh, dh0, dc0];
            }
            finally
            {
                Threading.MaxThreads = saved;
            }
        }
    }

    /// <summary>
    /// <see cref="NetGen.Optimizers.Optimizer.Step"/> on more parameters than its threshold splits its update into
    /// ranges on the pool: at 2 and 3 threads the parameters and every state buffer must equal the single-threaded
    /// ones bit for bit, over three steps, for each update rule (range ends that are not multiples of 16 included), and
    /// a steady step allocates nothing.
    /// </summary>
    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("nesterov-decay")]
    [InlineData("adam")]
    [InlineData("adamw")]
    public void OptimizerStepThreadedEqualsSingleThreaded(string rule)
    {
        int count = 3 * NetGen.Optimizers.Optimizer.ParallelThreshold + 37;
        var gradients = Oracle.Uniform(count, 31);
        var single = Run(1);
        Assert.Equal(single, Run(2));
        Assert.Equal(single, Run(3));

        float[][] Run(int threads)
        {
            NetGen.Optimizers.Optimizer optimizer = rule switch
            {
                "sgd" => new NetGen.Optimizers.Sgd(count, 0.1f),
                "momentum" => new NetGen.Optimizers.Sgd(count, 0.1f, momentum: 0.9f),
                "nesterov-decay" => new NetGen.Optimizers.Sgd(count, 0.1f, momentum: 0.9f, nesterov: true, weightDecay: 1e-3f),
                "adam" => new NetGen.Optimizers.Adam(count, 1e-2f),
                _ => new NetGen.Optimizers.Adam(count, 1e-2f, weightDecay: 1e-2f, decoupledWeightDecay: true),
            };
            var parameters = Oracle.Uniform(count, 32);
            int saved = Threading.MaxThreads;
            Threading.MaxThreads = threads;
            try
            {
                for (int step = 0; step < 3; step++) optimizer.Step(parameters, gradients);
                long before = GC.GetAllocatedBytesForCurrentThread();
                optimizer.Step(parameters, gradients);
                Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            finally
            {
                Threading.MaxThreads = saved;
            }
            return [parameters, .. optimizer.State.Select(state => state.Values)];
        }
    }
}
