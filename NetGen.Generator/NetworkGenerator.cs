using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Emit;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;

namespace NetGen.Generator
{
    /// <summary>Compiles <c>[Network]</c> partial classes into specialised forward and backward code.</summary>
    /// <remarks>Pipeline: parse (symbols → <c>NetworkSpec</c>) → plan (shapes and buffer layout → <c>NetworkBuild</c>)
    /// → emit (<c>GeneratedFile</c>), plus the GPU twins (<c>GpuEmitter</c>) where the compilation references ILGPU. Every value is equatable, so an edit that does not change a network's spec
    /// leaves the later steps cached.</remarks>
    [Generator(LanguageNames.CSharp)]
    public sealed class NetworkGenerator : IIncrementalGenerator
    {
        /// <summary>Tracking names of the pipeline steps, for incremental tests.</summary>
        public static class Steps
        {
            public const string Parse = "NetGen.Parse";
            public const string Plan = "NetGen.Plan";
            public const string Emit = "NetGen.Emit";
            public const string Diagnostics = "NetGen.Diagnostics";
            public const string GpuAvailable = "NetGen.GpuAvailable";
            public const string GpuEmit = "NetGen.GpuEmit";
            public const string GpuDiagnostics = "NetGen.GpuDiagnostics";
        }

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var builds = context.SyntaxProvider
                .ForAttributeWithMetadataName("NetGen.NetworkAttribute",
                    static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    static (syntax, cancellationToken) => NetworkParser.Parse(syntax, cancellationToken))
                .WithTrackingName(Steps.Parse)
                .Select(static (spec, _) => Planner.Build(spec))
                .WithTrackingName(Steps.Plan);
            var files = builds.Select(static (build, _) => NetworkEmitter.Emit(build)).WithTrackingName(Steps.Emit);
            AddOutput(context, files, Steps.Diagnostics);

            // The GPU twins: a bool per compilation (ILGPU and NetGen.Runtime.Gpu referenced), so edits leave them cached.
            var gpuAvailable = context.CompilationProvider.Select(static (compilation, _) => GpuReferences.Available(compilation))
                .WithTrackingName(Steps.GpuAvailable);
            var gpuFiles = builds.Combine(gpuAvailable).Select(static (pair, _) => GpuEmitter.Emit(pair.Left, pair.Right))
                .WithTrackingName(Steps.GpuEmit);
            AddOutput(context, gpuFiles, Steps.GpuDiagnostics);
        }

        private static void AddOutput(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<GeneratedFile> files, string diagnosticsStep)
        {
            context.RegisterSourceOutput(files, static (output, file) =>
            {
                if (file.Source is not null) output.AddSource(file.HintName, file.Source);
            });

            // Diagnostics are placed in the compilation's syntax trees (for pragmas and squiggles), so this last step
            // sees every compilation; it only turns the cached diagnostic infos into diagnostics.
            var diagnostics = files.Select(static (file, _) => file.Diagnostics).WithTrackingName(diagnosticsStep);
            context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (output, pair) =>
            {
                foreach (var diagnostic in pair.Left) output.ReportDiagnostic(diagnostic.ToDiagnostic(pair.Right));
            });
        }
    }
}
