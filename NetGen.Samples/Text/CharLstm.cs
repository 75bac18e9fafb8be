namespace NetGen.Samples.Text;

/// <summary>
/// Character-level language model (Karpathy's char-rnn, in NetGen): 64 characters in, the next character predicted at
/// every step. Up to 128 distinct characters (<c>CharText.MaxVocabulary</c>); 64-wide embeddings, one 256-wide LSTM,
/// a per-step dense layer to the logits, softmax cross-entropy averaged over all B·64 steps.
/// </summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class CharLstm
{
    [TokenInput(Vocabulary = 128, Length = 64)] public partial Layer Text { get; }
    [Embedding(64)]                             public partial Layer Embed { get; }
    [Lstm(256)]                                 public partial Layer Memory { get; }
    [Dense(128)]                                public partial Layer Logits { get; }
}

/// <summary>
/// The same layers as <see cref="CharLstm"/> (the same parameter layout) over one character per call, with the LSTM
/// state carried from call to call: text is sampled one character at a time with no window to recompute.
/// </summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class CharLstmStep
{
    [TokenInput(Vocabulary = 128, Length = 1)] public partial Layer Text { get; }
    [Embedding(64)]                            public partial Layer Embed { get; }
    [Lstm(256, Stateful = true)]               public partial Layer Memory { get; }
    [Dense(128)]                               public partial Layer Logits { get; }
}
