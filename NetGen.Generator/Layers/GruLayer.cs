namespace NetGen.Generator.Layers
{
    /// <summary><c>[Gru(hidden)]</c>: PyTorch's GRU, gate blocks <c>[r, z, n]</c>; saves u_n (<c>hn</c>) for backward
    /// (see <see cref="RecurrentLayer"/>).</summary>
    internal sealed class GruLayer : RecurrentLayer
    {
        public override string Name => "Gru";

        protected override int Gates => 3;

        protected override int ScratchPerHidden => 5;

        protected override string? SavedSequence => "hn";
    }
}
