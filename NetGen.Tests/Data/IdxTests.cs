using System.Buffers.Binary;
using System.IO.Compression;
using NetGen.Data;

namespace NetGen.Tests.Data;

public class IdxTests
{
    private static readonly string Subset = TestFiles.Repository("data/fashion-mnist-subset");

    [Fact]
    public void LoadsTheCommittedFashionMnistSubset()
    {
        var train = Idx.LoadDirectory(Subset, train: true);
        Assert.Equal(4000, train.Count);
        Assert.Equal([1, 28, 28], train.SampleShape);
        Assert.Equal(784, train.SampleSize);
        Assert.Equal(10, train.Classes);
        Assert.Equal([9, 0, 0, 3, 0, 2, 7, 2, 5, 5], train.Labels[..10].ToArray());
        float min = float.MaxValue, max = float.MinValue;
        foreach (float x in train.Features) { min = Math.Min(min, x); max = Math.Max(max, x); }
        Assert.Equal(0f, min);
        Assert.Equal(1f, max);

        var test = Idx.LoadDirectory(Subset, train: false);
        Assert.Equal(1000, test.Count);
        Assert.Equal([9, 2, 1, 1, 6], test.Labels[..5].ToArray());
        Assert.Equal(Enumerable.Range(0, 10), test.Labels.ToArray().Distinct().Order());
    }

    private static byte[] IdxBytes(int magicDims, int[] dims, int dataBytes, Func<int, byte>? value = null)
    {
        var bytes = new byte[4 + 4 * dims.Length + dataBytes];
        bytes[2] = 0x08;
        bytes[3] = (byte)magicDims;
        for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dims[d]);
        for (int i = 0; i < dataBytes; i++) bytes[4 + 4 * dims.Length + i] = value?.Invoke(i) ?? (byte)(i % 256);
        return bytes;
    }

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest)) gz.Write(data);
        return output.ToArray();
    }

    [Fact]
    public void RawAndGzipFilesLoadAlikeAndScalePixels()
    {
        using var dir = new TempDirectory();
        byte[] images = IdxBytes(3, [3, 2, 2], 12, i => (byte)(i * 20)), labels = IdxBytes(1, [3], 3, i => (byte)(2 - i));
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte"), images);
        File.WriteAllBytes(dir.File("train-labels-idx1-ubyte"), labels);
        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte.gz"), Gzip(images));
        File.WriteAllBytes(dir.File("t10k-labels-idx1-ubyte.gz"), Gzip(labels));
        var raw = Idx.LoadDirectory(dir.Path, train: true);
        var gz = Idx.LoadDirectory(dir.Path, train: false);
        Assert.Equal(raw.Features.ToArray(), gz.Features.ToArray());
        Assert.Equal([2, 1, 0], gz.Labels.ToArray());
        Assert.Equal(3, gz.Classes);
        Assert.Equal([1, 2, 2], gz.SampleShape);
        Assert.Equal(220f / 255f, raw.Features[11]);
        Assert.Equal(10, Idx.Load(dir.File("train-images-idx3-ubyte"), dir.File("train-labels-idx1-ubyte"), classes: 10).Classes);
    }

    public static TheoryData<string, byte[], byte[], string> BadPairs() => new()
    {
        { "wrong magic", IdxBytes(1, [2], 2), IdxBytes(1, [2], 2), "does not start with the idx magic 00 00 08 03" },
        { "header truncated", IdxBytes(3, [2], 0), IdxBytes(1, [2], 2), "is truncated: 8 bytes, shorter than its 16-byte header" },
        { "data truncated", IdxBytes(3, [2, 2, 2], 7), IdxBytes(1, [2], 2), "declares [2 × 2 × 2] = 8 bytes of data but holds 7; the file is truncated" },
        { "trailing bytes", IdxBytes(3, [2, 2, 2], 9), IdxBytes(1, [2], 2), "holds 9; it has trailing bytes" },
        { "zero dimension", IdxBytes(3, [2, 0, 2], 0), IdxBytes(1, [2], 2), "declares dimension 1 as 0" },
        { "count mismatch", IdxBytes(3, [2, 2, 2], 8), IdxBytes(1, [3], 3), "holds 2 images but" },
        { "label out of range", IdxBytes(3, [2, 2, 2], 8), IdxBytes(1, [2], 2, i => (byte)(i * 7)), "has label 7 at index 1, outside [0, 5)" },
        { "corrupt gzip", Gzip(IdxBytes(3, [2, 2, 2], 8))[..12], IdxBytes(1, [2], 2), "is a truncated gzip file" },
    };

    [Theory]
    [MemberData(nameof(BadPairs))]
    public void MalformedFilesThrowNamingTheFile(string what, byte[] images, byte[] labels, string problem)
    {
        using var dir = new TempDirectory();
        string imagesPath = dir.File("images.idx"), labelsPath = dir.File("labels.idx");
        File.WriteAllBytes(imagesPath, images);
        File.WriteAllBytes(labelsPath, labels);
        var ex = Assert.Throws<InvalidDataException>(() => Idx.Load(imagesPath, labelsPath, classes: 5));
        Assert.Contains(what == "label out of range" ? labelsPath : imagesPath, ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void MissingDirectoryFileListsTheExpectedNames()
    {
        using var dir = new TempDirectory();
        var ex = Assert.Throws<FileNotFoundException>(() => Idx.LoadDirectory(dir.Path, train: false));
        Assert.Contains(dir.Path, ex.Message);
        Assert.Contains("t10k-images-idx3-ubyte(.gz)", ex.Message);
        Assert.Contains("train-labels-idx1-ubyte", ex.Message);
    }
}
