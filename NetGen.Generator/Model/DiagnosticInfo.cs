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

        public Diagnostic ToDiagnostic() => Diagnostic.Create(Descriptor, Location.ToLocation(), Arguments.Cast<object>().ToArray());
    }
}
