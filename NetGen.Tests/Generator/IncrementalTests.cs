using Microsoft.CodeAnalysis;
using NetGen.Generator;

namespace NetGen.Tests.Generator;

/// <summary>The pipeline's values are equatable: edits that do not change a network leave its steps cached, and an
/// edit to a layer recomputes them.</summary>
public class IncrementalTests
{
    private const string Network = """
        using NetGen;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Mlp
        {
            [Input(784)]       public partial Layer Pixels { get; }
            [Dense(128), Relu] public partial Layer Hidden { get; }
            [Dense(10)]        public partial Layer Logits { get; }
        }
        """;

    internal static readonly string[] Steps = [NetworkGenerator.Steps.Parse, NetworkGenerator.Steps.Plan, NetworkGenerator.Steps.Tune, NetworkGenerator.Steps.Emit];

    internal static GeneratorRunResult RunTwice(Func<Compilation, SyntaxTree, SyntaxTree, Compilation> edit, string source = Network)
    {
        var network = GeneratorHarness.Parse(source, "Mlp.cs");
        var other = GeneratorHarness.Parse("namespace Demo; public class Other { public int X; }", "Other.cs");
        var compilation = GeneratorHarness.Compilation(network, other);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        driver = driver.RunGenerators(edit(compilation, network, other));
        return driver.GetRunResult().Results.Single();
    }

    internal static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);

    [Fact]
    public void UnrelatedEditLeavesEveryStepCached()
    {
        var result = RunTwice((c, _, other) => c.ReplaceSyntaxTree(other,
            GeneratorHarness.Parse("namespace Demo; public class Other { public int X; public int Y; }", "Other.cs")));

        foreach (string step in Steps.Append(NetworkGenerator.Steps.Diagnostics))
        {
            var reasons = Reasons(result, step).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, step + ": " + r));
        }
        Assert.All(Reasons(result, NetworkGenerator.Steps.Emit), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void ChangingALayersUnitsModifiesEveryStep()
    {
        var result = RunTwice((c, network, _) => c.ReplaceSyntaxTree(network,
            GeneratorHarness.Parse(Network.Replace("Dense(128)", "Dense(64)"), "Mlp.cs")));

        foreach (string step in Steps)
            Assert.Equal([IncrementalStepRunReason.Modified], Reasons(result, step));
        Assert.Contains("Dense.Forward<global::NetGen.Kernels.Relu>(batch, 784, 64,", result.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void PipelineValuesHoldNoRoslynObjects()
    {
        var result = RunTwice((c, _, _) => c);
        foreach (string step in Steps)
            foreach (var output in result.TrackedSteps[step].SelectMany(s => s.Outputs))
                AssertNoRoslynObjects(output.Value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
    }

    /// <summary>Walks public and private fields: symbols, syntax, compilations and locations compare by reference
    /// and would defeat caching.</summary>
    private static void AssertNoRoslynObjects(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value)) return;
        Assert.False(value is ISymbol or SyntaxNode or Compilation or Location or SemanticModel or AttributeData,
            path + " holds a " + value.GetType().Name);
        if (value is System.Collections.IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items) AssertNoRoslynObjects(item, path + "[" + i++ + "]", seen);
            return;
        }
        if (value.GetType().Namespace?.StartsWith("NetGen", StringComparison.Ordinal) != true) return;
        foreach (var field in value.GetType().GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic))
            AssertNoRoslynObjects(field.GetValue(value), path + "." + field.Name, seen);
    }
}
