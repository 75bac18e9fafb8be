using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// Implemented by layer kinds that need buffers besides their activations and parameters (a convolution's im2col
    /// workspace, max pooling's argmax, dropout's mask). The generated constructor allocates each one once, sized for
    /// <c>maxBatch</c>, so that no step allocates; the kind reaches them through <see cref="LayerCode.Buffer"/>.
    /// </summary>
    internal interface ILayerBuffers
    {
        /// <summary>The buffers <paramref name="layer"/> needs, in the order <see cref="LayerCode.Buffer"/> numbers them.</summary>
        EquatableArray<LayerBuffer> Buffers(LayerPlan layer);
    }

    /// <summary>One buffer of a layer: either <c>maxBatch · PerSample</c> elements of <paramref name="ElementType"/>, or, when
    /// <paramref name="PerSample"/> is 0, <paramref name="Size"/> elements.</summary>
    /// <param name="Suffix">Appended to the layer's local name to name the field: <c>Workspace</c> gives <c>_c1Workspace</c>.</param>
    /// <param name="ElementType">C# element type: <c>float</c> or <c>int</c>.</param>
    /// <param name="PerSample">Elements per sample (the generated code slices <c>batch · PerSample</c> of them); 0 for a
    /// buffer whose size does not depend on the batch.</param>
    /// <param name="Size">For a buffer of fixed size, a C# expression for its length, evaluated once by the constructor
    /// (a runtime kernel's <c>WorkspaceSize(...)</c>, which depends on the machine's vector width).</param>
    internal sealed record LayerBuffer(string Suffix, string ElementType, int PerSample, string Size)
    {
        /// <summary>A float buffer for the gradient of input 0 when the layer's kernel overwrites it but another
        /// consumer wrote it first: the kernel writes here and the generated code adds it in.</summary>
        public static LayerBuffer InputGradient(int perSample) => new LayerBuffer("InputGradient", "float", perSample, "");
    }
}
