namespace NetGen.Generator.Layers
{
    /// <summary>
    /// Implemented (besides <see cref="ILayerKind"/>) by kinds whose backward code also applies the optimizer's update
    /// to the layer's own parameters (passing <see cref="LayerCode.Optimizer"/> to its kernel, which may then update
    /// them in the epilogue of the product that computes their gradients). <c>RunBackward</c> then writes no
    /// <c>optimizer?.UpdateRange</c> for a live layer of the kind (a dead one, whose backward does not run, gets one); for
    /// every other kind it writes one right after the layer's backward.
    /// </summary>
    internal interface IUpdatingLayerKind
    {
    }
}
