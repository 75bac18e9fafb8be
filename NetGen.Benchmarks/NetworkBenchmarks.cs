using BenchmarkDotNet.Attributes;
using NetGen.Kernels;

namespace NetGen.Benchmarks;

/// <summary>
/// One training step of the sample MLP (forward, softmax cross-entropy, backward and the SGD-momentum 0.9 update of
/// every parameter) at batch 64 and 256: the figure benchmarks/run.sh sets beside PyTorch's. Steady state allocates
/// nothing (the Allocated column must read "-").
/// </summary>
[MemoryDiagnoser]
public class NetworkBenchmarks : ThreadedBenchmark
{
    private Fixture<Mlp> _f = null!;

    /// <summary>Samples per training step.</summary>
    [Params(64, 256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Threading.MaxThreads = Threads;
        _f = Mlp.NewFixture(Batch);
        SteadyState.WarmUp(() => _f.TrainStep());
    }

    [Benchmark]
    public float MlpTrainStep() => _f.TrainStep();
}

/// <summary>
/// One training step (forward, softmax cross-entropy, backward, SGD-momentum 0.9 update) of LeNet-5 at batch 64 and
/// of the char-LSTM at batch 32 × 64 steps: the convolutional and recurrent rows of benchmarks/run.sh's table. Steady
/// state allocates nothing.
/// </summary>
[MemoryDiagnoser]
public class NetworkModelBenchmarks : ThreadedBenchmark
{
    private Fixture<LeNet5> _lenet = null!;
    private Fixture<CharLstm> _lstm = null!;

    [GlobalSetup]
    public void Setup()
    {
        Threading.MaxThreads = Threads;
        _lenet = LeNet5.NewFixture(64);
        _lstm = CharLstm.NewFixture(32);
        SteadyState.WarmUp(() => _lenet.TrainStep());
        SteadyState.WarmUp(() => _lstm.TrainStep());
    }

    [Benchmark]
    public float LeNet5TrainStep() => _lenet.TrainStep();

    [Benchmark]
    public float CharLstmTrainStep() => _lstm.TrainStep();
}

/// <summary>Batch-1 inference of the sample MLP and of LeNet-5, and the SGD-momentum update of the MLP's 235,146
/// parameters alone.</summary>
[MemoryDiagnoser]
public class NetworkSmallBenchmarks : ThreadedBenchmark
{
    private Fixture<Mlp> _f = null!;
    private Fixture<LeNet5> _lenet = null!;

    [GlobalSetup]
    public void Setup()
    {
        Threading.MaxThreads = Threads;
        _lenet = LeNet5.NewFixture(1);
        _f = Mlp.NewFixture(1);
        // Real gradients for the optimizer step (zeros would keep the momentum at exactly 0), from the plain TrainStep:
        // the overload that takes the optimizer does not keep the Dense weights' gradients.
        _f.Net.TrainStep(_f.Input, _f.Labels, _f.Labels.Length);
        SteadyState.WarmUp(() => MlpInference1());
        SteadyState.WarmUp(() => LeNet5Inference1());
        SteadyState.WarmUp(SgdMomentumStep);
    }

    [Benchmark]
    public float MlpInference1() => _f.Net.Forward(_f.Input, 1)[0];

    [Benchmark]
    public float LeNet5Inference1() => _lenet.Net.Forward(_lenet.Input, 1)[0];

    [Benchmark]
    public void SgdMomentumStep() => _f.Sgd.Step(_f.Net.Parameters, _f.Net.Gradients);
}
