using System.Diagnostics;
using System.Globalization;
using ILGPU;
using NetGen.Gpu;
using NetGen.Kernels;
using NetGen.Optimizers;

namespace NetGen.Benchmarks;

/// <summary>A small MLP with every activation, for the training check and for timings with <c>--small</c>.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class GpuCheckMlp
{
    [Input(32)]                        public partial Layer X { get; }
    [Dense(24), Tanh]                  public partial Layer H1 { get; }
    [Dense(16), Relu]                  public partial Layer H2 { get; }
    [Dense(12, Bias = false), Sigmoid] public partial Layer H3 { get; }
    [Dense(10)]                        public partial Layer Logits { get; }
}

/// <summary>A small ConvNet with both poolings, a strided convolution and Flatten, for the training check and <c>--small</c> timings.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class GpuCheckConvNet
{
    [Input(2, 12, 12)]                                     public partial Layer Image { get; }
    [Conv2D(4, Kernel = 3, Padding = 1), Tanh]             public partial Layer C1 { get; }
    [MaxPool2D(2)]                                         public partial Layer S2 { get; }
    [Conv2D(6, Kernel = 3, Stride = 2, Padding = 1), Relu] public partial Layer C3 { get; }
    [AvgPool2D(3)]                                         public partial Layer S4 { get; }
    [Flatten]                                              public partial Layer Flat { get; }
    [Dense(10)]                                            public partial Layer Logits { get; }
}

/// <summary>The char-LSTM timed by <c>--gpu-check</c>: NetGen.Samples' CharLstm (as benchmarks/gpu/torch_char_lstm.py).</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class GpuBenchCharLstm
{
    [TokenInput(Vocabulary = 128, Length = 64)] public partial Layer Text { get; }
    [Embedding(64)]                             public partial Layer Embed { get; }
    [Lstm(256)]                                 public partial Layer Memory { get; }
    [Dense(128)]                                public partial Layer Logits { get; }
}

/// <summary>A small char-LSTM, for the training check and for timings with <c>--small</c>.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class GpuCheckCharLstm
{
    [TokenInput(Vocabulary = 13, Length = 8)] public partial Layer Text { get; }
    [Embedding(6)]                            public partial Layer Embed { get; }
    [Lstm(10)]                                public partial Layer Memory { get; }
    [Dense(13)]                               public partial Layer Logits { get; }
}

/// <summary>
/// <c>--gpu-check [--small] [--steps N]</c>: prints the device, checks every GPU kernel and a few training steps of a
/// generated GPU twin (an MLP, a ConvNet and a char-LSTM) against the CPU code (|gpu − cpu| ≤ 1e-4·(1 + |cpu|)), then
/// times MLP, LeNet-5 and char-LSTM train steps (upload,
/// forward, loss, backward, SGD-momentum update, loss read) on the device and on the CPU in the same run. Without
/// <c>--small</c> it needs a CUDA device and uses the real shapes (batches 64/256/1024); with <c>--small</c> it runs
/// small shapes on whatever ILGPU finds (the CPU accelerator here). Exit code 1 when a check fails.
/// </summary>
public static class GpuCheck
{
    private const float Tolerance = 1e-4f;
    private static int s_failures;

    /// <summary>Runs the check with the arguments after <c>--gpu-check</c>; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        bool small = args.Contains("--small");
        int steps;
        try
        {
            steps = Option(args, "--steps", small ? 3 : 200);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 2;
        }
        Console.WriteLine("NetGen GPU check" + (small ? " (small shapes)" : ""));
        Console.Write(GpuDevice.Describe());
        GpuDevice device;
        try
        {
            device = new GpuDevice(small ? GpuDeviceKind.Auto : GpuDeviceKind.Cuda);
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine("error: " + e.Message + " (run `ldconfig -p | grep cuda` to see which CUDA libraries the loader finds; --small runs on the CPU accelerator)");
            return 2;
        }
        using (device)
        {
            Console.WriteLine($"device: {device.Name}; CPU baseline: {Environment.ProcessorCount} threads, {Vector512Text()}");
            Threading.MaxThreads = Environment.ProcessorCount;
            Console.WriteLine();
            Console.WriteLine("== kernels against the CPU code ==");
            CheckKernels(device, small);
            Console.WriteLine();
            Console.WriteLine("== generated twin against the generated CPU network (5 SGD-momentum steps) ==");
            CheckTraining(device, small ? 8 : 64, "MLP", b => new GpuCheckMlp(b, seed: 7));
            CheckTraining(device, small ? 8 : 64, "ConvNet", b => new GpuCheckConvNet(b, seed: 7));
            CheckTraining(device, small ? 4 : 32, "char-LSTM", b => new GpuCheckCharLstm(b, seed: 7), learningRate: 0.3f);
            Console.WriteLine();
            Console.WriteLine($"== train step timings ({steps} steps after warm-up; GPU steps end with Synchronize) ==");
            if (small)
            {
                Time(device, [4, 8, 16], steps, b => new GpuCheckMlp(b, 1));
                Time(device, [4, 8], steps, b => new GpuCheckConvNet(b, 1));
                Time(device, [4, 8, 16], steps, b => new GpuCheckCharLstm(b, 1));
            }
            else
            {
                Time(device, [64, 256, 1024], steps, b => new Mlp(b, 1));
                Time(device, [64, 256, 1024], steps, b => new LeNet5(b, 1));
                Time(device, [64, 256, 1024], steps, b => new GpuBenchCharLstm(b, 1));
            }
        }
        Console.WriteLine();
        Console.WriteLine(s_failures == 0 ? "all checks passed" : $"{s_failures} check(s) FAILED");
        return s_failures == 0 ? 0 : 1;
    }

    private static string Vector512Text() =>
        System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "AVX2" : "no wide vectors";

    private static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        if (i < 0) return fallback;
        if (i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out int value) && value > 0) return value;
        throw new ArgumentException($"{name} needs a positive integer, e.g. {name} {fallback}.");
    }

    private delegate void CpuGemm(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate);
    private delegate void DeviceGemm(GpuDevice device, int m, int n, int k, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, bool accumulate);

    private static void CheckKernels(GpuDevice device, bool small)
    {
        (int M, int N, int K)[] gemms = small ? [(17, 33, 16), (5, 70, 9)] : [(64, 256, 784), (1024, 128, 256), (65, 31, 50)];
        foreach (var (m, n, k) in gemms)
        {
            Gemm(device, "MatMul", m, n, k, NetGen.Kernels.Gemm.MatMul, GpuGemm.MatMul);
            Gemm(device, "MatMulTransA", m, n, k, NetGen.Kernels.Gemm.MatMulTransA, GpuGemm.MatMulTransA);
            Gemm(device, "MatMulTransB", m, n, k, NetGen.Kernels.Gemm.MatMulTransB, GpuGemm.MatMulTransB);
        }
        var (batch, inputs, outputs) = small ? (9, 33, 65) : (256, 784, 256);
        Dense<Identity, GpuIdentity>(device, "identity", batch, inputs, outputs);
        Dense<Relu, GpuRelu>(device, "ReLU", batch, inputs, outputs);
        Dense<Tanh, GpuTanh>(device, "tanh", batch, inputs, outputs);
        Dense<Sigmoid, GpuSigmoid>(device, "sigmoid", batch, inputs, outputs);
        Conv2D<Relu, GpuRelu>(device, "ReLU", small ? 3 : 64, new Conv2DShape(small ? 2 : 6, small ? 9 : 14, small ? 9 : 14, small ? 3 : 16, 5, 5, 1, 2));
        Conv2D<Tanh, GpuTanh>(device, "tanh", small ? 3 : 64, new Conv2DShape(3, small ? 8 : 28, small ? 7 : 28, 4, 3, 3, 2, 1));
        Pooling(device, small ? 3 : 256, new Pool2DShape(small ? 2 : 6, small ? 8 : 28, small ? 8 : 28, 2, 2));
        Pooling(device, small ? 3 : 64, new Pool2DShape(3, small ? 7 : 15, small ? 9 : 15, 3, 2));
        LossesCheck(device, small ? 7 : 1024, 10);
        var (lstmBatch, lstmSteps, lstmInputs, hidden) = small ? (3, 5, 6, 9) : (64, 64, 64, 256);
        LstmCheck(device, lstmBatch, lstmSteps, lstmInputs, hidden);
        EmbeddingCheck(device, small ? 40 : 64 * 64, small ? 13 : 128, small ? 6 : 64);
        OptimizersCheck(device, small ? new GpuCheckMlp(1, seed: 3) : new Mlp(1, seed: 3));
    }

    private static void Gemm(GpuDevice device, string name, int m, int n, int k, CpuGemm cpu, DeviceGemm gpu)
    {
        var a = Random(m * k, 1); var b = Random(k * n, 2); var c = new float[m * n];
        cpu(m, n, k, a, b, c, accumulate: false);
        using var ga = Upload(device, a); using var gb = Upload(device, b); using var gc = device.Allocate<float>(c.Length);
        gpu(device, m, n, k, ga.View, gb.View, gc.View, false);
        Report($"{name} {m}×{n}×{k}", c, Download(gc));
    }

    private static void Dense<TCpu, TGpu>(GpuDevice device, string name, int batch, int inputs, int outputs)
        where TCpu : struct, IActivation where TGpu : struct, IGpuActivation
    {
        var x = Random(batch * inputs, 10); var w = Random(inputs * outputs, 11); var bias = Random(outputs, 12); var dyIn = Random(batch * outputs, 13);
        var y = new float[batch * outputs];
        NetGen.Kernels.Dense.Forward<TCpu>(batch, inputs, outputs, x, w, bias, y);
        var dy = (float[])dyIn.Clone(); var dw = new float[w.Length]; var db = new float[outputs]; var dx = new float[x.Length];
        NetGen.Kernels.Dense.Backward<TCpu>(batch, inputs, outputs, x, w, y, dy, dw, db, dx);

        using var gx = Upload(device, x); using var gw = Upload(device, w); using var gb = Upload(device, bias);
        using var gy = device.Allocate<float>(y.Length); using var gdy = Upload(device, dyIn);
        using var gdw = device.Allocate<float>(w.Length); using var gdb = device.Allocate<float>(outputs); using var gdx = device.Allocate<float>(x.Length);
        GpuDense.Forward<TGpu>(device, batch, inputs, outputs, gx.View, gw.View, gb.View, gy.View);
        string at = $"Dense {name} [{batch},{inputs}→{outputs}]";
        Report(at + " forward", y, Download(gy));
        gy.CopyFrom(y); // backward from the CPU's y isolates the backward kernels
        GpuDense.Backward<TGpu>(device, batch, inputs, outputs, gx.View, gw.View, gy.View, gdy.View, gdw.View, gdb.View, gdx.View);
        Report(at + " dW", dw, Download(gdw));
        Report(at + " dbias", db, Download(gdb));
        Report(at + " dx", dx, Download(gdx));
    }

    private static void Conv2D<TCpu, TGpu>(GpuDevice device, string name, int batch, Conv2DShape shape)
        where TCpu : struct, IActivation where TGpu : struct, IGpuActivation
    {
        var x = Random(batch * shape.InputSize, 14); var w = Random(shape.WeightSize, 15); var bias = Random(shape.OutChannels, 16);
        var dyIn = Random(batch * shape.OutputSize, 17);
        var workspace = new float[NetGen.Kernels.Conv2D.WorkspaceSize(shape)];
        var y = new float[batch * shape.OutputSize];
        NetGen.Kernels.Conv2D.Forward<TCpu>(shape, batch, x, w, bias, y, workspace);
        var dy = (float[])dyIn.Clone(); var dw = new float[w.Length]; var db = new float[bias.Length]; var dx = new float[x.Length];
        NetGen.Kernels.Conv2D.Backward<TCpu>(shape, batch, x, w, y, dy, dw, db, dx, workspace);

        using var gx = Upload(device, x); using var gw = Upload(device, w); using var gb = Upload(device, bias);
        using var gy = device.Allocate<float>(y.Length); using var gdy = Upload(device, dyIn);
        using var gdw = device.Allocate<float>(w.Length); using var gdb = device.Allocate<float>(bias.Length); using var gdx = device.Allocate<float>(x.Length);
        GpuConv2D.Forward<TGpu>(device, shape, batch, gx.View, gw.View, gb.View, gy.View);
        string at = $"Conv2D {name} B={batch} {shape.InChannels}→{shape.OutChannels} {shape.KernelHeight}×{shape.KernelWidth}";
        Report(at + " forward", y, Download(gy));
        gy.CopyFrom(y);
        GpuConv2D.Backward<TGpu>(device, shape, batch, gx.View, gw.View, gy.View, gdy.View, gdw.View, gdb.View, gdx.View);
        Report(at + " dW", dw, Download(gdw));
        Report(at + " dbias", db, Download(gdb));
        Report(at + " dx", dx, Download(gdx));
    }

    private static void Pooling(GpuDevice device, int batch, Pool2DShape shape)
    {
        var x = Random(batch * shape.InputSize, 18); var dy = Random(batch * shape.OutputSize, 19);
        var y = new float[batch * shape.OutputSize]; var argmax = new int[y.Length]; var dx = new float[x.Length];
        using var gx = Upload(device, x); using var gy = device.Allocate<float>(y.Length);
        using var gdy = Upload(device, dy); using var gdx = device.Allocate<float>(x.Length);
        string at = $"{shape.Window}×{shape.Window}/{shape.Stride} B={batch} [{shape.Channels},{shape.Height},{shape.Width}]";
        MaxPool2D.Forward(shape, batch, x, y, argmax);
        MaxPool2D.Backward(shape, batch, argmax, dy, dx);
        GpuMaxPool2D.Forward(device, shape, batch, gx.View, gy.View);
        Report("MaxPool2D " + at + " forward", y, Download(gy));
        GpuMaxPool2D.Backward(device, shape, batch, gx.View, gdy.View, gdx.View);
        Report("MaxPool2D " + at + " dx", dx, Download(gdx));
        AvgPool2D.Forward(shape, batch, x, y);
        AvgPool2D.Backward(shape, batch, dy, dx);
        GpuAvgPool2D.Forward(device, shape, batch, gx.View, gy.View);
        Report("AvgPool2D " + at + " forward", y, Download(gy));
        GpuAvgPool2D.Backward(device, shape, batch, gdy.View, gdx.View);
        Report("AvgPool2D " + at + " dx", dx, Download(gdx));
    }

    private static void LossesCheck(GpuDevice device, int batch, int classes)
    {
        var logits = Random(batch * classes, 20);
        var rng = new Rng(21);
        var labels = new int[batch];
        for (int b = 0; b < batch; b++) labels[b] = rng.NextInt(classes);
        var targets = Random(batch * classes, 22);
        var grad = new float[logits.Length];
        using var gLogits = Upload(device, logits); using var gLabels = Upload(device, labels); using var gTargets = Upload(device, targets);
        using var gGrad = device.Allocate<float>(grad.Length); using var gLoss = device.Allocate<float>(1);

        float loss = Losses.SoftmaxCrossEntropy(batch, classes, logits, labels, grad);
        GpuLosses.SoftmaxCrossEntropy(device, batch, classes, gLogits.View, gLabels.View, gGrad.View, gLoss.View);
        Report($"SoftmaxCrossEntropy [{batch},{classes}] loss", [loss], Download(gLoss));
        Report($"SoftmaxCrossEntropy [{batch},{classes}] dlogits", grad, Download(gGrad));

        loss = Losses.SquaredError(batch, classes, logits, targets, grad);
        GpuLosses.SquaredError(device, batch, classes, gLogits.View, gTargets.View, gGrad.View, gLoss.View);
        Report($"SquaredError [{batch},{classes}] loss", [loss], Download(gLoss));
        Report($"SquaredError [{batch},{classes}] dy", grad, Download(gGrad));
    }

    /// <summary><see cref="GpuLstm"/> forward (gates, cells, hs) and backward (every gradient) against <see cref="Lstm"/>, zero initial state.</summary>
    private static void LstmCheck(GpuDevice device, int batch, int steps, int inputs, int hidden)
    {
        int width = 4 * hidden, rows = batch * steps;
        var x = Random(rows * inputs, 40); var wIh = Random(inputs * width, 41); var wHh = Random(hidden * width, 42);
        var bIh = Random(width, 43); var bHh = Random(width, 44); var dy = Random(rows * hidden, 45);
        var gates = new float[rows * width]; var cells = new float[rows * hidden]; var hs = new float[rows * hidden];
        var scratch = new float[Lstm.ScratchLength(batch, hidden)];
        Lstm.Forward(batch, steps, inputs, hidden, x, wIh, wHh, bIh, bHh, [], [], gates, cells, hs, [], [], scratch);
        var saved = (float[])gates.Clone();
        var dx = new float[x.Length]; var dwIh = new float[wIh.Length]; var dwHh = new float[wHh.Length]; var dbIh = new float[width]; var dbHh = new float[width];
        Lstm.Backward(batch, steps, inputs, hidden, x, wIh, wHh, [], [], gates, cells, hs, dy, [], [], dx, dwIh, dwHh, dbIh, dbHh, [], [], scratch);

        using var gx = Upload(device, x); using var gwIh = Upload(device, wIh); using var gwHh = Upload(device, wHh);
        using var gbIh = Upload(device, bIh); using var gbHh = Upload(device, bHh); using var gdy = Upload(device, dy);
        using var gGates = device.Allocate<float>(gates.Length); using var gCells = device.Allocate<float>(cells.Length);
        using var gHs = device.Allocate<float>(hs.Length); using var gScratch = device.Allocate<float>(scratch.Length);
        using var gdx = device.Allocate<float>(dx.Length); using var gdwIh = device.Allocate<float>(dwIh.Length);
        using var gdwHh = device.Allocate<float>(dwHh.Length); using var gdbIh = device.Allocate<float>(width); using var gdbHh = device.Allocate<float>(width);
        GpuLstm.Forward(device, batch, steps, inputs, hidden, gx.View, gwIh.View, gwHh.View, gbIh.View, gbHh.View, default, default,
            gGates.View, gCells.View, gHs.View, default, default, gScratch.View);
        string at = $"Lstm [B{batch} T{steps} F{inputs} H{hidden}]";
        Report(at + " gates", saved, Download(gGates));
        Report(at + " cells", cells, Download(gCells));
        Report(at + " hs", hs, Download(gHs));
        gGates.CopyFrom(saved); gCells.CopyFrom(cells); gHs.CopyFrom(hs); // backward from the CPU's buffers isolates it
        GpuLstm.Backward(device, batch, steps, inputs, hidden, gx.View, gwIh.View, gwHh.View, default, default,
            gGates.View, gCells.View, gHs.View, gdy.View, default, default, gdx.View, gdwIh.View, gdwHh.View, gdbIh.View, gdbHh.View, default, default, gScratch.View);
        Report(at + " dx", dx, Download(gdx));
        Report(at + " dW_ih", dwIh, Download(gdwIh));
        Report(at + " dW_hh", dwHh, Download(gdwHh));
        Report(at + " db_ih", dbIh, Download(gdbIh));
        Report(at + " db_hh", dbHh, Download(gdbHh));
    }

    /// <summary><see cref="GpuEmbedding"/> lookup and table gradient against <see cref="Embedding"/>.</summary>
    private static void EmbeddingCheck(GpuDevice device, int count, int vocabulary, int dim)
    {
        var tokens = Tokens(count, vocabulary, 50); var table = Random(vocabulary * dim, 51); var dy = Random(count * dim, 52);
        var y = new float[count * dim]; var dTable = new float[table.Length];
        Embedding.Forward(count, vocabulary, dim, tokens, table, y);
        Embedding.Backward(count, vocabulary, dim, tokens, dy, dTable);
        using var gt = Upload(device, tokens); using var gtab = Upload(device, table); using var gdy = Upload(device, dy);
        using var gy = device.Allocate<float>(y.Length); using var gdt = device.Allocate<float>(table.Length);
        GpuEmbedding.Forward(device, count, vocabulary, dim, gt.View, gtab.View, gy.View);
        GpuEmbedding.Backward(device, count, vocabulary, dim, gt.View, gdy.View, gdt.View);
        Report($"Embedding [{count} tokens, {vocabulary}×{dim}] forward", y, Download(gy));
        Report($"Embedding [{count} tokens, {vocabulary}×{dim}] dTable", dTable, Download(gdt));
    }

    /// <summary>Three updates of the CPU optimizer classes against <see cref="GpuOptimizer"/>, over <paramref name="network"/>'s parameters.</summary>
    private static void OptimizersCheck(GpuDevice device, INetwork network)
    {
        int count = network.Parameters.Length;
        foreach (var create in new Func<Optimizer>[]
                 {
                     () => new Sgd(count, 0.05f, momentum: 0.9f, nesterov: true, weightDecay: 1e-4f),
                     () => new Adam(count, 1e-3f, weightDecay: 0.01f, decoupledWeightDecay: true),
                 })
        {
            var cpu = create();
            var gpu = new GpuOptimizer(create(), count);
            var expected = network.Parameters.ToArray();
            using var state = new GpuNetworkState(device, network, 1, 0, 0, gpu.StateLength(count));
            for (int step = 1; step <= 3; step++)
            {
                var gradients = Random(count, 30 + (ulong)step);
                cpu.Step(expected, gradients);
                state.Gradients.CopyFrom(gradients);
                gpu.Step(state);
            }
            Report($"{gpu.Host.Kind} ({count} parameters, 3 steps)", expected, Download(state.Parameters));
        }
    }

    /// <summary>Five SGD-momentum steps (learning rate <paramref name="learningRate"/>, momentum 0.9) of a network made by
    /// <paramref name="create"/> (from the batch size, seed 7) on the CPU and on its twin: every loss, then the parameters.</summary>
    private static void CheckTraining(GpuDevice device, int batch, string name, Func<int, IGpuTrainable> create, float learningRate = 0.1f)
    {
        var cpu = create(batch);
        int count = cpu.Parameters.Length;
        var cpuSgd = new Sgd(count, learningRate, momentum: 0.9f);
        var host = create(1);
        using var gpu = host.CreateGpu(device, batch, new Sgd(count, learningRate, momentum: 0.9f));
        var (input, labels) = Data(cpu, batch, 8);
        for (int step = 1; step <= 5; step++)
        {
            float expected = cpu.TrainStep(input, labels, batch);
            cpuSgd.Step(cpu.Parameters, cpu.Gradients);
            Report($"{name} step {step} loss ({expected:F5})", [expected], [gpu.TrainStep(input, labels, batch)]);
        }
        gpu.DownloadParameters(host);
        Report($"{name} parameters after 5 steps", cpu.Parameters.ToArray(), host.Parameters.ToArray());
    }

    private static void Time(GpuDevice device, int[] batches, int steps, Func<int, IGpuTrainable> create)
    {
        Console.WriteLine($"{"network",-16} {"batch",6} {"GPU ms/step",12} {"GPU samples/s",14} {"CPU ms/step",12} {"CPU samples/s",14} {"speed-up",9}");
        foreach (int batch in batches)
        {
            var cpu = create(batch);
            var (input, labels) = Data(cpu, batch, 9);
            var sgd = new Sgd(cpu.Parameters.Length, 0.01f, momentum: 0.9f);
            using var gpu = cpu.CreateGpu(device, batch, new Sgd(cpu.Parameters.Length, 0.01f, momentum: 0.9f));
            double gpuMs = Measure(steps, () => gpu.TrainStep(input, labels, batch), device.Synchronize);
            int cpuSteps = Math.Max(3, Math.Min(steps, 20));
            double cpuMs = Measure(cpuSteps, () =>
            {
                cpu.TrainStep(input, labels, batch);
                sgd.Step(cpu.Parameters, cpu.Gradients);
            }, () => { });
            Console.WriteLine($"{cpu.Name,-16} {batch,6} {gpuMs,12:F3} {batch / gpuMs * 1000,14:N0} {cpuMs,12:F3} {batch / cpuMs * 1000,14:N0} {cpuMs / gpuMs,8:F1}×");
        }
    }

    /// <summary>Milliseconds per call of <paramref name="step"/> over <paramref name="steps"/> calls after a warm-up of a tenth as many (at least one).</summary>
    private static double Measure(int steps, Action step, Action synchronize)
    {
        for (int i = 0; i < Math.Max(1, steps / 10); i++) step();
        synchronize();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) step();
        synchronize();
        return clock.Elapsed.TotalMilliseconds / steps;
    }

    /// <summary>A batch for <paramref name="network"/>: random token ids and one label per step for the char-LSTMs, random
    /// floats and one label per sample otherwise.</summary>
    private static (float[] Input, int[] Labels) Data(INetwork network, int batch, ulong seed) => network switch
    {
        GpuCheckCharLstm => TokenBatch(batch, 8, 13, seed),
        GpuBenchCharLstm => TokenBatch(batch, 64, 128, seed),
        _ => Batch(batch, network.InputSize, network.OutputSize, seed),
    };

    private static (float[] Input, int[] Labels) TokenBatch(int batch, int length, int vocabulary, ulong seed)
    {
        var tokens = Tokens(batch * length, vocabulary, seed);
        var labels = new int[tokens.Length];
        for (int i = 0; i < labels.Length; i++) labels[i] = (int)tokens[(i + 1) % tokens.Length]; // the next character
        return (tokens, labels);
    }

    private static float[] Tokens(int count, int vocabulary, ulong seed)
    {
        var rng = new Rng(seed);
        var tokens = new float[count];
        for (int i = 0; i < count; i++) tokens[i] = rng.NextInt(vocabulary);
        return tokens;
    }

    private static (float[] Input, int[] Labels) Batch(int batch, int inputs, int classes, ulong seed)
    {
        var rng = new Rng(seed);
        var labels = new int[batch];
        for (int b = 0; b < batch; b++) labels[b] = rng.NextInt(classes);
        return (Random(batch * inputs, seed), labels);
    }

    private static float[] Random(int length, ulong seed)
    {
        var rng = new Rng(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = 2f * rng.NextFloat() - 1f;
        return values;
    }

    private static GpuBuffer<T> Upload<T>(GpuDevice device, T[] values) where T : unmanaged
    {
        var buffer = device.Allocate<T>(values.Length);
        buffer.CopyFrom(values);
        return buffer;
    }

    private static float[] Download(GpuBuffer<float> buffer)
    {
        var values = new float[buffer.Length];
        buffer.CopyTo(values);
        return values;
    }

    /// <summary>Prints one PASS/FAIL line: the largest |gpu − cpu| / (1 + |cpu|) against <see cref="Tolerance"/>.</summary>
    private static void Report(string name, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        double worst = expected.Length == actual.Length ? 0 : double.PositiveInfinity;
        for (int i = 0; i < Math.Min(expected.Length, actual.Length); i++)
        {
            double error = Math.Abs((double)expected[i] - actual[i]) / (1 + Math.Abs((double)expected[i]));
            if (double.IsNaN(error))
            {
                worst = double.NaN; // fails below, whatever the other elements
                break;
            }
            worst = Math.Max(worst, error);
        }
        bool pass = worst <= Tolerance;
        if (!pass) s_failures++;
        Console.WriteLine($"{(pass ? "PASS" : "FAIL")}  {name,-48} max |Δ|/(1+|cpu|) = {worst:0.00e+00}");
    }
}
