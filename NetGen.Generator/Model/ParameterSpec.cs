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

        /// <summary>A block set to one value after the method ran (an LSTM's forget-gate bias), or null.</summary>
        public InitFill? Fill { get; init; }

        /// <summary>Uniform U(±1/√fanIn), PyTorch's default for recurrent weights and biases (fanIn = hidden size).</summary>
        public static InitScheme Uniform(int fanIn) => new InitScheme("Uniform", fanIn, 0);

        /// <summary>LeCun normal N(0, 1/fanIn); with fanIn = 1, PyTorch's N(0, 1) for embedding tables.</summary>
        public static InitScheme LeCun(int fanIn) => new InitScheme("LeCun", fanIn, 0);

        /// <summary>He normal N(0, 2/fanIn), for ReLU units.</summary>
        public static InitScheme He(int fanIn) => new InitScheme("He", fanIn, 0);

        /// <summary>Glorot uniform U(±√(6/(fanIn+fanOut))), for tanh, logistic and linear units.</summary>
        public static InitScheme Glorot(int fanIn, int fanOut) => new InitScheme("Glorot", fanIn, fanOut);
    }

    /// <summary>Floats <c>[Start, Start + Length)</c> of a tensor set to <paramref name="Value"/> after its initialisation.</summary>
    internal sealed record InitFill(int Start, int Length, float Value);
}
