using NetGen.Generator.Model;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// <c>[Lstm(hidden, ForgetBias = 1)]</c>: PyTorch's LSTM, gate blocks <c>[i, f, g, o]</c>; saves the cell states for
    /// backward and carries c beside h when stateful (see <see cref="RecurrentLayer"/>). After the uniform draws, the
    /// forget block of bias_ih is set to ForgetBias and that of bias_hh to 0, as <c>Lstm.Initialize</c> does. Runs on the
    /// GPU (<c>NetGen.Gpu.GpuLstm</c>, emitted by <see cref="RecurrentLayer"/>) unless stateful. Reading an Embedding
    /// that nothing else reads, its CPU kernels take the tokens and the table (<see cref="RecurrentLayer.FusedEmbedding"/>).
    /// </summary>
    internal sealed class LstmLayer : RecurrentLayer, IGpuBufferedLayerKind
    {
        public override string Name => "Lstm";

        protected override int Gates => 4;

        protected override int ScratchPerHidden => 7;

        protected override string? SavedSequence => "cells";

        protected override bool HasCell => true;

        internal override bool TakesTokens => true;

        protected override InitScheme BiasInit(RecurrentOptions options, bool input) =>
            InitScheme.Uniform(options.Hidden) with { Fill = new InitFill(options.Hidden, options.Hidden, input ? options.ForgetBias : 0f) };
    }
}
