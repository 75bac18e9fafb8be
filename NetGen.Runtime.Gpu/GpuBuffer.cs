using ILGPU;
using ILGPU.Runtime;

namespace NetGen.Gpu;

/// <summary>
/// A 1-D block of device memory on a <see cref="GpuDevice"/>. Tensors live at offsets inside such blocks:
/// <see cref="Slice"/> gives the view a kernel call takes. Copies run on the device's stream.
/// </summary>
public sealed class GpuBuffer<T> : IDisposable where T : unmanaged
{
    private readonly GpuDevice _device;
    private readonly MemoryBuffer1D<T, Stride1D.Dense> _memory;

    internal GpuBuffer(GpuDevice device, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _device = device;
        _memory = device.Accelerator.Allocate1D<T>(length);
        Length = length;
    }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>The whole buffer as a kernel argument.</summary>
    public ArrayView<T> View => _memory.View;

    /// <summary>Elements [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) as a kernel argument.</summary>
    public ArrayView<T> Slice(int offset, int length)
    {
        if ((uint)offset > (uint)Length || (uint)length > (uint)(Length - offset))
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"Slice [{offset}, {offset}+{length}) lies outside the buffer of {Length} elements; check the offset and length.");
        return View.SubView(offset, length);
    }

    /// <summary>
    /// Copies host <paramref name="source"/> into elements [<paramref name="offset"/>, offset + source.Length); ILGPU
    /// waits for the stream first, so earlier kernels never see the new data.
    /// </summary>
    public void CopyFrom(ReadOnlySpan<T> source, int offset = 0)
    {
        CheckRange(offset, source.Length, nameof(source));
        if (source.Length > 0) View.SubView(offset, source.Length).CopyFromCPU(_device.Stream, source);
    }

    /// <summary>Waits for the stream, then copies elements [<paramref name="offset"/>, offset + destination.Length) into host <paramref name="destination"/>.</summary>
    public void CopyTo(Span<T> destination, int offset = 0)
    {
        CheckRange(offset, destination.Length, nameof(destination));
        if (destination.Length > 0) View.SubView(offset, destination.Length).CopyToCPU(_device.Stream, destination);
    }

    /// <summary>Sets every element to zero (on the stream, asynchronously).</summary>
    public void Clear()
    {
        if (Length > 0) _memory.View.MemSetToZero(_device.Stream);
    }

    private void CheckRange(int offset, int length, string name)
    {
        if ((uint)offset > (uint)Length || length > Length - offset)
            throw new ArgumentException(
                $"{name} has {length} elements, which do not fit at offset {offset} of the device buffer of {Length}; pass at most {Math.Max(0, Length - offset)}.", name);
    }

    /// <summary>Frees the device memory.</summary>
    public void Dispose() => _memory.Dispose();
}
