namespace NetGen.Tests.Sequences;

/// <summary>A tagger: embedding, stacked LSTM and GRU, a per-step dense layer, cross-entropy at every step.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class LstmGruTagger
{
    [TokenInput(Vocabulary = 5, Length = 4)] public partial Layer Tokens { get; }
    [Embedding(3)] public partial Layer Embed { get; }
    [Lstm(4)] public partial Layer L1 { get; }
    [Gru(3)] public partial Layer G2 { get; }
    [Dense(5)] public partial Layer Logits { get; }
}

/// <summary>A sequence classifier: Rnn over the sequence, an Lstm that keeps only its last state, a tanh dense head.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class RnnLastStateClassifier
{
    [TokenInput(Vocabulary = 4, Length = 3)] public partial Layer Tokens { get; }
    [Embedding(3)] public partial Layer Embed { get; }
    [Rnn(4)] public partial Layer R1 { get; }
    [Lstm(3, ReturnSequences = false, ForgetBias = 0.5)] public partial Layer Last { get; }
    [Dense(4), Tanh] public partial Layer Hidden { get; }
    [Dense(2)] public partial Layer Logits { get; }
}

/// <summary>Regression from a GRU's last state: squared error, no per-step loss.</summary>
[Network(Loss = Loss.SquaredError)]
public partial class GruRegressor
{
    [TokenInput(Vocabulary = 6, Length = 3)] public partial Layer Tokens { get; }
    [Embedding(2)] public partial Layer Embed { get; }
    [Gru(3, ReturnSequences = false)] public partial Layer G1 { get; }
    [Dense(2), Sigmoid] public partial Layer Out { get; }
}

/// <summary>Per-step regression: a sigmoid per-step dense layer under squared error, T·2 targets per sample.</summary>
[Network(Loss = Loss.SquaredError)]
public partial class PerStepRegressor
{
    [TokenInput(Vocabulary = 3, Length = 3)] public partial Layer Tokens { get; }
    [Embedding(2)] public partial Layer Embed { get; }
    [Rnn(3)] public partial Layer R1 { get; }
    [Dense(2), Sigmoid] public partial Layer Out { get; }
}

/// <summary>Predicts the token two steps back (the toy task): vocabulary 4, 8 steps.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class TwoBack
{
    [TokenInput(Vocabulary = 4, Length = 8)] public partial Layer Tokens { get; }
    [Embedding(8)] public partial Layer Embed { get; }
    [Lstm(24)] public partial Layer Memory { get; }
    [Dense(4)] public partial Layer Logits { get; }
}

/// <summary>Six steps at once, from zeros.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class SixSteps
{
    [TokenInput(Vocabulary = 5, Length = 6)] public partial Layer Tokens { get; }
    [Embedding(3)] public partial Layer Embed { get; }
    [Lstm(4)] public partial Layer L1 { get; }
    [Gru(3)] public partial Layer G2 { get; }
    [Rnn(3)] public partial Layer R3 { get; }
    [Dense(5)] public partial Layer Logits { get; }
}

/// <summary>The same layers as <see cref="SixSteps"/> over windows of three steps, each continuing the last.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class ThreeStepsStateful
{
    [TokenInput(Vocabulary = 5, Length = 3)] public partial Layer Tokens { get; }
    [Embedding(3)] public partial Layer Embed { get; }
    [Lstm(4, Stateful = true)] public partial Layer L1 { get; }
    [Gru(3, Stateful = true)] public partial Layer G2 { get; }
    [Rnn(3, Stateful = true)] public partial Layer R3 { get; }
    [Dense(5)] public partial Layer Logits { get; }
}
