using NetGen.Generator.Diagnostics;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;

namespace NetGen.Generator.Shapes
{
    /// <summary>
    /// Token ids (a <c>[TokenInput]</c>'s <see cref="ShapeRole.Tokens"/> shape) are labels passed as floats: only an
    /// <c>[Embedding]</c> may read them. Every other kind that would treat them as features (Dense, Dropout, Flatten,
    /// convolution, pooling) reports NG0144 through this one rule.
    /// </summary>
    internal static class TokenRules
    {
        /// <summary>NG0144 on <paramref name="layer"/> when <paramref name="input"/> holds token ids; null otherwise.</summary>
        public static DiagnosticInfo? NotTokens(ILayerKind kind, LayerSpec layer, Shape input) =>
            input.Role == ShapeRole.Tokens
                ? DiagnosticInfo.Create(DiagnosticDescriptors.LayerOnTokens, layer.AttributeLocation, kind.Name, layer.Name, input.Describe())
                : null;
    }
}
