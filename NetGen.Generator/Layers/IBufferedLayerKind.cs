using NetGen.Generator.Model;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// Implemented (besides <see cref="ILayerKind"/>) by kinds that need buffers other than their output: values saved
    /// for backward, kernel scratch, state carried from one batch to the next. The generated class gets one field per
    /// buffer, sized <c>maxBatch × PerSample</c> at construction, so a step allocates nothing.
    /// </summary>
    internal interface IBufferedLayerKind
    {
        /// <summary>The layer's buffers, in the order their fields are declared.</summary>
        EquatableArray<LayerBuffer> Buffers(LayerSpec layer, EquatableArray<Shape> inputs, Shape output);

        /// <summary>True for kinds that recur over time steps: a network with one gets gradient clipping by default.</summary>
        bool Recurrent { get; }
    }

    /// <summary>One extra buffer of a layer.</summary>
    /// <param name="Name">Its name, appended to the layer's local name for the field: <c>gates</c> → <c>_lstm1Gates</c>.</param>
    /// <param name="PerSample">Floats per sample.</param>
    /// <param name="CarriedState">True for state that survives a step (truncated backpropagation through time):
    /// the generated <c>ResetState()</c> clears these.</param>
    internal sealed record LayerBuffer(string Name, int PerSample, bool CarriedState);
}
