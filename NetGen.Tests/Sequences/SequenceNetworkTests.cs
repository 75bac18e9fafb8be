using NetGen.Optimizers;

namespace NetGen.Tests.Sequences;

/// <summary>Behaviour of generated sequence networks: truncated BPTT state, allocations, metadata, a toy task learned.</summary>
public class SequenceNetworkTests
{
    private static float[] Tokens(int count, int vocabulary, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, count).Select(_ => (float)rng.NextInt(vocabulary)).ToArray();
    }

    /// <summary>Batch-major rows of <paramref name="steps"/> tokens: window <paramref name="window"/> of every stream.</summary>
    private static float[] Window(float[] streams, int batch, int length, int window, int steps)
    {
        var result = new float[batch * steps];
        for (int b = 0; b < batch; b++)
            Array.Copy(streams, b * length + window * steps, result, b * steps, steps);
        return result;
    }

    [Fact]
    public void StatefulLayersContinueTheSequenceAcrossCalls()
    {
        const int batch = 2;
        var whole = new SixSteps(batch, seed: 11);
        var windows = new ThreeStepsStateful(batch, seed: 12);
        Assert.Equal(SixSteps.ParameterCount, ThreeStepsStateful.ParameterCount);
        whole.Parameters.CopyTo(windows.Parameters);
        float[] streams = Tokens(batch * 6, 5, 13);
        float[] expected = whole.Forward(streams, batch).ToArray(); // [B, 6, 5]

        for (int pass = 0; pass < 2; pass++)
        {
            windows.ResetState();
            for (int w = 0; w < 2; w++)
            {
                float[] output = windows.Forward(Window(streams, batch, 6, w, 3), batch).ToArray();
                for (int b = 0; b < batch; b++)
                    for (int i = 0; i < 3 * 5; i++)
                        Assert.Equal(expected[b * 30 + w * 15 + i], output[b * 15 + i], 1e-5f);
            }
        }

        // Without a reset, the next window starts from the state after step 6, so it differs from the first window.
        float[] continued = windows.Forward(Window(streams, batch, 6, 0, 3), batch).ToArray();
        Assert.NotEqual(expected[0], continued[0]);
    }

    [Fact]
    public void TruncatedBackpropagationStopsAtTheWindowAndKeepsTheState()
    {
        const int batch = 2;
        var net = new ThreeStepsStateful(batch, seed: 14);
        float[] first = Tokens(batch * 3, 5, 15), second = Tokens(batch * 3, 5, 16);
        int[] labels = [0, 1, 2, 3, 4, 0];
        net.TrainStep(first, labels, batch);
        float afterFirst = net.TrainStep(second, labels, batch);
        float[] gradients = net.Gradients.ToArray();
        net.ResetState();
        net.TrainStep(first, labels, batch);
        Assert.Equal(afterFirst, net.TrainStep(second, labels, batch));
        Assert.Equal(gradients, net.Gradients.ToArray());
        net.ResetState();
        Assert.NotEqual(afterFirst, net.TrainStep(second, labels, batch));
    }

    [Fact]
    public void TrainStepAndForwardAllocateNothing()
    {
        const int batch = 4;
        var net = new LstmGruTagger(batch, seed: 17);
        var stateful = new ThreeStepsStateful(batch, seed: 18);
        float[] tokens = Tokens(batch * LstmGruTagger.InputSize, 5, 19), short3 = Tokens(batch * 3, 5, 20);
        int[] labels = Enumerable.Range(0, batch * 4).Select(i => i % 5).ToArray();
        void Run(int i)
        {
            net.TrainStep(tokens, labels, batch);
            int b = 1 + i % batch;
            net.Forward(tokens.AsSpan(0, b * LstmGruTagger.InputSize), b);
            stateful.TrainStep(short3, labels.AsSpan(0, batch * 3), batch);
            stateful.Forward(short3.AsSpan(0, b * 3), b);
        }
        for (int i = 0; i < 3; i++) Run(i);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) Run(i);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void MetadataDescribesSequences()
    {
        Assert.Equal(4, LstmGruTagger.InputSize);
        Assert.Equal(4 * 5, LstmGruTagger.OutputSize);
        Assert.Equal(5f, LstmGruTagger.DefaultClipNorm);
        INetwork net = new LstmGruTagger(1);
        Assert.Equal(5f, net.RecommendedClipNorm);
        Assert.Null(((INetwork)new NetGen.Tests.Networks.Mlp(1)).RecommendedClipNorm);
        Assert.Equal(
            ["Embed.weight", "L1.weight_ih_l0", "L1.weight_hh_l0", "L1.bias_ih_l0", "L1.bias_hh_l0",
             "G2.weight_ih_l0", "G2.weight_hh_l0", "G2.bias_ih_l0", "G2.bias_hh_l0", "Logits.weight", "Logits.bias"],
            net.ParameterTensors.Select(t => t.Name));
        Assert.Equal([16, 3], net.ParameterTensors[1].Shape); // PyTorch's [4H, F]
        Assert.Equal([4, 3], (int[])[.. LstmGruTagger.LayerShapes[3]]);
    }

    [Fact]
    public void LstmForgetBiasIsSetAndTheRestIsUniform()
    {
        var net = new RnnLastStateClassifier(1, seed: 21);
        var bIh = net.ParameterTensors.Single(t => t.Name == "Last.bias_ih_l0");
        var bHh = net.ParameterTensors.Single(t => t.Name == "Last.bias_hh_l0");
        var p = net.Parameters;
        const int h = 3;
        float bound = 1f / MathF.Sqrt(h);
        for (int j = 0; j < 4 * h; j++)
        {
            bool forget = j >= h && j < 2 * h;
            float ih = p[bIh.Offset + j], hh = p[bHh.Offset + j];
            if (forget) { Assert.Equal(0.5f, ih); Assert.Equal(0f, hh); }
            else { Assert.InRange(ih, -bound, bound); Assert.InRange(hh, -bound, bound); Assert.NotEqual(0f, ih); }
        }
    }

    [Fact]
    public void WrongLabelCountSaysOnePerStep()
    {
        var net = new LstmGruTagger(2);
        var e = Assert.Throws<ArgumentException>(() => net.TrainStep(new float[8], new int[2], 2));
        Assert.Contains("expected 4 per sample, 8", e.Message);
    }

    [Fact]
    public void TrainerScoresEveryStepOfASequenceOutput()
    {
        // 5 distinct characters, windows of 4: one label (the next character) per step.
        var corpus = NetGen.Data.TextCorpus.FromText(string.Concat(Enumerable.Repeat("abcdeedcbaacebd", 6)));
        var data = corpus.ToSequences(4, 4);
        Assert.Equal(4, data.LabelSize);
        var net = new LstmGruTagger(data.Count, seed: 24);
        var evaluation = NetGen.Training.Trainer.Evaluate(net, data, batchSize: 5);
        float loss = net.TrainStep(data.Features, data.Labels, data.Count);
        Assert.Equal(loss, evaluation.Loss, 1e-5f);
        var output = net.Forward(data.Features, data.Count);
        int correct = NetGen.Training.Metrics.CountCorrect(output, data.Labels, data.Count * 4, 5);
        Assert.Equal((float)correct / (data.Count * 4), evaluation.Accuracy, 1e-6f);

        var trainer = new NetGen.Training.Trainer(net, new Adam(LstmGruTagger.ParameterCount, 0.05f),
            new NetGen.Training.TrainerOptions { Epochs = 3, BatchSize = 4 });
        var result = trainer.Fit(data, data);
        Assert.All(result.Epochs, e => Assert.InRange(e.TrainAccuracy, 0f, 1f));
        Assert.True(result.Epochs[^1].TestLoss < evaluation.Loss, $"held-out loss {result.Epochs[^1].TestLoss} after training, {evaluation.Loss} before");
    }

    /// <summary>Label at step t is the token at t − 2 (0 for the first two steps): needs memory across steps.</summary>
    [Fact]
    public void LearnsToRecallTheTokenTwoStepsBack()
    {
        const int batch = 32, steps = 8, k = 2;
        var net = new TwoBack(batch, seed: 22);
        var adam = new Adam(TwoBack.ParameterCount, learningRate: 0.02f);
        var rng = new Rng(23);
        var tokens = new float[batch * steps];
        var labels = new int[batch * steps];
        void Draw()
        {
            for (int i = 0; i < tokens.Length; i++) tokens[i] = rng.NextInt(4);
            for (int i = 0; i < labels.Length; i++) labels[i] = i % steps >= k ? (int)tokens[i - k] : 0;
        }
        for (int step = 0; step < 200; step++)
        {
            Draw();
            net.TrainStep(tokens, labels, batch);
            GradientClipping.ClipByGlobalNorm(net.Gradients, TwoBack.DefaultClipNorm);
            adam.Step(net.Parameters, net.Gradients);
        }

        int correct = 0, total = 0;
        for (int round = 0; round < 8; round++)
        {
            Draw();
            var output = net.Forward(tokens, batch);
            correct += NetGen.Training.Metrics.CountCorrect(output, labels, batch * steps, 4);
            total += batch * steps;
        }
        Assert.True(correct >= 0.99 * total, $"accuracy {(double)correct / total:P2} on fresh sequences");
    }
}
