using Microsoft.CodeAnalysis;
using NetGen.Generator;
using NetGen.Tests.Generator;

namespace NetGen.Tests.Sequences;

/// <summary>Sequence layers' options, shape roles and buffers are equatable pipeline values: an unrelated edit leaves a
/// char-LSTM's steps cached, and changing its hidden size recomputes them.</summary>
public class SequenceIncrementalTests
{
    private const string Network = """
        using NetGen;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Chars
        {
            [TokenInput(Vocabulary = 30, Length = 16)]        public partial Layer Text { get; }
            [Embedding(8)]                                    public partial Layer Embed { get; }
            [Lstm(12, Stateful = true, ForgetBias = 2)]       public partial Layer L1 { get; }
            [Gru(10, ReturnSequences = false)]                public partial Layer G2 { get; }
            [Dense(30)]                                       public partial Layer Logits { get; }
        }
        """;

    [Fact]
    public void UnrelatedEditLeavesEveryStepCached()
    {
        var result = IncrementalTests.RunTwice((c, _, other) => c.ReplaceSyntaxTree(other,
            GeneratorHarness.Parse("namespace Demo; public class Other { public int X; public int Y; }", "Other.cs")), Network);
        Assert.All(IncrementalTests.Reasons(result, NetworkGenerator.Steps.Emit), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(IncrementalTests.Reasons(result, NetworkGenerator.Steps.Plan), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void ChangingTheHiddenSizeModifiesThePlan()
    {
        var result = IncrementalTests.RunTwice((c, network, _) => c.ReplaceSyntaxTree(network,
            GeneratorHarness.Parse(Network.Replace("Lstm(12,", "Lstm(14,"), "Mlp.cs")), Network);
        foreach (string step in IncrementalTests.Steps)
            Assert.Contains(IncrementalStepRunReason.Modified, IncrementalTests.Reasons(result, step));
    }
}
