using System.Collections.Generic;

namespace NetGen.Generator.Layers
{
    /// <summary>An element-wise activation written as an attribute on a layer; runs fused in the layer's kernels.</summary>
    /// <param name="Name">Its name in the model (<c>Relu</c>).</param>
    /// <param name="AttributeName">Metadata name of its attribute.</param>
    /// <param name="Display">How comments show it (<c>ReLU</c>).</param>
    /// <param name="KernelType">The <c>NetGen.Kernels.IActivation</c> struct passed as a type argument.</param>
    /// <param name="UsesHeInit">True when weights feeding it get He rather than Glorot initialisation.</param>
    internal sealed record ActivationKind(string Name, string AttributeName, string Display, string KernelType, bool UsesHeInit)
    {
        /// <summary>What a layer without an activation attribute uses.</summary>
        public static readonly ActivationKind Identity = new ActivationKind("Identity", "NetGen.IdentityAttribute", "identity", "global::NetGen.Kernels.Identity", false);

        /// <summary>Every activation, looked up by attribute or name.</summary>
        public static readonly IReadOnlyList<ActivationKind> All = new[]
        {
            new ActivationKind("Relu", "NetGen.ReluAttribute", "ReLU", "global::NetGen.Kernels.Relu", true),
            new ActivationKind("Tanh", "NetGen.TanhAttribute", "tanh", "global::NetGen.Kernels.Tanh", false),
            new ActivationKind("Sigmoid", "NetGen.SigmoidAttribute", "sigmoid", "global::NetGen.Kernels.Sigmoid", false),
            Identity,
        };

        public static ActivationKind? ByAttribute(string attributeName)
        {
            foreach (var kind in All)
                if (kind.AttributeName == attributeName) return kind;
            return null;
        }

        /// <summary>The activation named <paramref name="name"/>, or <see cref="Identity"/> for null.</summary>
        public static ActivationKind ByName(string? name)
        {
            foreach (var kind in All)
                if (kind.Name == name) return kind;
            return Identity;
        }
    }
}
