using System.Text.Json;
using NetGen.Optimizers;
using NetGen.Tests.Data;
using Factory = NetGen.Optimizers.Optimizers;

namespace NetGen.Tests.Optimizers;

/// <summary>Optimizers, schedules and clipping against PyTorch 1.13 (fixtures from tools/fixtures/optimizers.py).</summary>
public class OptimizerTests
{
    private static readonly JsonElement Fixture =
        JsonDocument.Parse(File.ReadAllText(TestFiles.Repository("NetGen.Tests/Fixtures/optimizers.json"))).RootElement;

    private static float[] Floats(JsonElement e) => e.EnumerateArray().Select(x => x.GetSingle()).ToArray();

    public static TheoryData<int> Cases() => new(Enumerable.Range(0, Fixture.GetProperty("optimizers").GetArrayLength()));

    private static Optimizer Make(JsonElement c, int count)
    {
        float lr = c.GetProperty("lr").GetSingle(), wd = c.GetProperty("weight_decay").GetSingle();
        return c.GetProperty("kind").GetString() switch
        {
            "sgd" => new Sgd(count, lr, c.GetProperty("momentum").GetSingle(), c.GetProperty("nesterov").GetBoolean(), wd),
            var kind => new Adam(count, lr, c.GetProperty("beta1").GetSingle(), c.GetProperty("beta2").GetSingle(),
                c.GetProperty("eps").GetSingle(), wd, decoupledWeightDecay: kind == "adamw"),
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void StepsMatchPyTorch(int index)
    {
        var c = Fixture.GetProperty("optimizers")[index];
        float[] p = Floats(Fixture.GetProperty("initial"));
        var gradients = Fixture.GetProperty("gradients").EnumerateArray().Select(Floats).ToArray();
        var opt = Make(c, p.Length);
        Assert.Equal(c.GetProperty("kind").GetString(), opt.Kind);
        var expected = c.GetProperty("params").EnumerateArray().Select(Floats).ToArray();
        for (int s = 0; s < gradients.Length; s++)
        {
            opt.Step(p, gradients[s]);
            Assert.Equal(s + 1, opt.StepCount);
            for (int i = 0; i < p.Length; i++)
                Assert.True(MathF.Abs(p[i] - expected[s][i]) <= 1e-5f + 1e-5f * MathF.Abs(expected[s][i]),
                    $"{opt.Kind} step {s + 1} parameter {i}: {p[i]} vs PyTorch {expected[s][i]}");
        }
    }

    public static TheoryData<string> Rules() => new("sgd", "sgd momentum", "sgd nesterov decay", "adam", "adam decay", "adamw decay");

    private static Optimizer MakeRule(string rule, int n) => rule switch
    {
        "sgd" => new Sgd(n, 0.1f),
        "sgd momentum" => new Sgd(n, 0.1f, 0.9f),
        "sgd nesterov decay" => new Sgd(n, 0.1f, 0.9f, nesterov: true, weightDecay: 0.01f),
        "adam" => new Adam(n, 0.01f),
        "adam decay" => new Adam(n, 0.01f, weightDecay: 0.01f),
        _ => new Adam(n, 0.01f, weightDecay: 0.01f, decoupledWeightDecay: true),
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void EveryVectorWidthGivesTheScalarResultBitForBit(string rule)
    {
        // Sizes around the 8- and 16-lane chunks, so that vector bodies and scalar tails meet at every offset.
        foreach (int n in new[] { 1, 7, 8, 9, 15, 16, 17, 31, 33, 100, 257 })
        {
            var rng = new Rng((ulong)n);
            float[] initial = Enumerable.Range(0, n).Select(_ => rng.NextFloat() - 0.5f).ToArray();
            float[][] grads = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, n).Select(_ => rng.NextFloat() - 0.5f).ToArray()).ToArray();
            (float[] Parameters, float[][] State) Run(int lanes)
            {
                var opt = MakeRule(rule, n);
                opt.MaxLanes = lanes;
                float[] p = (float[])initial.Clone();
                foreach (var g in grads) opt.Step(p, g);
                return (p, opt.State.Select(st => st.Values).ToArray());
            }
            var scalar = Run(1);
            foreach (int lanes in new[] { 4, 8, 16 })
            {
                var vector = Run(lanes);
                Assert.Equal(scalar.Parameters, vector.Parameters);
                Assert.Equal(scalar.State, vector.State);
            }
        }
    }

    [Fact]
    public void RestoredStateContinuesExactly()
    {
        float[] init = Floats(Fixture.GetProperty("initial"));
        var grads = Fixture.GetProperty("gradients").EnumerateArray().Select(Floats).ToArray();
        float[] a = (float[])init.Clone();
        var full = new Adam(a.Length, 0.01f);
        foreach (var g in grads) full.Step(a, g);

        float[] b = (float[])init.Clone();
        var first = new Adam(b.Length, 0.01f);
        for (int s = 0; s < 2; s++) first.Step(b, grads[s]);
        var resumed = new Adam(b.Length, 0.01f);
        for (int k = 0; k < first.State.Count; k++) first.State[k].Values.CopyTo(resumed.State[k].Values, 0);
        resumed.RestoreStepCount(first.StepCount);
        for (int s = 2; s < grads.Length; s++) resumed.Step(b, grads[s]);
        Assert.Equal(a, b);
    }

    [Fact]
    public void StepAllocatesNothing()
    {
        var p = new float[1000]; var g = new float[1000];
        g.AsSpan().Fill(0.5f);
        foreach (var opt in new Optimizer[] { new Sgd(1000, 0.1f, 0.9f, true, 0.1f), new Adam(1000, weightDecay: 0.1f, decoupledWeightDecay: true) })
        {
            opt.Step(p, g);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++) opt.Step(p, g);
            Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        }
    }

    [Fact]
    public void StepRejectsWrongLengthNamingBothCounts()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Sgd(10, 0.1f).Step(new float[9], new float[10]));
        Assert.Contains("10 parameters", ex.Message);
        Assert.Contains("got 9", ex.Message);
    }

    [Fact]
    public void FactoryCreatesByNameAndListsValidNames()
    {
        var sgd = Assert.IsType<Sgd>(Factory.Create("SGD", 5, 0.1f));
        Assert.Equal(0.9f, sgd.Momentum);
        Assert.Equal("adam", Factory.Create("adam", 5, 0.1f).Kind);
        var adamw = Assert.IsType<Adam>(Factory.Create("adamw", 5, 0.1f));
        Assert.True(adamw.DecoupledWeightDecay);
        Assert.Equal(0.1f, adamw.LearningRate);
        var ex = Assert.Throws<ArgumentException>(() => Factory.Create("rmsprop", 5, 0.1f));
        Assert.Contains("rmsprop", ex.Message);
        Assert.Contains("sgd, adam, adamw", ex.Message);
    }

    [Fact]
    public void ResetClearsStateAndStepCount()
    {
        var opt = new Sgd(3, 0.1f, 0.9f);
        float[] p = [1, 2, 3];
        opt.Step(p, [1, 1, 1]);
        Assert.NotEqual(0f, opt.State[0].Values[0]);
        opt.Reset();
        Assert.Equal(0, opt.StepCount);
        Assert.All(opt.State[0].Values, v => Assert.Equal(0f, v));
    }

    public static TheoryData<int> ScheduleCases() => new(Enumerable.Range(0, Fixture.GetProperty("schedules").GetArrayLength()));

    [Theory]
    [MemberData(nameof(ScheduleCases))]
    public void SchedulesMatchPyTorch(int index)
    {
        var c = Fixture.GetProperty("schedules")[index];
        LearningRateSchedule schedule = c.GetProperty("kind").GetString() switch
        {
            "step" => new StepDecay(c.GetProperty("step_size").GetInt64(), c.GetProperty("gamma").GetSingle()),
            "cosine" => new Cosine(c.GetProperty("total").GetInt64(), c.GetProperty("min_factor").GetSingle()),
            _ => new LinearWarmup(c.GetProperty("warmup").GetInt64(), new Constant()),
        };
        float[] expected = Floats(c.GetProperty("factors"));
        for (int s = 0; s < expected.Length; s++)
            Assert.True(MathF.Abs(schedule.Factor(s) - expected[s]) < 1e-6f, $"{schedule} step {s}: {schedule.Factor(s)} vs {expected[s]}");
    }

    [Fact]
    public void WarmupHandsOverToTheNextScheduleFromItsStepZero()
    {
        var s = new LinearWarmup(2, new StepDecay(1, 0.5f));
        Assert.Equal([0.5f, 1f, 1f, 0.5f, 0.25f], Enumerable.Range(0, 5).Select(i => s.Factor(i)));
    }

    [Fact]
    public void ClippingMatchesPyTorch()
    {
        foreach (var c in Fixture.GetProperty("clip").EnumerateArray())
        {
            float[] g = Floats(c.GetProperty("gradients"));
            float norm = GradientClipping.ClipByGlobalNorm(g, c.GetProperty("max_norm").GetSingle());
            Assert.Equal(c.GetProperty("norm").GetSingle(), norm, 1e-4f);
            float[] expected = Floats(c.GetProperty("clipped"));
            for (int i = 0; i < g.Length; i++) Assert.Equal(expected[i], g[i], 1e-5f);
        }
    }

    [Fact]
    public void ClippingLargeBufferKeepsDirectionAndReachesMaxNorm()
    {
        var g = Enumerable.Range(0, 1001).Select(i => (float)Math.Sin(i)).ToArray();
        var original = (float[])g.Clone();
        double expectedNorm = Math.Sqrt(original.Sum(x => (double)x * x));
        float norm = GradientClipping.ClipByGlobalNorm(g, 2f);
        Assert.Equal(expectedNorm, norm, 1e-3);
        Assert.Equal(2.0, Math.Sqrt(g.Sum(x => (double)x * x)), 1e-4);
        for (int i = 0; i < g.Length; i++) Assert.Equal(original[i] * 2f / (norm + 1e-6f), g[i], 1e-6f);
    }
}
