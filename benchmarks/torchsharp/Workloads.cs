using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace NetGen.Benchmarks.LibTorch;

/// <summary>The cases of benchmarks/torch_baseline.py, in its order and with its names, shapes and optimizer.</summary>
internal static class Workloads
{
    /// <summary>
    /// Each case's name and one call of it, built lazily (as the Python generator does) under the thread count set
    /// before enumerating. Every call runs in its own dispose scope, so that libtorch frees its temporaries at once
    /// instead of at the next garbage collection.
    /// </summary>
    public static IEnumerable<(string Name, Action Call)> All()
    {
        manual_seed(0);
        var g = new Generator(0);
        foreach (var batch in new[] { 64, 256 })
            yield return ($"mlp_train_b{batch}", TrainStep(Mlp(), rand(batch, 784, generator: g), randint(0, 10, [batch], generator: g), 10, out _));
        yield return ("mlp_infer_b1", Inference(Mlp(), rand(1, 784, generator: g)));
        var step = TrainStep(Mlp(), rand(64, 784, generator: g), randint(0, 10, [64], generator: g), 10, out var sgd);
        step(); // gradients and momentum buffers exist
        yield return ("sgd_momentum_step", () =>
        {
            using var scope = NewDisposeScope();
            sgd.step();
        });
        yield return ("lenet5_train_b64", TrainStep(LeNet5(), rand(64, 1, 28, 28, generator: g), randint(0, 10, [64], generator: g), 10, out _));
        yield return ("lenet5_infer_b1", Inference(LeNet5(), rand(1, 1, 28, 28, generator: g)));
        yield return ("charlstm_train_b32_t64", TrainStep(Checked(new CharLstm(), 111_873), randint(0, 65, [32, 64], generator: g), randint(0, 65, [32, 64], generator: g), 65, out _));
        foreach (var n in new[] { 512, 1024 })
        {
            Tensor a = rand(n, n, generator: g), b = rand(n, n, generator: g), c = empty(n, n);
            // torch.mm(a, b, out=c) without an allocation: ATen's mm_out and addmm_ with beta 0 run the same product
            // (addmm_impl_cpu_ with beta 0, alpha 1); TorchSharp has no out= overload of mm.
            yield return ($"mm_{n}", () => c.addmm_(a, b, beta: 0, alpha: 1));
        }
    }

    private static nn.Module<Tensor, Tensor> Mlp() => Checked(nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)), 235_146);

    private static nn.Module<Tensor, Tensor> LeNet5() => Checked(nn.Sequential(
        nn.Conv2d(1, 6, 5, padding: 2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)), 61_706);

    /// <summary>The parameter counts that benchmarks/RESULTS.md states for both sides (torch <c>sum(p.numel())</c>).</summary>
    private static nn.Module<Tensor, Tensor> Checked(nn.Module<Tensor, Tensor> model, long parameters)
    {
        var count = model.parameters().Sum(p => p.numel());
        return count == parameters ? model
            : throw new InvalidOperationException($"{model.GetName()}: {count} parameters, expected {parameters}");
    }

    /// <summary>One SGD (lr 0.01, momentum 0.9) training step with softmax cross-entropy over all outputs.</summary>
    private static Action TrainStep(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, long classes, out optim.Optimizer optimizer)
    {
        var sgd = optim.SGD(model.parameters(), learningRate: 0.01, momentum: 0.9);
        optimizer = sgd;
        return () =>
        {
            using var scope = NewDisposeScope();
            sgd.zero_grad(); // zeroes the gradients in place, as zero_grad(set_to_none=False)
            var loss = F.cross_entropy(model.call(x).reshape(-1, classes), y.reshape(-1));
            loss.backward();
            sgd.step();
        };
    }

    private static Action Inference(nn.Module<Tensor, Tensor> model, Tensor x) => () =>
    {
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        model.call(x);
    };

    /// <summary>Vocabulary 65 → embedding 64 → LSTM 128 → logits over the vocabulary at every step.</summary>
    private sealed class CharLstm : nn.Module<Tensor, Tensor>
    {
        private readonly Embedding emb = nn.Embedding(65, 64);
        private readonly LSTM lstm = nn.LSTM(64, 128, batchFirst: true);
        private readonly Linear output = nn.Linear(128, 65);

        public CharLstm() : base(nameof(CharLstm)) => RegisterComponents();

        public override Tensor forward(Tensor tokens) => output.call(lstm.call(emb.call(tokens), null).Item1);
    }
}
