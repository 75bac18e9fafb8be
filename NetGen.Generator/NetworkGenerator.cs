using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generator.Emit;
using NetGen.Generator.Parsing;
using NetGen.Generator.Planning;
using NetGen.Generator.Tuning;

namespace NetGen.Generator
{
    /// <summary>Compiles <c>[Network]</c> partial classes into specialised forward and backward code.</summary>
    /// <remarks>Pipeline: parse (symbols → <c>NetworkSpec</c>) → plan (shapes and buffer layout → <c>NetworkBuild</c>)
    /// → tune (the matching entries of the <c>*.netgen-tuning.txt</c> tables on each convolution) → emit
    /// (<c>GeneratedFile</c>), plus the GPU twins (<c>GpuEmitter</c>, from the untuned plan) where the compilation
    /// references ILGPU. Every value is equatable, so an edit that does not change a network's spec (or a table entry
    /// that matches none of its layers) leaves the later steps cached.</remarks>
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
            public const string TuningFile = "NetGen.TuningFile";
            public const string TuningTable = "NetGen.TuningTable";
            public const string Tune = "NetGen.Tune";
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

            // Tuning tables (*.netgen-tuning.txt AdditionalFiles): each file read once, its problems reported against it;
            // every layer then gets the entries that match it, and the emitted calls carry their choices.
            var tuningFiles = context.AdditionalTextsProvider
                .Where(static text => text.Path.EndsWith(TuningTable.Extension, StringComparison.OrdinalIgnoreCase))
                .Select(static (text, cancellationToken) => TuningTable.Parse(text.Path, text.GetText(cancellationToken)))
                .WithTrackingName(Steps.TuningFile);
            context.RegisterSourceOutput(tuningFiles, static (output, file) =>
            {
                foreach (var diagnostic in file.Diagnostics) output.ReportDiagnostic(diagnostic.ToDiagnostic(null));
            });
            var table = tuningFiles.Collect().Select(static (files, _) => TuningTable.Merge(files)).WithTrackingName(Steps.TuningTable);
            var tuned = builds.Combine(table).Select(static (pair, _) => TuningApplier.Apply(pair.Left, pair.Right)).WithTrackingName(Steps.Tune);
            var files = tuned.Select(static (build, _) => NetworkEmitter.Emit(build)).WithTrackingName(Steps.Emit);
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
