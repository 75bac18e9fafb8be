using System.Text.Json;

namespace NetGen.Tests.SequenceKernels;

/// <summary>
/// Reads the PyTorch reference values under NetGen.Tests/Fixtures/recurrent/ (written by
/// tools/fixtures/recurrent_fixtures.py). Tensors are stored as <c>{ "shape": [...], "data": [...] }</c>, row-major,
/// in PyTorch's layout.
/// </summary>
internal static class TorchFixture
{
    public static JsonElement Load(string name)
    {
        string path = NetGen.Tests.Data.TestFiles.Repository(Path.Combine("NetGen.Tests", "Fixtures", "recurrent", name + ".json"));
        return File.Exists(path)
            ? JsonDocument.Parse(File.ReadAllText(path)).RootElement
            : throw new FileNotFoundException($"Fixture {path} is missing: run /usr/bin/python3 tools/fixtures/recurrent_fixtures.py.", path);
    }

    public static float[] Data(JsonElement tensor) =>
        tensor.GetProperty("data").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    public static int[] Shape(JsonElement tensor) =>
        tensor.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();

    /// <summary>The 2-D tensor's data transposed: PyTorch's <c>[out, in]</c> to the kernels' <c>[in, out]</c> and back.</summary>
    public static float[] Transposed(JsonElement tensor)
    {
        int[] shape = Shape(tensor);
        return Transpose(Data(tensor), shape[0], shape[1]);
    }

    public static float[] Transpose(float[] a, int rows, int cols)
    {
        var t = new float[a.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                t[c * rows + r] = a[r * cols + c];
        return t;
    }

    public static void AssertClose(float[] expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.True(expected.Length <= actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"{what}[{i}]: NetGen {actual[i]} vs PyTorch {expected[i]} (tolerance {tolerance})");
    }
}
