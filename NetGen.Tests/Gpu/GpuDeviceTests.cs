using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using NetGen.Gpu;

namespace NetGen.Tests.Gpu;

[Collection(GpuCollection.Name)]
public class GpuDeviceTests(GpuFixture fixture)
{
    private readonly GpuDevice _device = fixture.Device;

    [Fact]
    public void CpuDevice_IsTheEmulatorWithItsOwnStream()
    {
        Assert.False(_device.IsCuda);
        Assert.Equal(AcceleratorType.CPU, _device.Accelerator.AcceleratorType);
        Assert.Contains("CPU", _device.Name);
        Assert.NotSame(_device.Accelerator.DefaultStream, _device.Stream);
    }

    [Fact]
    public void Describe_ListsTheEmulatorAndTheCudaStatus()
    {
        string text = GpuDevice.Describe();
        Assert.Contains("CPU emulator: warp 32, up to 256 threads per group", text);
        Assert.Contains("CUDA", text);
    }

    [Fact]
    public void RequestingCuda_GivesCudaOrSaysWhatToDo()
    {
        try
        {
            using var cuda = new GpuDevice(GpuDeviceKind.Cuda);
            Assert.True(cuda.IsCuda);
        }
        catch (InvalidOperationException e)
        {
            Assert.Contains("no CUDA device", e.Message);
            Assert.Contains("GpuDeviceKind.Cpu", e.Message);
        }
    }

    [Fact]
    public void Buffer_CopiesAndSlicesWithinBounds()
    {
        using var buffer = _device.Allocate<int>(5);
        buffer.CopyFrom(new[] { 1, 2, 3 });
        var back = new int[3];
        buffer.CopyTo(back);
        Assert.Equal(new[] { 1, 2, 3 }, back);
        buffer.CopyFrom(new[] { 7, 8 }, offset: 3);
        var tail = new int[3];
        buffer.CopyTo(tail, offset: 2);
        Assert.Equal(new[] { 3, 7, 8 }, tail);
        Assert.Throws<ArgumentException>(() => buffer.CopyTo(new int[2], offset: 4));
        Assert.Equal(2, buffer.Slice(3, 2).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Slice(4, 2));
        var e = Assert.Throws<ArgumentException>(() => buffer.CopyFrom(new int[6]));
        Assert.Equal("source", e.ParamName);
    }

    [Fact]
    public void KernelSets_AreLoadedOncePerDevice()
    {
        var first = _device.Kernels<OptimizerKernels>();
        Assert.Same(first, _device.Kernels<OptimizerKernels>());
    }

    /// <summary>
    /// Compiles every kernel, with every activation and layout it is instantiated with, to PTX for sm_90: the CUDA code
    /// path is checked on machines without a GPU (the CPU emulator accepts .NET calls, such as MathF.Exp, that the
    /// CUDA backend cannot translate).
    /// </summary>
    [Fact]
    public void EveryKernel_CompilesForCuda()
    {
        using var context = Context.Create(b => b.Cuda().CPU(CPUDevice.Default));
        var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null!);
        var assembly = typeof(GpuDevice).Assembly;
        var kernels = assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<KernelAttribute>() is not null)
            .SelectMany(m => Instantiations(m, assembly))
            .ToList();
        Assert.True(kernels.Count >= 20, $"expected the GEMM, dense, loss and optimizer kernels, found {kernels.Count}");
        foreach (var kernel in kernels)
        {
            var entry = kernel.GetCustomAttribute<KernelAttribute>()!.ExplicitlyGrouped
                ? EntryPointDescription.FromExplicitlyGroupedKernel(kernel)
                : EntryPointDescription.FromImplicitlyGroupedKernel(kernel);
            var ptx = ((PTXCompiledKernel)backend.Compile(entry, default)).PTXAssembly;
            Assert.Contains(".entry", ptx);
        }
    }

    /// <summary>A generic kernel closed over every struct of the assembly that satisfies each type parameter's constraints.</summary>
    private static IEnumerable<MethodInfo> Instantiations(MethodInfo method, Assembly assembly)
    {
        if (!method.IsGenericMethodDefinition) return [method];
        var structs = assembly.GetTypes().Where(t => t.IsValueType && !t.IsGenericType).ToArray();
        IEnumerable<Type[]> combinations = [[]];
        foreach (var parameter in method.GetGenericArguments())
        {
            var fits = structs.Where(s => parameter.GetGenericParameterConstraints().All(c => c.IsAssignableFrom(s))).ToArray();
            combinations = combinations.SelectMany(prefix => fits.Select(s => prefix.Append(s).ToArray()));
        }
        return combinations.Select(types => method.MakeGenericMethod(types));
    }
}
