using Microsoft.CodeAnalysis;

namespace NetGen.Generator
{
    /// <summary>Compiles <c>[Network]</c> partial classes into specialised forward and backward code.</summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class NetworkGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
        }
    }
}
