using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen.Samples.Aot;

/// <summary>
/// Start-up check that the kernels' vector paths are hardware-accelerated. NativeAOT fixes the instruction set at
/// publish time (baseline x86-64 unless <c>IlcInstructionSet</c> says otherwise), so a binary can run on an AVX-512
/// CPU with <see cref="Vector512"/> emulated or switched off; this compares what the build accelerates with what the
/// CPU offers (the <c>flags</c> line of <c>/proc/cpuinfo</c> on Linux).
/// </summary>
internal static class SimdCheck
{
    /// <summary>One line: which vector widths the kernels use.</summary>
    public static string Describe() =>
        $"simd: Vector512 {(Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")}, " +
        $"Vector256 {(Vector256.IsHardwareAccelerated ? "accelerated" : "not accelerated")} " +
        $"({(IsJit ? "JIT" : "NativeAOT")})";

    /// <summary>Whether this process runs under the JIT. Not <see cref="System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported"/>: a
    /// project with PublishAot turns that off for its JIT build too; a NativeAOT process has compiled no method.</summary>
    private static bool IsJit => System.Runtime.JitInfo.GetCompiledMethodCount() > 0;

    /// <summary>A warning saying what to do when the build leaves the CPU's widest vectors unused, else null.</summary>
    public static string? Problem()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64) return null;
        string flags = CpuFlags();
        string fix = IsJit
            ? "check that DOTNET_EnableAVX512 / DOTNET_EnableAVX2 / DOTNET_PreferredVectorBitWidth are not set"
            : "republish with -p:IlcInstructionSet={0} (or native)";
        if (HasFlag(flags, "avx512f") && !Vector512.IsHardwareAccelerated)
            return "warning: this CPU has AVX-512 but Vector512 is not hardware-accelerated in this build, so the kernels run at " +
                   "most 256 bits wide (about half speed); " + string.Format(null, fix, "x86-64-v4");
        if ((HasFlag(flags, "avx2") || flags.Length == 0) && !Vector256.IsHardwareAccelerated)
            return "warning: Vector256 is not hardware-accelerated in this build, so the kernels take their scalar or 128-bit " +
                   "paths (many times slower); " + string.Format(null, fix, "x86-64-v3");
        return null;
    }

    private static bool HasFlag(string flags, string flag) => $" {flags} ".Contains($" {flag} ", StringComparison.Ordinal);

    /// <summary>The first <c>flags</c> line of /proc/cpuinfo, or "" where there is none (not Linux): then only a missing Vector256 is reported.</summary>
    private static string CpuFlags()
    {
        try
        {
            using var reader = new StreamReader("/proc/cpuinfo");
            while (reader.ReadLine() is { } line)
                if (line.StartsWith("flags", StringComparison.Ordinal) && line.IndexOf(':') is int colon and >= 0)
                    return line[(colon + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return "";
    }
}
