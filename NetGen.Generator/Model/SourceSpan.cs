using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NetGen.Generator.Model
{
    /// <summary>Where a diagnostic points: an equatable stand-in for <see cref="Location"/>, which must not travel
    /// through the pipeline.</summary>
    internal readonly record struct SourceSpan(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        /// <summary>A location outside any syntax tree (or none for <c>default</c>).</summary>
        public Location ToLocation() => FilePath is null ? Location.None : Location.Create(FilePath, Span, LineSpan);
    }
}
