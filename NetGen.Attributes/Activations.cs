using System;

namespace NetGen
{
    /// <summary>Rectified linear unit, <c>max(0, x)</c>, applied to the layer's output. Weights get He initialisation.</summary>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class ReluAttribute : Attribute { }

    /// <summary>Hyperbolic tangent applied to the layer's output. Weights get Glorot initialisation.</summary>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class TanhAttribute : Attribute { }

    /// <summary>Logistic sigmoid, <c>1 / (1 + e^−x)</c>, applied to the layer's output. Weights get Glorot initialisation.</summary>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class SigmoidAttribute : Attribute { }

    /// <summary>No non-linearity (the default); stated explicitly for readability. Weights get Glorot initialisation.</summary>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class IdentityAttribute : Attribute { }
}
