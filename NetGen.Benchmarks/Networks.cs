using NetGen.Optimizers;

namespace NetGen.Benchmarks;

/// <summary>The sample MLP (784-256-128-10, ReLU, softmax cross-entropy), as torch_baseline.py builds it.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Mlp
{
    [Input(784)] public partial Layer Pixels { get; }
    [Dense(256), Relu] public partial Layer H1 { get; }
    [Dense(128), Relu] public partial Layer H2 { get; }
    [Dense(10)] public partial Layer Logits { get; }

    /// <summary>A network, its SGD (η = 0.01, μ = 0.9) and one batch of seeded inputs in [0, 1) and labels.</summary>
    public sealed class Fixture
    {
        public Mlp Net { get; }
        public Sgd Sgd { get; }
        public float[] Input { get; }
        public int[] Labels { get; }

        public Fixture(int batch)
        {
            Net = new Mlp(batch, seed: 1);
            Sgd = new Sgd(Net.Parameters.Length, learningRate: 0.01f, momentum: 0.9f);
            var rng = new Rng(2);
            Input = new float[batch * InputSize];
            for (int i = 0; i < Input.Length; i++) Input[i] = rng.NextFloat();
            Labels = new int[batch];
            for (int i = 0; i < batch; i++) Labels[i] = i % OutputSize;
        }

        /// <summary>Forward, loss, backward and one optimizer update, each layer updated right after its backward (the same
        /// result as TrainStep followed by Sgd.Step); returns the loss.</summary>
        public float TrainStep()
        {
            return Net.TrainStep(Input, Labels, Labels.Length, Sgd);
        }
    }
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

    /// <summary>A network, its SGD (η = 0.01, μ = 0.9) and one batch of seeded images in [0, 1) and labels.</summary>
    public sealed class Fixture
    {
        public LeNet5 Net { get; }
        public Sgd Sgd { get; }
        public float[] Input { get; }
        public int[] Labels { get; }

        public Fixture(int batch)
        {
            Net = new LeNet5(batch, seed: 1);
            Sgd = new Sgd(Net.Parameters.Length, learningRate: 0.01f, momentum: 0.9f);
            var rng = new Rng(2);
            Input = new float[batch * InputSize];
            for (int i = 0; i < Input.Length; i++) Input[i] = rng.NextFloat();
            Labels = new int[batch];
            for (int i = 0; i < batch; i++) Labels[i] = i % OutputSize;
        }

        /// <summary>Forward, loss, backward and one optimizer update, each layer updated right after its backward (the same
        /// result as TrainStep followed by Sgd.Step); returns the loss.</summary>
        public float TrainStep()
        {
            return Net.TrainStep(Input, Labels, Labels.Length, Sgd);
        }
    }
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

    /// <summary>A network, its SGD (η = 0.01, μ = 0.9) and one batch of seeded token ids and next-token labels.</summary>
    public sealed class Fixture
    {
        public CharLstm Net { get; }
        public Sgd Sgd { get; }
        public float[] Input { get; }
        public int[] Labels { get; }

        public Fixture(int batch)
        {
            Net = new CharLstm(batch, seed: 1);
            Sgd = new Sgd(Net.Parameters.Length, learningRate: 0.01f, momentum: 0.9f);
            var rng = new Rng(2);
            Input = new float[batch * Steps];
            Labels = new int[batch * Steps];
            for (int i = 0; i < Input.Length; i++)
            {
                Input[i] = (int)(rng.NextFloat() * Vocabulary);
                Labels[i] = (int)(rng.NextFloat() * Vocabulary);
            }
        }

        /// <summary>Forward, loss, backward and one optimizer update, each layer updated right after its backward (the same
        /// result as TrainStep followed by Sgd.Step); returns the loss.</summary>
        public float TrainStep()
        {
            return Net.TrainStep(Input, Labels, Input.Length / Steps, Sgd);
        }
    }
}
