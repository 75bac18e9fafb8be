namespace NetGen.Generator.Model
{
    /// <summary>One trainable tensor of a layer, as its kind declares it.</summary>
    /// <param name="Suffix">The part after the layer name in checkpoints: <c>weight</c>, <c>bias</c>.</param>
    /// <param name="TorchShape">Shape in PyTorch's layout (<c>[out, in]</c> for a dense weight).</param>
    /// <param name="Transposed">True when the buffer stores the 2-D tensor as <c>[in, out]</c>.</param>
    /// <param name="Init">How the constructor fills it.</param>
    internal sealed record ParameterSpec(string Suffix, Shape TorchShape, bool Transposed, InitScheme Init);

    /// <summary>A weight initialisation, written as a call to <c>NetGen.Init</c> (or nothing for zeros: the buffer
    /// starts zeroed).</summary>
    /// <param name="Method">The <c>NetGen.Init</c> method, or null for zeros.</param>
    /// <param name="FanIn">Inputs per output unit.</param>
    /// <param name="FanOut">Outputs per input unit (Glorot only).</param>
    internal sealed record InitScheme(string? Method, int FanIn, int FanOut)
    {
        public static readonly InitScheme Zeros = new InitScheme(null, 0, 0);

        /// <summary>He normal N(0, 2/fanIn), for ReLU units.</summary>
        public static InitScheme He(int fanIn) => new InitScheme("He", fanIn, 0);

        /// <summary>Glorot uniform U(±√(6/(fanIn+fanOut))), for tanh, logistic and linear units.</summary>
        public static InitScheme Glorot(int fanIn, int fanOut) => new InitScheme("Glorot", fanIn, fanOut);
    }
}
