using System.Buffers.Binary;
using System.Text;
using NetGen.Checkpoints;
using NetGen.Tests.Data;

namespace NetGen.Tests.Checkpoints;

/// <summary>Every check of the reader, on files written byte by byte.</summary>
public class SafeTensorsValidationTests
{
    private static byte[] File(string header, int dataBytes, ulong? declaredLength = null)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)h.Length);
        h.CopyTo(bytes, 8);
        return bytes;
    }

    private static string Tensor(string name, string shape, long begin, long end, string dtype = "F32") =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    public static TheoryData<string, byte[], string> BadFiles() => new()
    {
        { "too short", new byte[5], "5 bytes long, too short" },
        { "huge header", File("{}", 0, declaredLength: 200_000_000), "200000000-byte header, more than the 100000000 allowed" },
        { "truncated header", File("{}", 0, declaredLength: 50), "declares a 50-byte header but only 2 bytes follow" },
        { "not an object", File("[1,2]", 0), "not valid JSON" },
        { "bad json", File("{\"a\":", 0), "not valid JSON" },
        { "metadata not strings", File("{\"__metadata__\":{\"epoch\":3}}", 0), "metadata values must be strings" },
        { "dtype F16", File("{" + Tensor("w", "[2]", 0, 4, "F16") + "}", 4), "has dtype F16; NetGen reads F32 tensors only" },
        { "no dtype", File("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "'w' has no dtype" },
        { "no offsets", File("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "'w' has no data_offsets" },
        { "negative dim", File("{" + Tensor("w", "[-1]", 0, 4) + "}", 4), "shape entry -1" },
        { "size mismatch", File("{" + Tensor("w", "[2,3]", 0, 20) + "}", 20), "shape [2, 3] (F32) but data_offsets [0, 20] span 20 bytes" },
        { "reversed offsets", File("{" + Tensor("w", "[0]", 8, 4) + "}", 8), "begin ≤ end" },
        { "not from zero", File("{" + Tensor("w", "[1]", 4, 8) + "}", 8), "'w' starts at data offset 4 but the previous tensor ends at 0" },
        { "gap", File("{" + Tensor("a", "[1]", 0, 4) + "," + Tensor("b", "[1]", 8, 12) + "}", 12), "'b' starts at data offset 8" },
        { "overlap", File("{" + Tensor("a", "[2]", 0, 8) + "," + Tensor("b", "[1]", 4, 8) + "}", 8), "starts at data offset 4 but the previous tensor ends at 8" },
        { "trailing bytes", File("{" + Tensor("w", "[1]", 0, 4) + "}", 8), "cover 4 bytes but the data section holds 8" },
        { "truncated data", File("{" + Tensor("w", "[3]", 0, 12) + "}", 8), "cover 12 bytes but the data section holds 8" },
        { "duplicate name", File("{" + Tensor("w", "[1]", 0, 4) + "," + Tensor("w", "[1]", 4, 8) + "}", 8), "names 'w' twice" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void MalformedFileIsRejectedNamingFileAndProblem(string what, byte[] bytes, string problem)
    {
        using var dir = new TempDirectory();
        string path = dir.File(what.Replace(' ', '-') + ".safetensors");
        System.IO.File.WriteAllBytes(path, bytes);
        foreach (var read in new Action[] { () => SafeTensors.Read(path), () => Checkpoint.Inspect(path) })
        {
            var ex = Assert.Throws<CheckpointException>(read);
            Assert.Contains(path, ex.Message);
            Assert.Contains(problem, ex.Message);
            Assert.IsAssignableFrom<IOException>(ex);
        }
    }

    [Fact]
    public void ValidHandWrittenFileWithPaddingAndUnsortedEntriesReads()
    {
        using var dir = new TempDirectory();
        string path = dir.File("ok.safetensors");
        byte[] bytes = File("{" + Tensor("b", "[1]", 8, 12) + "," + Tensor("a", "[2]", 0, 8) + ",\"__metadata__\":{\"k\":\"v\"}}   ", 12);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(bytes.Length - 12), 1.5f);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(bytes.Length - 4), -2f);
        System.IO.File.WriteAllBytes(path, bytes);
        var file = SafeTensors.Read(path);
        Assert.Equal("v", file.Metadata["k"]);
        Assert.Equal([1.5f, 0f], file.Tensors["a"].Data);
        Assert.Equal([-2f], file.Tensors["b"].Data);
        Assert.Equal([2], file.Tensors["a"].Shape);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var ex = Assert.Throws<CheckpointException>(() => SafeTensors.Read("/nonexistent/x.safetensors"));
        Assert.Contains("/nonexistent/x.safetensors", ex.Message);
    }

    [Fact]
    public void WriterRejectsDataThatDoesNotMatchItsShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => SafeTensors.Write(Stream.Null, [new SafeTensor("w", [2, 2], new float[3])]));
        Assert.Contains("'w' has 3 values but shape [2, 2]", ex.Message);
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(Stream.Null, [new SafeTensor("w", [1], [1f]), new SafeTensor("w", [1], [1f])]));
    }
}
