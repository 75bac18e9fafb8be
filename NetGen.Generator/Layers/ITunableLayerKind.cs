using NetGen.Generator.Planning;
using NetGen.Generator.Tuning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// Implemented (besides <see cref="ILayerKind"/>) by kinds whose kernel calls take a tuned choice per pass or product
    /// (a <c>Conv2DAlgorithm</c> per convolution pass, a <c>GemmTiling</c> per Dense product): a tuning table's entries
    /// reach a layer through its signature, and an entry's choice is baked into the emitted call (see
    /// <see cref="TuningApplier"/> and <see cref="TunedArgument"/>).
    /// </summary>
    internal interface ITunableLayerKind
    {
        /// <summary>The layer's key in a tuning table (<see cref="TuningSignatures"/>).</summary>
        string TuningSignature(LayerPlan layer);

        /// <summary>Why <paramref name="entry"/>'s choice cannot run its pass or product (<see cref="TuningEntry.Pass"/>) of
        /// the layer on the entry's instruction set, or null: the runtime's own rule (<c>NetGen.Kernels.Conv2DRules</c>,
        /// <c>NetGen.Kernels.GemmRules</c>, linked into the generator).</summary>
        string? Unsupported(LayerPlan layer, TuningEntry entry);

        /// <summary>How diagnostics name a pass or product: <c>forward pass</c>, <c>dw product (dw = xᵀ·dy)</c>.</summary>
        string DescribePass(string pass);
    }
}
