using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using NetGen.Checkpoints;
using NetGen.Optimizers;
using NetGen.Tests.Data;

namespace NetGen.Tests.Checkpoints;

public class CheckpointTests
{
    private static Adam TrainedAdam(TinyNetwork net)
    {
        var adam = new Adam(net.Parameters.Length, 0.01f);
        for (int s = 0; s < 3; s++)
        {
            for (int i = 0; i < net.Gradients.Length; i++) net.Gradients[i] = MathF.Sin(i + s);
            adam.Step(net.Parameters, net.Gradients);
        }
        return adam;
    }

    [Fact]
    public void RoundTripRestoresParametersOptimizerStateAndPosition()
    {
        using var dir = new TempDirectory();
        var source = new TinyNetwork();
        var adam = TrainedAdam(source);
        var position = new TrainingPosition(7, 1234, (1u, 0xdeadbeefu, 3u, uint.MaxValue));
        string path = dir.File("tiny.safetensors");
        Checkpoint.Save(path, source, adam, position, new Dictionary<string, string> { ["note"] = "hello" });

        var target = new TinyNetwork();
        target.Parameters.Clear();
        var restored = new Adam(target.Parameters.Length, 0.5f);
        var loaded = Checkpoint.Load(path, target, restored);

        Assert.Equal(position, loaded);
        Assert.Equal(source.Parameters.ToArray(), target.Parameters.ToArray());
        Assert.Equal(adam.StepCount, restored.StepCount);
        Assert.Equal(0.5f, restored.LearningRate);
        for (int k = 0; k < adam.State.Count; k++) Assert.Equal(adam.State[k].Values, restored.State[k].Values);

        var info = Checkpoint.Inspect(path);
        Assert.Equal("TinyNetwork", info.NetworkType);
        Assert.Equal(source.ShapeSignature.ToString("x16"), info.ShapeSignature);
        Assert.Equal("adam", info.OptimizerKind);
        Assert.Equal(3, info.OptimizerStep);
        Assert.Equal(position, info.Position);
        Assert.Equal("hello", info.Metadata["note"]);
        Assert.Equal(source.Parameters.Length, info.ParameterCount);
        Assert.Equal(
            ["L1.weight", "L1.bias", "L2.weight", "L2.bias", "Emb.weight",
             "optimizer.m.L1.weight", "optimizer.m.L1.bias", "optimizer.m.L2.weight", "optimizer.m.L2.bias", "optimizer.m.Emb.weight",
             "optimizer.v.L1.weight", "optimizer.v.L1.bias", "optimizer.v.L2.weight", "optimizer.v.L2.bias", "optimizer.v.Emb.weight"],
            info.Tensors.Select(t => t.Name));
        Assert.Contains("L1.weight F32 [4, 3]", info.ToString());
    }

    [Fact]
    public void ParametersOnlyCheckpointHasNoPositionAndRefusesAnOptimizer()
    {
        using var dir = new TempDirectory();
        string path = dir.File("weights.safetensors");
        Checkpoint.Save(path, new TinyNetwork());
        Assert.Null(Checkpoint.Load(path, new TinyNetwork()));
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, new TinyNetwork(), new Sgd(34, 0.1f, 0.9f)));
        Assert.Contains(path, ex.Message);
        Assert.Contains("no optimizer state", ex.Message);
    }

    [Fact]
    public void OptimizerKindMismatchIsRefused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("adam.safetensors");
        var net = new TinyNetwork();
        Checkpoint.Save(path, net, TrainedAdam(net));
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, new TinyNetwork(), new Sgd(net.Parameters.Length, 0.1f, 0.9f)));
        Assert.Contains("adam optimizer state but a sgd optimizer", ex.Message);
    }

    /// <summary>Parses the file with its own minimal reader (not <see cref="SafeTensors"/>) and checks names, shapes,
    /// offsets and that dense weights are in PyTorch's [out, in] layout.</summary>
    [Fact]
    public void FileMatchesTheSafetensorsLayoutByAnIndependentParse()
    {
        using var dir = new TempDirectory();
        var net = new TinyNetwork();
        string path = dir.File("tiny.safetensors");
        Checkpoint.Save(path, net);
        byte[] bytes = File.ReadAllBytes(path);
        long n = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, (8 + n) % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)n));
        var root = header.RootElement;
        Assert.Equal("TinyNetwork", root.GetProperty("__metadata__").GetProperty("netgen.network").GetString());
        float At(string name, int index)
        {
            var offsets = root.GetProperty(name).GetProperty("data_offsets");
            return BitConverter.ToSingle(bytes, (int)(8 + n + offsets[0].GetInt64() + 4 * index));
        }
        foreach (var t in net.ParameterTensors)
        {
            var e = root.GetProperty(t.Name);
            Assert.Equal("F32", e.GetProperty("dtype").GetString());
            Assert.Equal(t.Shape, e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()));
            Assert.Equal(4L * t.Length, e.GetProperty("data_offsets")[1].GetInt64() - e.GetProperty("data_offsets")[0].GetInt64());
        }
        // L1.weight is [out = 4, in = 3] in the file; internally [in, out].
        var w = net.Layers[1].Weight;
        for (int o = 0; o < 4; o++)
            for (int i = 0; i < 3; i++) Assert.Equal(w[i * 4 + o], At("L1.weight", o * 3 + i));
        Assert.Equal(net.Layers[2].Bias[1], At("L2.bias", 1));
        Assert.Equal(bytes.Length, 8 + n + root.EnumerateObject().Where(p => p.Name != "__metadata__")
            .Sum(p => p.Value.GetProperty("data_offsets")[1].GetInt64() - p.Value.GetProperty("data_offsets")[0].GetInt64()));
    }

    [Fact]
    public void DifferentNetworkIsRefusedNamingBothTypesAndSignatures()
    {
        using var dir = new TempDirectory();
        string path = dir.File("tiny.safetensors");
        var saved = new TinyNetwork(4);
        Checkpoint.Save(path, saved);
        var other = new TinyNetwork(5);
        var before = other.Parameters.ToArray();
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, other));
        Assert.Contains("TinyNetwork ", ex.Message);
        Assert.Contains("TinyNetwork5", ex.Message);
        Assert.Contains(saved.ShapeSignature.ToString("x16"), ex.Message);
        Assert.Contains(other.ShapeSignature.ToString("x16"), ex.Message);
        Assert.Equal(before, other.Parameters.ToArray());
    }

    [Fact]
    public void CrashMidSaveLeavesTheOldCheckpointIntact()
    {
        using var dir = new TempDirectory();
        string path = dir.File("tiny.safetensors");
        var net = new TinyNetwork();
        Checkpoint.Save(path, net);
        byte[] old = File.ReadAllBytes(path);

        net.Parameters.Fill(42f);
        var ex = Assert.Throws<IOException>(() =>
            Checkpoint.Save(path, net, null, null, null, wrap: inner => new CrashingStream(inner, crashAfter: 100)));
        Assert.Equal("simulated crash", ex.Message);
        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));

        Checkpoint.Save(path, net);
        var reloaded = new TinyNetwork();
        Checkpoint.Load(path, reloaded);
        Assert.All(reloaded.Parameters.ToArray(), v => Assert.Equal(42f, v));
    }

    [Fact]
    public void MissingTensorAndWrongShapeAreNamed()
    {
        using var dir = new TempDirectory();
        string path = dir.File("foreign.safetensors");
        var net = new TinyNetwork();
        var tensors = net.ParameterTensors.Select(t => new SafeTensor(t.Name, t.Shape, new float[t.Length])).ToList();
        tensors[4] = new SafeTensor("Emb.weight", [2, 5], new float[10]);
        using (var f = File.Create(path)) SafeTensors.Write(f, tensors);
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, net));
        Assert.Contains("'Emb.weight' has shape [2, 5] but TinyNetwork needs [5, 2]", ex.Message);

        tensors.RemoveAt(4);
        using (var f = File.Create(path)) SafeTensors.Write(f, tensors);
        ex = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, net));
        Assert.Contains("has no tensor 'Emb.weight'", ex.Message);
        Assert.Contains(path, ex.Message);
    }

    /// <summary>Written by tools/fixtures/torch_checkpoint.py from a PyTorch state dict, with weight[o, i] = layer + o/10 − i/100.</summary>
    [Fact]
    public void LoadsAFileWrittenByPyTorch()
    {
        var net = new TinyNetwork();
        Assert.Null(Checkpoint.Load(TestFiles.Repository("NetGen.Tests/Fixtures/torch-tiny.safetensors"), net));
        for (int layer = 1; layer <= 2; layer++)
        {
            var l = net.Layers[layer];
            int outputs = l.OutputSize, inputs = l.Weight.Length / outputs;
            for (int i = 0; i < inputs; i++)
                for (int o = 0; o < outputs; o++)
                    Assert.Equal(layer + o / 10f - i / 100f, l.Weight[i * outputs + o], 1e-6f);
            for (int o = 0; o < outputs; o++) Assert.Equal(-layer - o / 10f, l.Bias[o], 1e-6f);
        }
    }

    /// <summary>The committed NetGen-written checkpoint that tools/check_checkpoint.py verifies in Python still loads.
    /// Set NETGEN_REGENERATE_FIXTURES=1 to rewrite it.</summary>
    [Fact]
    public void CommittedNetGenCheckpointStillLoads()
    {
        string path = TestFiles.Repository("NetGen.Tests/Fixtures/netgen-tiny.safetensors");
        if (Environment.GetEnvironmentVariable("NETGEN_REGENERATE_FIXTURES") == "1")
        {
            var source = new TinyNetwork();
            var sgd = new Sgd(source.Parameters.Length, 0.1f, 0.9f);
            source.Gradients.Fill(1f);
            sgd.Step(source.Parameters, source.Gradients);
            Checkpoint.Save(path, source, sgd, new TrainingPosition(1, 1, (1u, 2u, 3u, 4u)));
        }
        var net = new TinyNetwork();
        net.Parameters.Clear();
        var restored = new Sgd(net.Parameters.Length, 0.1f, 0.9f);
        Assert.Equal(new TrainingPosition(1, 1, (1u, 2u, 3u, 4u)), Checkpoint.Load(path, net, restored));
        var expected = new TinyNetwork().Parameters.ToArray().Select(p => p - 0.1f).ToArray();
        Assert.Equal(expected, net.Parameters.ToArray());
        Assert.All(restored.State[0].Values, v => Assert.Equal(1f, v));
        Assert.Equal(1, restored.StepCount);
    }

    private sealed class CrashingStream(Stream inner, long crashAfter) : Stream
    {
        private long _written;
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > crashAfter) throw new IOException("simulated crash");
            inner.Write(buffer);
            _written += buffer.Length;
        }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
