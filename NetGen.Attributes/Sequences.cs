using System;

namespace NetGen
{
    /// <summary>
    /// A sequence input: each sample is <see cref="Length"/> integer tokens in <c>[0, Vocabulary)</c>, passed to the
    /// network as floats holding the token ids (<c>[B, Length]</c> floats per batch). Usually followed by an
    /// <see cref="EmbeddingAttribute"/>: <c>[TokenInput(Vocabulary = 65, Length = 64)]</c>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class TokenInputAttribute : Attribute
    {
        /// <summary>Number of distinct tokens; every id must lie in <c>[0, Vocabulary)</c>.</summary>
        public int Vocabulary { get; set; }

        /// <summary>Tokens per sample (the number of time steps T).</summary>
        public int Length { get; set; }
    }

    /// <summary>
    /// A learned lookup table <c>E</c> of shape <c>[Vocabulary, dim]</c>: <c>y[t] = E[token[t]]</c>, so a
    /// <c>[T]</c> token sequence becomes a <c>[T, dim]</c> sequence of vectors. Only the rows of used tokens receive
    /// gradient. Initialised N(0, 1) like PyTorch's <c>nn.Embedding</c>; the checkpoint name is <c>layer.weight</c>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class EmbeddingAttribute : Attribute
    {
        /// <param name="dim">Width of each embedding vector.</param>
        public EmbeddingAttribute(int dim) { Dim = dim; }

        /// <summary>Width of each embedding vector.</summary>
        public int Dim { get; }

        /// <summary>The token input this layer reads (use <c>nameof</c>); the previous layer when omitted.</summary>
        public string? From { get; set; }
    }

    /// <summary>
    /// What <see cref="RnnAttribute"/>, <see cref="LstmAttribute"/> and <see cref="GruAttribute"/> declare besides their
    /// own options: the hidden width, what the layer outputs, whether its state carries over, and where it reads from.
    /// </summary>
    public abstract class RecurrentAttribute : Attribute
    {
        private protected RecurrentAttribute(int hidden) { Hidden = hidden; }

        /// <summary>Width of the hidden state (and of an Lstm's cell state).</summary>
        public int Hidden { get; }

        /// <summary>True (default): output every step's state, <c>[T, hidden]</c>; false: only the last, <c>[hidden]</c>.</summary>
        public bool ReturnSequences { get; set; } = true;

        /// <summary>
        /// True: truncated backpropagation through time. Each <c>Forward</c>/<c>TrainStep</c> starts from the state the
        /// previous one ended in (sample b of a batch continues sample b of the previous batch, so feed consecutive
        /// windows of each stream at the same batch position), and gradients stop at the batch boundary. The network gets
        /// a <c>ResetState()</c> method that zeroes the carried state. False (default): every sequence starts from zeros.
        /// </summary>
        public bool Stateful { get; set; }

        /// <summary>The layer this one reads from (use <c>nameof</c>); the previous layer when omitted.</summary>
        public string? From { get; set; }
    }

    /// <summary>
    /// An Elman recurrent layer over a <c>[T, F]</c> sequence:
    /// <c>h_t = tanh(x_t·W_ih + b_ih + h_{t−1}·W_hh + b_hh)</c>, <c>h_0 = 0</c> (PyTorch's <c>nn.RNN</c>).
    /// Output <c>[T, hidden]</c> (all <c>h_t</c>) or <c>[hidden]</c> (the last one) per
    /// <see cref="RecurrentAttribute.ReturnSequences"/>. Trained by backpropagation through time over the whole sequence.
    /// </summary>
    /// <remarks>Backpropagation through time multiplies by the recurrent weights once per step, so gradients can explode
    /// over long sequences: clip them by their global norm (the runtime's <c>GradientClipping</c>) before each update.
    /// Checkpoints hold PyTorch's <c>weight_ih_l0</c>, <c>weight_hh_l0</c>, <c>bias_ih_l0</c>, <c>bias_hh_l0</c>.</remarks>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class RnnAttribute : RecurrentAttribute
    {
        /// <param name="hidden">Width of the hidden state.</param>
        public RnnAttribute(int hidden) : base(hidden) { }
    }

    /// <summary>
    /// A long short-term memory layer with PyTorch's gate order and semantics (<c>nn.LSTM</c>): with
    /// <c>z_t = x_t·W_ih + b_ih + h_{t−1}·W_hh + b_hh</c> split into four blocks <c>[i, f, g, o]</c>,
    /// <c>i = σ(z_i)</c>, <c>f = σ(z_f)</c>, <c>g = tanh(z_g)</c>, <c>o = σ(z_o)</c>,
    /// <c>c_t = f ⊙ c_{t−1} + i ⊙ g</c>, <c>h_t = o ⊙ tanh(c_t)</c>, <c>h_0 = c_0 = 0</c>.
    /// Output <c>[T, hidden]</c> (all <c>h_t</c>) or <c>[hidden]</c> (the last one) per <see cref="RecurrentAttribute.ReturnSequences"/>.
    /// </summary>
    /// <remarks>Backpropagation through time multiplies by the recurrent weights once per step, so gradients can explode
    /// over long sequences: clip them by their global norm (the runtime's <c>GradientClipping</c>) before each update.
    /// Checkpoints hold PyTorch's <c>weight_ih_l0</c>, <c>weight_hh_l0</c>, <c>bias_ih_l0</c>, <c>bias_hh_l0</c>.</remarks>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class LstmAttribute : RecurrentAttribute
    {
        /// <param name="hidden">Width of the hidden and cell states.</param>
        public LstmAttribute(int hidden) : base(hidden) { }

        /// <summary>
        /// Initial value of the forget gate's bias (default 1, Jozefowicz et al. 2015): <c>b_ih</c>'s <c>f</c> block
        /// starts at this value and <c>b_hh</c>'s at 0, so the cell remembers by default at the start of training.
        /// </summary>
        public double ForgetBias { get; set; } = 1.0;
    }

    /// <summary>
    /// A gated recurrent unit layer in PyTorch's formulation (<c>nn.GRU</c>): with input projections
    /// <c>a = x_t·W_ih + b_ih</c> and hidden projections <c>u = h_{t−1}·W_hh + b_hh</c>, each split into blocks
    /// <c>[r, z, n]</c>, <c>r = σ(a_r + u_r)</c>, <c>z = σ(a_z + u_z)</c>, <c>n = tanh(a_n + r ⊙ u_n)</c>,
    /// <c>h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}</c>, <c>h_0 = 0</c>.
    /// Output <c>[T, hidden]</c> (all <c>h_t</c>) or <c>[hidden]</c> (the last one) per <see cref="RecurrentAttribute.ReturnSequences"/>.
    /// </summary>
    /// <remarks>Backpropagation through time multiplies by the recurrent weights once per step, so gradients can explode
    /// over long sequences: clip them by their global norm (the runtime's <c>GradientClipping</c>) before each update.
    /// Checkpoints hold PyTorch's <c>weight_ih_l0</c>, <c>weight_hh_l0</c>, <c>bias_ih_l0</c>, <c>bias_hh_l0</c>.</remarks>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class GruAttribute : RecurrentAttribute
    {
        /// <param name="hidden">Width of the hidden state.</param>
        public GruAttribute(int hidden) : base(hidden) { }
    }
}
