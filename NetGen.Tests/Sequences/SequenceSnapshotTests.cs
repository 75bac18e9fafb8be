using NetGen.Tests.Generator;

namespace NetGen.Tests.Sequences;

/// <summary>Golden file of a generated char-LSTM (stacked, one layer stateful); it also has to compile without warnings.</summary>
public class SequenceSnapshotTests
{
    [Fact]
    public void CharLstm()
    {
        const string source = """
            using NetGen;

            namespace Demo;

            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            public partial class CharLstm
            {
                [TokenInput(Vocabulary = 65, Length = 64)] public partial Layer Text { get; }
                [Embedding(64)]                           public partial Layer Embed { get; }
                [Lstm(128)]                               public partial Layer L1 { get; }
                [Gru(128, Stateful = true)]               public partial Layer L2 { get; }
                [Dense(65)]                               public partial Layer Logits { get; }
            }
            """;
        Snapshot.Verify(GeneratorHarness.GenerateClean(source), nameof(CharLstm));
    }
}
