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

        /// <summary>Forward, loss, backward and one optimizer update; returns the loss.</summary>
        public float TrainStep()
        {
            float loss = Net.TrainStep(Input, Labels, Labels.Length);
            Sgd.Step(Net.Parameters, Net.Gradients);
            return loss;
        }
    }
}

// ---- LeNet-5 and char-LSTM go here once the Conv2D/pooling and Embedding/Lstm layer kinds are merged (the lead
// adds them). torch_baseline.py already measures both: LeNet-5 1×28×28 → conv 6@5×5 pad 2, ReLU → maxpool 2 →
// conv 16@5×5, ReLU → maxpool 2 → 120 ReLU → 84 ReLU → 10, batch 64; char-LSTM: vocabulary 65, embedding 64,
// LSTM hidden 128, 64 steps, batch 32, logits over the vocabulary at every step. Add their [Benchmark] methods to
// NetworkBenchmarks / NetworkSmallBenchmarks with the names benchmarks/compare.py maps: LeNet5TrainStep,
// LeNet5Inference1, CharLstmTrainStep. ----
