using System.Buffers.Binary;
using System.IO.Compression;

namespace NetGen.Data;

/// <summary>
/// The idx format of MNIST and Fashion-MNIST (LeCun et al.): a big-endian magic <c>00 00 08 D</c> (unsigned bytes,
/// D dimensions), D big-endian 32-bit sizes, then the bytes. Files may be gzip-compressed (detected by the magic 1f 8b).
/// </summary>
public static class Idx
{
    /// <summary>File names <see cref="LoadDirectory"/> looks for (each also as <c>.gz</c>).</summary>
    public static (string Images, string Labels) FileNames(bool train) =>
        train ? ("train-images-idx3-ubyte", "train-labels-idx1-ubyte") : ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    /// <summary>
    /// Loads images (N × H × W bytes, scaled to [0, 1] as x/255, sample shape [1, H, W]) and their labels (N bytes).
    /// <paramref name="classes"/> = 0 takes max label + 1.
    /// </summary>
    /// <exception cref="InvalidDataException">A file is truncated, has a wrong magic, the counts differ, or a label is
    /// not below <paramref name="classes"/>; the message names the file.</exception>
    public static Dataset Load(string imagesPath, string labelsPath, int classes = 0)
    {
        var (imageDims, pixels) = Read(imagesPath, expectedDimensions: 3);
        var (labelDims, labelBytes) = Read(labelsPath, expectedDimensions: 1);
        if (imageDims[0] != labelDims[0])
            throw new InvalidDataException($"'{imagesPath}' holds {imageDims[0]} images but '{labelsPath}' holds {labelDims[0]} labels; use the matching pair of files.");
        var labels = new int[labelBytes.Length];
        int max = 0;
        for (int i = 0; i < labels.Length; i++) max = Math.Max(max, labels[i] = labelBytes[i]);
        if (classes > 0 && max >= classes)
            throw new InvalidDataException($"'{labelsPath}' has label {max} at index {Array.IndexOf(labels, max)}, outside [0, {classes}).");
        var features = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++) features[i] = pixels[i] / 255f; // as torchvision's ToTensor
        return new Dataset(features, [1, imageDims[1], imageDims[2]], labels, classes: classes > 0 ? classes : max + 1);
    }

    /// <summary>Loads the training (<c>train-*</c>) or test (<c>t10k-*</c>) pair from <paramref name="dir"/>, each raw or <c>.gz</c>.</summary>
    /// <exception cref="FileNotFoundException">A file is missing; the message lists the names looked for.</exception>
    public static Dataset LoadDirectory(string dir, bool train, int classes = 0)
    {
        var (images, labels) = FileNames(train);
        return Load(Find(dir, images), Find(dir, labels), classes);
    }

    private static string Find(string dir, string name)
    {
        foreach (string candidate in new[] { name + ".gz", name })
        {
            string path = Path.Combine(dir, candidate);
            if (File.Exists(path)) return path;
        }
        var (ti, tl) = FileNames(true);
        var (vi, vl) = FileNames(false);
        throw new FileNotFoundException(
            $"'{dir}' has no {name}(.gz). An idx data directory holds {ti}, {tl}, {vi} and {vl}, each raw or .gz " +
            "(e.g. the Fashion-MNIST or MNIST downloads).", Path.Combine(dir, name));
    }

    private static (int[] Dimensions, byte[] Data) Read(string path, int expectedDimensions)
    {
        byte[] bytes = ReadMaybeGzip(path);
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 || bytes[3] != expectedDimensions)
            throw new InvalidDataException($"'{path}' does not start with the idx magic 00 00 08 {expectedDimensions:x2} " +
                $"(unsigned bytes, {expectedDimensions} dimension{(expectedDimensions > 1 ? "s" : "")}); found {Convert.ToHexString(bytes.AsSpan(0, Math.Min(4, bytes.Length)))}.");
        int headerSize = 4 + 4 * expectedDimensions;
        if (bytes.Length < headerSize)
            throw new InvalidDataException($"'{path}' is truncated: {bytes.Length} bytes, shorter than its {headerSize}-byte header.");
        var dims = new int[expectedDimensions];
        long expected = 1;
        for (int d = 0; d < expectedDimensions; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (dims[d] <= 0) throw new InvalidDataException($"'{path}' declares dimension {d} as {dims[d]}; sizes must be positive.");
            expected *= dims[d];
        }
        long actual = bytes.Length - headerSize;
        if (actual != expected)
            throw new InvalidDataException($"'{path}' declares [{string.Join(" × ", dims)}] = {expected} bytes of data but holds {actual}; " +
                (actual < expected ? "the file is truncated." : "it has trailing bytes."));
        return (dims, bytes[headerSize..]);
    }

    private static byte[] ReadMaybeGzip(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b) return bytes;
        using var output = new MemoryStream();
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            gzip.CopyTo(output);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is a corrupt gzip file ({e.Message}).", e);
        }
        // GZipStream stops quietly at a cut-off stream; the trailer's ISIZE (length mod 2³²) tells a complete file.
        if (bytes.Length < 18 || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)) != (uint)output.Length)
            throw new InvalidDataException($"'{path}' is a truncated gzip file: it decompresses to {output.Length} bytes, not the length its trailer records.");
        return output.ToArray();
    }
}
