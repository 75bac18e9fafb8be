using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace NetGen.Gpu;

/// <summary>Which ILGPU accelerator a <see cref="GpuDevice"/> runs on.</summary>
public enum GpuDeviceKind
{
    /// <summary>The first CUDA device when one is present, otherwise ILGPU's CPU accelerator.</summary>
    Auto,
    /// <summary>The first CUDA device; construction fails with a clear message when there is none.</summary>
    Cuda,
    /// <summary>ILGPU's CPU accelerator: an emulator that runs every kernel on CPU threads (slow, but exact logic).</summary>
    Cpu,
}

/// <summary>
/// One ILGPU accelerator with one stream: every NetGen GPU kernel is launched on <see cref="Stream"/> in issue order
/// with no synchronisation in between, so a train step waits only at the batch upload and at the loss read.
/// Kernels are compiled once per device, on first use, and cached. Not usable under NativeAOT (ILGPU compiles
/// kernels from IL and emits launchers at run time).
/// </summary>
public sealed class GpuDevice : IDisposable
{
    internal const string DynamicCodeMessage =
        "NetGen.Runtime.Gpu runs on ILGPU, which compiles kernels from IL and emits their launchers at run time; it cannot run under NativeAOT.";

    // The CPU emulator is configured like a GPU multiprocessor (warps of 32, groups of up to 256 threads) so that
    // the same launch configurations run on both; one multiprocessor keeps its thread count (256) modest.
    private static readonly CPUDevice EmulatedDevice = new(numThreadsPerWarp: 32, numWarpsPerMultiprocessor: 8, numMultiprocessors: 1);

    private readonly Context _context;
    private readonly Dictionary<Type, object> _kernels = new();
    private bool _disposed;

    /// <summary>Creates the context, the accelerator of the requested <paramref name="kind"/> and its stream.</summary>
    /// <exception cref="PlatformNotSupportedException">The process cannot generate code at run time (NativeAOT).</exception>
    /// <exception cref="InvalidOperationException"><see cref="GpuDeviceKind.Cuda"/> was requested and no CUDA device is usable.</exception>
    [RequiresDynamicCode(DynamicCodeMessage)]
    public GpuDevice(GpuDeviceKind kind = GpuDeviceKind.Auto)
    {
        EnsureDynamicCode();
        _context = Context.Create(b => b.Cuda().CPU(EmulatedDevice));
        try
        {
            int cudaDevices = kind == GpuDeviceKind.Cpu ? 0 : _context.GetCudaDevices().Count;
            if (kind == GpuDeviceKind.Cuda && cudaDevices == 0)
                throw new InvalidOperationException(
                    "GpuDeviceKind.Cuda was requested but ILGPU found no CUDA device: either no NVIDIA GPU is present or the " +
                    "CUDA driver library (libcuda.so.1 / nvcuda.dll) could not be loaded. Install the NVIDIA driver, check " +
                    "`nvidia-smi`, or pass GpuDeviceKind.Cpu (or Auto) to run on ILGPU's CPU emulator.");
            IsCuda = cudaDevices > 0;
            Accelerator = IsCuda ? _context.CreateCudaAccelerator(0) : _context.CreateCPUAccelerator(0);
            Stream = Accelerator.CreateStream();
            Name = IsCuda
                ? Accelerator.Name
                : kind == GpuDeviceKind.Cpu
                    ? "ILGPU CPU accelerator (emulator)"
                    : "ILGPU CPU accelerator (emulator; no CUDA device found)";
        }
        catch
        {
            Accelerator?.Dispose();
            _context.Dispose();
            throw;
        }
    }

    /// <summary>The accelerator's name, e.g. <c>NVIDIA H100 80GB HBM3</c>, or the CPU emulator with the reason it was chosen.</summary>
    public string Name { get; }

    /// <summary>True when the kernels run on a CUDA GPU.</summary>
    public bool IsCuda { get; }

    /// <summary>The ILGPU accelerator, for callers that launch their own kernels.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The one stream every NetGen kernel and copy is issued on.</summary>
    public AcceleratorStream Stream { get; }

    /// <summary>Blocks until everything issued on <see cref="Stream"/> has finished (end a timed region with this).</summary>
    public void Synchronize() => Stream.Synchronize();

    /// <summary>Allocates <paramref name="length"/> elements of device memory (contents undefined until written or cleared).</summary>
    public GpuBuffer<T> Allocate<T>(int length) where T : unmanaged => new(this, length);

    /// <summary>
    /// One line per device ILGPU can see (CUDA devices with architecture, multiprocessors and memory; the CPU
    /// emulator), and why CUDA is unavailable when it is.
    /// </summary>
    [RequiresDynamicCode(DynamicCodeMessage)]
    public static string Describe()
    {
        EnsureDynamicCode();
        using var context = Context.Create(b => b.Cuda().CPU(EmulatedDevice));
        var text = new StringBuilder();
        var cuda = context.GetCudaDevices();
        if (cuda.Count == 0)
            text.AppendLine("CUDA: no device (no NVIDIA GPU, or the driver library libcuda.so.1 / nvcuda.dll could not be loaded)");
        foreach (var d in cuda)
            text.AppendLine($"CUDA {d.DeviceId}: {d.Name}, {d.Architecture}, {d.NumMultiprocessors} multiprocessors, " +
                            $"{d.MemorySize / (1024 * 1024)} MiB, driver {d.DriverVersion}");
        foreach (var d in context.GetCPUDevices())
            text.AppendLine($"CPU emulator: warp {d.WarpSize}, up to {d.MaxNumThreadsPerGroup} threads per group");
        return text.ToString();
    }

    /// <summary>Returns this device's instance of a kernel set, compiling it on first use.</summary>
    internal TKernels Kernels<TKernels>() where TKernels : class, IKernelSet<TKernels>
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_kernels)
        {
            if (!_kernels.TryGetValue(typeof(TKernels), out object? set))
                _kernels[typeof(TKernels)] = set = TKernels.Load(Accelerator);
            return (TKernels)set;
        }
    }

    private static void EnsureDynamicCode()
    {
        if (!RuntimeFeature.IsDynamicCodeSupported)
            throw new PlatformNotSupportedException(DynamicCodeMessage +
                " Run the GPU path from a JIT build (without PublishAot), or use the network's CPU code.");
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Waits for pending work, then releases the stream, the accelerator (and every buffer on it) and the context.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Stream.Synchronize();
        Stream.Dispose();
        Accelerator.Dispose();
        _context.Dispose();
    }
}

/// <summary>A group of compiled kernels, loaded once per <see cref="GpuDevice"/> through <see cref="GpuDevice.Kernels{TKernels}"/>.</summary>
internal interface IKernelSet<TSelf> where TSelf : class
{
    static abstract TSelf Load(Accelerator accelerator);
}

/// <summary>Marks a kernel entry point so that tests can compile every kernel for CUDA (PTX) without a GPU.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class KernelAttribute(bool explicitlyGrouped) : Attribute
{
    /// <summary>True for kernels launched with a <see cref="KernelConfig"/> (groups and shared memory), false for auto-grouped ones.</summary>
    public bool ExplicitlyGrouped { get; } = explicitlyGrouped;
}
