namespace NetGen.Generator.Layers
{
    /// <summary><c>[Rnn(hidden)]</c>: an Elman layer, <c>h_t = tanh(x_t·W_ih + b_ih + h_{t−1}·W_hh + b_hh)</c> (see <see cref="RecurrentLayer"/>);
    /// runs on the GPU (<c>NetGen.Gpu.GpuRnn</c>) unless stateful.</summary>
    internal sealed class RnnLayer : RecurrentLayer, IGpuBufferedLayerKind
    {
        public override string Name => "Rnn";

        protected override int Gates => 1;

        protected override int ScratchPerHidden => 3;

        protected override string? SavedSequence => null;
    }
}
