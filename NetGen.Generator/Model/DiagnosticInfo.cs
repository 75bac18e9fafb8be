using System.Linq;
using Microsoft.CodeAnalysis;

namespace NetGen.Generator.Model
{
    /// <summary>A diagnostic as an equatable pipeline value: descriptor, place and message arguments.</summary>
    internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, SourceSpan Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, SourceSpan location, params object[] arguments) =>
            new DiagnosticInfo(descriptor, location,
                arguments.Select(a => System.Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToEquatableArray());

        public bool IsError => Descriptor.DefaultSeverity == DiagnosticSeverity.Error;

        /// <summary>The diagnostic, placed in <paramref name="compilation"/>'s syntax tree for its file when there is one, so
        /// that <c>#pragma warning disable</c> and the editor's squiggles apply to it.</summary>
        public Diagnostic ToDiagnostic(Compilation? compilation)
        {
            var tree = compilation?.SyntaxTrees.FirstOrDefault(t => t.FilePath == Location.FilePath);
            var location = tree is not null ? Microsoft.CodeAnalysis.Location.Create(tree, Location.Span) : Location.ToLocation();
            return Diagnostic.Create(Descriptor, location, Arguments.Cast<object>().ToArray());
        }
    }
}
