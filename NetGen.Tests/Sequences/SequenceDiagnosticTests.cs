using static NetGen.Tests.Generator.DiagnosticTests;

namespace NetGen.Tests.Sequences;

/// <summary>NG0140–NG0144 (and NG0113 for a convolution over a sequence): the ID, the exact span (marked <c>[|…|]</c>), the message, and no follow-on compiler error.</summary>
public class SequenceDiagnosticTests
{
    [Fact]
    public void NG0140_RecurrentLayerOnPlainFeatures() => AssertReports(Net(Loss.SoftmaxCrossEntropy, """
        [Input(784)] public partial Layer Pixels { get; }
        [[|Lstm(32)|]] public partial Layer L { get; }
        [Dense(10)] public partial Layer Logits { get; }
        """), "NG0140", "Lstm layer 'L' reads [B,784], which is not a sequence of vectors; read an Embedding or a recurrent layer with ReturnSequences = true");

    [Fact]
    public void NG0140_RecurrentLayerOnTokens() => AssertReports(Net(Loss.SoftmaxCrossEntropy, """
        [TokenInput(Vocabulary = 65, Length = 64)] public partial Layer Text { get; }
        [[|Gru(32)|]] public partial Layer G { get; }
        [Dense(65)] public partial Layer Logits { get; }
        """), "NG0140", "Gru layer 'G' reads [B,64] (64 token ids below 65), which is not a sequence of vectors; put an [Embedding(dim)] between the token input and this layer");

    [Fact]
    public void NG0140_RecurrentLayerAfterALastState() => AssertReports(Net(Loss.SoftmaxCrossEntropy, """
        [TokenInput(Vocabulary = 65, Length = 64)] public partial Layer Text { get; }
        [Embedding(16)] public partial Layer E { get; }
        [Lstm(32, ReturnSequences = false)] public partial Layer L1 { get; }
        [[|Rnn(8)|]] public partial Layer R2 { get; }
        [Dense(2)] public partial Layer Logits { get; }
        """), "NG0140", "Rnn layer 'R2' reads [B,32], which is not a sequence of vectors; read an Embedding or a recurrent layer with ReturnSequences = true");

    [Fact]
    public void NG0141_EmbeddingOnPlainInput() => AssertReports(Net(Loss.SoftmaxCrossEntropy, """
        [Input(64)] public partial Layer Ids { get; }
        [[|Embedding(16)|]] public partial Layer E { get; }
        [Lstm(8, ReturnSequences = false)] public partial Layer L { get; }
        [Dense(2)] public partial Layer Logits { get; }
        """), "NG0141", "Embedding 'E' reads [B,64], which is not a token input; an Embedding looks up token ids, so read a [TokenInput(Vocabulary = ..., Length = ...)] layer");

    [Fact]
    public void NG0141_EmbeddingOnASequence() => AssertReports(Net(Loss.SoftmaxCrossEntropy, """
        [TokenInput(Vocabulary = 10, Length = 5)] public partial Layer Text { get; }
        [Embedding(4)] public partial Layer E1 { get; }
        [[|Embedding(4)|]] public partial Layer E2 { get; }
        [Dense(10)] public partial Layer Logits { get; }
        """), "NG0141", "Embedding 'E2' reads [B,5,4] (a sequence of 5 steps), which is not a token input; an Embedding looks up token ids, so read a [TokenInput(Vocabulary = ..., Length = ...)] layer");

    [Theory]
    [InlineData("[|TokenInput(Vocabulary = 0, Length = 8)|]", "Embedding(4)", "Lstm(4)", "TokenInput layer 'Text' has Vocabulary = 0; it must be at least 1")]
    [InlineData("[|TokenInput(Vocabulary = 10, Length = -3)|]", "Embedding(4)", "Lstm(4)", "TokenInput layer 'Text' has Length = -3; it must be at least 1")]
    [InlineData("TokenInput(Vocabulary = 10, Length = 8)", "[|Embedding(0)|]", "Lstm(4)", "Embedding layer 'E' has dim = 0; it must be at least 1")]
    [InlineData("TokenInput(Vocabulary = 10, Length = 8)", "Embedding(4)", "[|Lstm(0)|]", "Lstm layer 'R' has hidden = 0; it must be at least 1")]
    [InlineData("TokenInput(Vocabulary = 10, Length = 8)", "Embedding(4)", "[|Rnn(-1)|]", "Rnn layer 'R' has hidden = -1; it must be at least 1")]
    [InlineData("TokenInput(Vocabulary = 10, Length = 8)", "Embedding(4)", "[|Gru(0, ReturnSequences = false)|]", "Gru layer 'R' has hidden = 0; it must be at least 1")]
    public void NG0142_NonPositiveSize(string input, string embedding, string recurrent, string message) => AssertReports(Net(Loss.SoftmaxCrossEntropy, $$"""
        [{{input}}] public partial Layer Text { get; }
        [{{embedding}}] public partial Layer E { get; }
        [{{recurrent}}] public partial Layer R { get; }
        [Dense(10)] public partial Layer Logits { get; }
        """), "NG0142", message);

    [Fact]
    public void NG0143_PerStepCrossEntropyWithOneClass() => AssertReports(Net(Loss.SoftmaxCrossEntropy, """
        [TokenInput(Vocabulary = 10, Length = 12)] public partial Layer Text { get; }
        [Embedding(4)] public partial Layer E { get; }
        [Lstm(8)] public partial Layer L { get; }
        [[|Dense(1)|]] public partial Layer Logit { get; }
        """), "NG0143", "SoftmaxCrossEntropy is applied at every time step of the sequence output 'Logit' [B,12,1] (a sequence of 12 steps) and needs at least 2 classes at each step (one logit per class), then takes one label per step");

    [Fact]
    public void NG0144_DenseOnTokenIds() => AssertReports(Net(Loss.SoftmaxCrossEntropy, """
        [TokenInput(Vocabulary = 10, Length = 12)] public partial Layer Text { get; }
        [[|Dense(16)|]] public partial Layer H { get; }
        [Dense(2)] public partial Layer Logits { get; }
        """), "NG0144", "Dense layer 'H' reads [B,12] (12 token ids below 10); token ids are labels, not features, so put an [Embedding(dim)] between the token input and this layer");

    [Fact]
    public void NG0144_DropoutOnTokenIds() => AssertReports(Net(Loss.SoftmaxCrossEntropy, """
        [TokenInput(Vocabulary = 10, Length = 12)] public partial Layer Text { get; }
        [[|Dropout(0.1)|]] public partial Layer D { get; }
        [Embedding(4)] public partial Layer E { get; }
        [Lstm(8, ReturnSequences = false)] public partial Layer L { get; }
        [Dense(2)] public partial Layer Logits { get; }
        """), "NG0144", "Dropout layer 'D' reads [B,12] (12 token ids below 10); token ids are labels, not features, so put an [Embedding(dim)] between the token input and this layer");

    [Fact]
    public void NG0113_Conv1DOverASequence() => AssertReports(Net(Loss.SoftmaxCrossEntropy, """
        [TokenInput(Vocabulary = 10, Length = 12)] public partial Layer Text { get; }
        [Embedding(8)] public partial Layer E { get; }
        [[|Conv1D(4, Kernel = 3)|]] public partial Layer C { get; }
        [Dense(2)] public partial Layer Logits { get; }
        """), "NG0113", "[12] → E [12,8]: Conv1D layer 'C' needs a [channels, length] input, but gets [12,8] (a sequence of 12 steps); " +
        "a sequence [steps, features] goes to Rnn/Lstm/Gru or a per-step Dense, not to convolution or pooling");
}
