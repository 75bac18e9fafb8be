using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// Implemented (besides <see cref="ILayerKind"/>) by kinds whose kernels take a <c>Conv2DAlgorithm</c> per pass: a
    /// tuning table's entries reach a layer through its signature, and an entry's choice is baked into the emitted
    /// call (see <see cref="Tuning.TuningApplier"/> and <see cref="ConvolutionParameters"/>).
    /// </summary>
    internal interface ITunableLayerKind
    {
        /// <summary>The layer's key in a tuning table (<see cref="Tuning.TuningSignatures.Conv2D"/>).</summary>
        string TuningSignature(LayerPlan layer);

        /// <summary>Why <paramref name="algorithm"/> (a <c>Conv2DAlgorithm</c> member's name) cannot run the layer's forward
        /// (<paramref name="forward"/>) or backward pass on the instruction set <paramref name="isa"/> (a <c>VectorIsa</c>
        /// member's name), or null: the runtime's own rule (<c>NetGen.Kernels.Conv2DRules</c>, linked into the generator).</summary>
        string? Unsupported(LayerPlan layer, string algorithm, string isa, bool forward);
    }
}
