using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NetGen.Generator.Model
{
    /// <summary>Where a diagnostic points: an equatable stand-in for <see cref="Location"/>, which must not travel
    /// through the pipeline.</summary>
    internal readonly record struct SourceSpan(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
    }
}
