using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// Implemented (besides <see cref="ILayerKind"/>) by kinds that need buffers other than their output and parameters:
    /// values saved for backward (a recurrent layer's gates, max pooling's argmax, dropout's mask), kernel scratch (a
    /// convolution's workspace), state carried from one batch to the next. The planner stores them in
    /// <see cref="LayerPlan.Buffers"/>; the generated class gets one field per buffer, allocated once by the constructor
    /// (sized for <c>maxBatch</c>), so a step allocates nothing. The kind reaches them by name through
    /// <see cref="LayerCode.Buffer"/>.
    /// </summary>
    internal interface IBufferedLayerKind
    {
        /// <summary>The buffers of <paramref name="layer"/> (planned but for its buffers), in the order their fields are declared.</summary>
        EquatableArray<LayerBuffer> Buffers(LayerPlan layer);
    }

    /// <summary>One extra buffer of a layer: <c>maxBatch × PerSample</c> elements of <see cref="ElementType"/>, or, when
    /// <see cref="FixedSize"/> is set, that many whatever the batch.</summary>
    /// <param name="Name">Appended (capitalised) to the layer's local name for the field: <c>gates</c> → <c>_lstm1Gates</c>.</param>
    /// <param name="PerSample">Elements per sample (the generated code slices <c>batch × PerSample</c> of them); 0 for a
    /// buffer of <see cref="FixedSize"/>.</param>
    internal sealed record LayerBuffer(string Name, int PerSample)
    {
        /// <summary>C# element type: <c>float</c> (the default) or <c>int</c>.</summary>
        public string ElementType { get; init; } = "float";

        /// <summary>For a buffer whose size does not depend on the batch, a C# expression for its length, evaluated once by
        /// the constructor (a runtime kernel's <c>WorkspaceSize(...)</c>, which depends on the machine's vector width);
        /// null for per-sample buffers.</summary>
        public string? FixedSize { get; init; }

        /// <summary>True for state that survives a step (truncated backpropagation through time): the generated
        /// <c>ResetState()</c> clears these.</summary>
        public bool CarriedState { get; init; }

        /// <summary>A float buffer for the gradient of input 0 when the layer's kernel overwrites it but another
        /// consumer wrote it first: the kernel writes here and the generated code adds it in (see <see cref="Layers.InputGradient"/>).</summary>
        public static LayerBuffer InputGradient(int perSample) => new LayerBuffer("inputGradient", perSample);

        /// <summary>A float buffer of <paramref name="size"/> elements (a C# expression) whatever the batch.</summary>
        public static LayerBuffer Fixed(string name, string size) => new LayerBuffer(name, 0) { FixedSize = size };
    }
}
