using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Parsing
{
    /// <summary>Whether the user's compilation can compile GPU twins: it references ILGPU and NetGen.Runtime.Gpu.</summary>
    internal static class GpuReferences
    {
        /// <summary>True when both <c>ILGPU.Context</c> and <c>NetGen.Gpu.GpuDevice</c> resolve. A bool, so the step
        /// after it stays cached across edits.</summary>
        public static bool Available(Compilation compilation) =>
            compilation.GetTypeByMetadataName("ILGPU.Context") is not null
            && compilation.GetTypeByMetadataName("NetGen.Gpu.GpuDevice") is not null;
    }
}
