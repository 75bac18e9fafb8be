using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace NetGen.Checkpoints;

/// <summary>A named F32 tensor as stored in a safetensors file: row-major data in the given shape.</summary>
/// <param name="Name">Tensor name, e.g. <c>F5.weight</c>.</param>
/// <param name="Shape">Dimensions, outermost first.</param>
/// <param name="Data">Row-major values; the length is the product of <paramref name="Shape"/>.</param>
public sealed record SafeTensor(string Name, int[] Shape, float[] Data);

/// <summary>Where one tensor lies in a safetensors file, as declared by its header.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="DType">Element type (NetGen reads <c>F32</c> only).</param>
/// <param name="Shape">Dimensions, outermost first.</param>
/// <param name="Begin">Start of its bytes, relative to the data section.</param>
/// <param name="End">End (exclusive) of its bytes, relative to the data section.</param>
public sealed record SafeTensorInfo(string Name, string DType, int[] Shape, long Begin, long End);

/// <summary>A validated safetensors header: the <c>__metadata__</c> strings and the tensors in file order.</summary>
/// <param name="Metadata">The <c>__metadata__</c> map (empty when absent).</param>
/// <param name="Tensors">Tensors sorted by their offset in the data section.</param>
/// <param name="DataStart">Byte offset of the data section in the file (8 + header length).</param>
public sealed record SafeTensorsHeader(IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<SafeTensorInfo> Tensors, long DataStart);

/// <summary>A whole safetensors file read into memory.</summary>
/// <param name="Metadata">The <c>__metadata__</c> map (empty when absent).</param>
/// <param name="Tensors">Tensors by name.</param>
public sealed record SafeTensorsFile(IReadOnlyDictionary<string, string> Metadata, IReadOnlyDictionary<string, SafeTensor> Tensors);

/// <summary>
/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// <c>{"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets": [begin, end]}}</c> padded with spaces,
/// then the tensors' bytes, contiguous from offset 0. Reading validates the file as the reference reader does.
/// Only F32 tensors are written and read.
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest header accepted, as in the reference reader (100 MB).</summary>
    public const long MaxHeaderSize = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>Writes <paramref name="tensors"/> (in the given order) and <paramref name="metadata"/> to <paramref name="stream"/>.
    /// The header is padded with spaces so that the data section starts 8-byte aligned.</summary>
    /// <exception cref="ArgumentException">A name repeats or is <c>__metadata__</c>, or a tensor's data length differs from its shape.</exception>
    public static void Write(Stream stream, IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var header = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in list)
            {
                if (t.Name == MetadataKey || !names.Add(t.Name))
                    throw new ArgumentException($"Tensor name '{t.Name}' is reserved or used twice; every tensor needs a distinct name.", nameof(tensors));
                if (ElementCount(t.Shape) is not long count || count != t.Data.Length)
                    throw new ArgumentException($"Tensor '{t.Name}' has {t.Data.Length} values but shape [{string.Join(", ", t.Shape)}].", nameof(tensors));
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset += 4L * t.Data.Length);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        int padded = (header.WrittenCount + 7) & ~7;
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)padded);
        stream.Write(prefix);
        stream.Write(header.WrittenSpan);
        for (int i = header.WrittenCount; i < padded; i++) stream.WriteByte((byte)' ');
        // .NET runs on little-endian hardware only, so the floats' memory is already the file's byte order.
        foreach (var t in list) stream.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));
    }

    /// <summary>Reads and validates the header of <paramref name="path"/> without reading the tensors' data.</summary>
    /// <exception cref="CheckpointException">The file is not a valid safetensors file of F32 tensors.</exception>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        using var file = OpenRead(path);
        return ReadHeader(path, file);
    }

    /// <summary>Reads and validates the whole file.</summary>
    /// <exception cref="CheckpointException">The file is not a valid safetensors file of F32 tensors.</exception>
    public static SafeTensorsFile Read(string path)
    {
        using var file = OpenRead(path);
        var header = ReadHeader(path, file);
        var tensors = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (var info in header.Tensors)
        {
            var data = new float[(info.End - info.Begin) / 4];
            file.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
            tensors.Add(info.Name, new SafeTensor(info.Name, info.Shape, data));
        }
        return new SafeTensorsFile(header.Metadata, tensors);
    }

    private static FileStream OpenRead(string path)
    {
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, $"cannot be opened: {e.Message}", e);
        }
    }

    private static SafeTensorsHeader ReadHeader(string path, FileStream file)
    {
        long length = file.Length;
        if (length < 8) throw new CheckpointException(path, $"is {length} bytes long, too short for a safetensors file (the header length alone takes 8).");
        Span<byte> prefix = stackalloc byte[8];
        file.ReadExactly(prefix);
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (size > MaxHeaderSize)
            throw new CheckpointException(path, $"declares a {size}-byte header, more than the {MaxHeaderSize} allowed; the file is corrupt or not safetensors.");
        if (8 + (long)size > length)
            throw new CheckpointException(path, $"declares a {size}-byte header but only {length - 8} bytes follow the length prefix; the file is truncated.");
        var bytes = new byte[size];
        file.ReadExactly(bytes);
        var (metadata, tensors) = ParseHeader(path, bytes);
        tensors.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        long expected = 0;
        foreach (var t in tensors)
        {
            if (t.Begin != expected)
                throw new CheckpointException(path, $"tensor '{t.Name}' starts at data offset {t.Begin} but the previous tensor ends at {expected}; tensors must be contiguous from 0 with no gap or overlap.");
            expected = t.End;
        }
        long dataLength = length - 8 - (long)size;
        if (expected != dataLength)
            throw new CheckpointException(path, $"its tensors cover {expected} bytes but the data section holds {dataLength}; the file is truncated or has trailing bytes.");
        return new SafeTensorsHeader(metadata, tensors, 8 + (long)size);
    }

    private static (Dictionary<string, string>, List<SafeTensorInfo>) ParseHeader(string path, byte[] bytes)
    {
        JsonDocument document;
        try
        {
            if (bytes.Length == 0 || bytes[0] != (byte)'{') throw new JsonException("the header must start with '{'");
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, $"header is not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var tensors = new List<SafeTensorInfo>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(entry.Name)) throw new CheckpointException(path, $"header names '{entry.Name}' twice.");
                if (entry.Name == MetadataKey) ParseMetadata(path, entry.Value, metadata);
                else tensors.Add(ParseTensor(path, entry.Name, entry.Value));
            }
            return (metadata, tensors);
        }
    }

    private static void ParseMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object) throw new CheckpointException(path, "__metadata__ must be an object of strings.");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new CheckpointException(path, $"__metadata__ entry '{item.Name}' is a {item.Value.ValueKind}; metadata values must be strings.");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static SafeTensorInfo ParseTensor(string path, string name, JsonElement value)
    {
        CheckpointException Bad(string problem) => new(path, $"tensor '{name}' {problem}");
        if (value.ValueKind != JsonValueKind.Object) throw Bad("is not described by an object with dtype, shape and data_offsets.");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Bad("has no dtype string.");
        string dtype = dtypeElement.GetString()!;
        if (dtype != "F32")
            throw Bad($"has dtype {dtype}; NetGen reads F32 tensors only (in PyTorch, convert with tensor.float() before saving).");
        int[] shape = ReadIntegers(value, "shape", int.MaxValue, Bad).Select(d => (int)d).ToArray();
        long[] offsets = ReadIntegers(value, "data_offsets", long.MaxValue, Bad);
        if (offsets.Length != 2 || offsets[0] > offsets[1]) throw Bad("needs data_offsets [begin, end] with begin ≤ end.");
        if (ElementCount(shape) is not long count || count > long.MaxValue / 4 || count * 4 != offsets[1] - offsets[0])
            throw Bad($"has shape [{string.Join(", ", shape)}] (F32) but data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]} bytes.");
        if (count > Array.MaxLength) throw Bad($"has {count} elements, more than one .NET array holds.");
        return new SafeTensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] ReadIntegers(JsonElement value, string property, long max, Func<string, CheckpointException> bad)
    {
        if (!value.TryGetProperty(property, out var array) || array.ValueKind != JsonValueKind.Array)
            throw bad($"has no {property} array.");
        var result = new long[array.GetArrayLength()];
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long n) || n < 0 || n > max)
                throw bad($"has {property} entry {item.GetRawText()}; entries must be non-negative integers no larger than {max}.");
            result[i++] = n;
        }
        return result;
    }

    /// <summary>Product of the dimensions, or null on overflow.</summary>
    internal static long? ElementCount(IReadOnlyList<int> shape)
    {
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0 || (d != 0 && count > long.MaxValue / d)) return null;
            count *= d;
        }
        return count;
    }
}
