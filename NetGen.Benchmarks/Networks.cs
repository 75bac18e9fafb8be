using NetGen.Optimizers;

namespace NetGen.Benchmarks;

/// <summary>A network, its SGD (η = 0.01, μ = 0.9) and one batch of seeded inputs and labels: what every timed train
/// step and inference call runs on.</summary>
public sealed class Fixture<TNet>(TNet net, int batch, float[] input, int[] labels) where TNet : INetwork
{
    public TNet Net { get; } = net;
    public Sgd Sgd { get; } = new(net.Parameters.Length, learningRate: 0.01f, momentum: 0.9f);
    public int Batch { get; } = batch;
    public float[] Input { get; } = input;
    public int[] Labels { get; } = labels;

    /// <summary>Forward, loss, backward and one optimizer update, each layer updated right after its backward (the same
    /// result as TrainStep followed by Sgd.Step); returns the loss.</summary>
    public float TrainStep() => Net.TrainStep(Input, Labels, Batch, Sgd);
}

/// <summary>Builds <see cref="Fixture{TNet}"/>s with the same seeded data on every run.</summary>
public static class Fixture
{
    /// <summary><paramref name="net"/> with <paramref name="batch"/> inputs drawn uniformly from [0, 1) and labels
    /// 0, 1, 2, … cycling through the classes.</summary>
    public static Fixture<TNet> Classification<TNet>(TNet net, int batch) where TNet : INetwork
    {
        var rng = new Rng(2);
        var input = new float[batch * net.InputSize];
        for (int i = 0; i < input.Length; i++) input[i] = rng.NextFloat();
        var labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = i % net.OutputSize;
        return new(net, batch, input, labels);
    }
}

/// <summary>The sample MLP (784-256-128-10, ReLU, softmax cross-entropy), as torch_baseline.py builds it.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Mlp
{
    [Input(784)] public partial Layer Pixels { get; }
    [Dense(256), Relu] public partial Layer H1 { get; }
    [Dense(128), Relu] public partial Layer H2 { get; }
    [Dense(10)] public partial Layer Logits { get; }

    /// <summary>The network (seed 1) at <paramref name="batch"/> with seeded inputs in [0, 1) and labels.</summary>
    public static Fixture<Mlp> NewFixture(int batch) => Fixture.Classification(new Mlp(batch, seed: 1), batch);
}

/// <summary>LeNet-5 as torch_baseline.py builds it: 1×28×28 → conv 6@5×5 (padding 2), ReLU → max-pool 2 → conv 16@5×5,
/// ReLU → max-pool 2 → 120 ReLU → 84 ReLU → 10, softmax cross-entropy.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class LeNet5
{
    [Input(1, 28, 28)]                         public partial Layer Image { get; }
    [Conv2D(6, Kernel = 5, Padding = 2), Relu] public partial Layer C1 { get; }
    [MaxPool2D(2)]                             public partial Layer S2 { get; }
    [Conv2D(16, Kernel = 5), Relu]             public partial Layer C3 { get; }
    [MaxPool2D(2)]                             public partial Layer S4 { get; }
    [Dense(120), Relu]                         public partial Layer F5 { get; }
    [Dense(84), Relu]                          public partial Layer F6 { get; }
    [Dense(10)]                                public partial Layer Logits { get; }

    /// <summary>The network (seed 1) at <paramref name="batch"/> with seeded images in [0, 1) and labels.</summary>
    public static Fixture<LeNet5> NewFixture(int batch) => Fixture.Classification(new LeNet5(batch, seed: 1), batch);
}

/// <summary>The char-LSTM of torch_baseline.py: 64 tokens of a 65-symbol vocabulary → embedding 64 → LSTM 128 → a
/// dense layer to 65 logits at every step, softmax cross-entropy averaged over all B·64 steps.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class CharLstm
{
    /// <summary>Symbols in the vocabulary.</summary>
    public const int Vocabulary = 65;

    /// <summary>Time steps per sample.</summary>
    public const int Steps = 64;

    [TokenInput(Vocabulary = Vocabulary, Length = Steps)] public partial Layer Text { get; }
    [Embedding(64)]                                       public partial Layer Embed { get; }
    [Lstm(128)]                                           public partial Layer Memory { get; }
    [Dense(Vocabulary)]                                   public partial Layer Logits { get; }

    /// <summary>The network (seed 1) at <paramref name="batch"/> with seeded token ids and next-token labels (one per
    /// step).</summary>
    public static Fixture<CharLstm> NewFixture(int batch)
    {
        var rng = new Rng(2);
        var input = new float[batch * Steps];
        var labels = new int[batch * Steps];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (int)(rng.NextFloat() * Vocabulary);
            labels[i] = (int)(rng.NextFloat() * Vocabulary);
        }
        return new(new CharLstm(batch, seed: 1), batch, input, labels);
    }
}
