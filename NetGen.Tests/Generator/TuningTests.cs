using System.Globalization;
using Microsoft.CodeAnalysis;
using NetGen.Generator;
using static NetGen.Tests.Generator.GeneratorHarness;

namespace NetGen.Tests.Generator;

/// <summary>Tuning tables (<c>*.netgen-tuning.txt</c> AdditionalFiles): their choices are baked into the convolution
/// calls, malformed or inapplicable lines are reported against the table, and without a table the kernels' rule chooses.</summary>
public class TuningTests
{
    private const string LeNet = ConvSnapshotTests.LeNet5Source;

    private const string Signal = """
        using NetGen;

        namespace Demo;

        [Network(Loss = Loss.SquaredError)]
        public partial class Signal
        {
            [Input(3, 40)]                                 public partial Layer Samples { get; }
            [Conv1D(8, Kernel = 5, Padding = 2), Relu]     public partial Layer Conv { get; }
            [Conv1D(4, Kernel = 3, Stride = 2), Tanh]      public partial Layer Down { get; }
            [Flatten]                                      public partial Layer Flat { get; }
            [Dense(2)]                                     public partial Layer Out { get; }
        }
        """;

    private const string Table = """
        # measured on this machine by the tuner
        Conv2D in=1x28x28 out=6 kernel=5x5 stride=1 padding=2 batch=1 isa=avx512 forward=im2col # im2col 0.80× direct
        Conv2D in=1x28x28 out=6 kernel=5 stride=1 padding=2 batch=2-* isa=avx512 forward=direct # direct 0.31× im2col
        Conv2D in=6x14x14 out=16 kernel=5x5 stride=1 padding=0 batch=* isa=avx2 backward=im2col

        Conv2D in=3x32x32 out=8 kernel=3x3 stride=1 padding=1 batch=* isa=avx512 forward=direct # matches no layer
        Conv2D in=6x14x14 out=16 kernel=5x5 stride=1 padding=0 batch=8-64 isa=avx512 backward=direct
        """;

    private static AdditionalText File(string text, string path = "/src/LeNet.netgen-tuning.txt") => new TextFile(path, text);

    [Fact]
    public void TableEntries_AreBakedIntoTheCalls()
    {
        string code = GenerateClean(LeNet, [File(Table)]);
        const string Isa = "global::NetGen.Kernels.Conv2D.Isa == global::NetGen.Kernels.VectorIsa.";
        const string Algorithm = "global::NetGen.Kernels.Conv2DAlgorithm.";
        Assert.Contains("// forward algorithm: tuned, LeNet.netgen-tuning.txt:2 (Avx512, batch 1): Im2Col; im2col 0.80× direct", code);
        Assert.Contains("// forward algorithm: tuned, LeNet.netgen-tuning.txt:3 (Avx512, batch 2-*): Direct; direct 0.31× im2col", code);
        Assert.Contains("_c1Workspace,\n                " + Isa + "Avx512 && batch == 1 ? " + Algorithm + "Im2Col\n                : " + Isa
            + "Avx512 && batch >= 2 ? " + Algorithm + "Direct\n                : " + Algorithm + "Auto);", code);
        Assert.Contains("_c3Workspace,\n                " + Isa + "Avx2 ? " + Algorithm + "Im2Col\n                : " + Isa
            + "Avx512 && batch >= 8 && batch <= 64 ? " + Algorithm + "Direct\n                : " + Algorithm + "Auto);", code);
        // C3's forward and C1's backward have no entry: the rule.
        Assert.Equal(2, Count(code, "algorithm: rule"));
        Assert.Equal(4, Count(code, "algorithm: tuned"));
    }

    [Fact]
    public void TunedLeNet5_Snapshot() =>
        Snapshot.Verify(GenerateClean(LeNet, [File(Table)]), "LeNet5Tuned");

    [Fact]
    public void WithoutATable_TheRuleChooses()
    {
        string code = GenerateClean(LeNet);
        Assert.Equal(4, Count(code, "algorithm: rule (Auto: the kernels choose by shape)"));
        Assert.Equal(4, Count(code, "    global::NetGen.Kernels.Conv2DAlgorithm.Auto);"));
        Assert.DoesNotContain("tuned", code);
    }

    [Fact]
    public void OtherAdditionalFiles_AreNotTables()
    {
        string code = GenerateClean(LeNet, [File("not a table at all", "/src/notes.txt"), File(Table, "/src/LeNet.tuning.txt")]);
        Assert.DoesNotContain("tuned", code);
    }

    [Fact]
    public void Conv1DLayers_TakeTheirEntries()
    {
        const string table = """
            Conv1D in=3x40 out=8 kernel=5 stride=1 padding=2 batch=* isa=avx512 forward=direct
            Conv1D in=3x40 out=8 kernel=5 stride=1 padding=2 batch=* isa=avx512 backward=im2col
            Conv1D in=8x40 out=4 kernel=3 stride=2 padding=0 batch=16-* isa=other forward=im2col
            """;
        string code = GenerateClean(Signal, [File(table, "/t/signal.netgen-tuning.txt")]);
        Assert.Contains("global::NetGen.Kernels.Conv1D.Forward<global::NetGen.Kernels.Relu>(", code);
        Assert.Contains("    global::NetGen.Kernels.Conv2D.Isa == global::NetGen.Kernels.VectorIsa.Avx512 ? global::NetGen.Kernels.Conv2DAlgorithm.Direct\n                : global::NetGen.Kernels.Conv2DAlgorithm.Auto);", code);
        Assert.Contains("    global::NetGen.Kernels.Conv2D.Isa == global::NetGen.Kernels.VectorIsa.Avx512 ? global::NetGen.Kernels.Conv2DAlgorithm.Im2Col\n                : global::NetGen.Kernels.Conv2DAlgorithm.Auto);", code);
        Assert.Contains("    global::NetGen.Kernels.Conv2D.Isa == global::NetGen.Kernels.VectorIsa.Other && batch >= 16 ? global::NetGen.Kernels.Conv2DAlgorithm.Im2Col\n                : global::NetGen.Kernels.Conv2DAlgorithm.Auto);", code);
        Assert.Equal(1, Count(code, "algorithm: rule"));
    }

    // A malformed line, and what its NG0020 must say.
    [Theory]
    [InlineData("Lstm in=1x28x28 out=6 kernel=5 stride=1 padding=2 batch=* isa=avx512 forward=direct", "'Lstm' is not a layer kind that takes a tuned choice (Conv2D, Conv1D, Dense)")]
    [InlineData("Conv2D in=1x28x28 out=6 kernel=5 stride=1 padding=2 batch=* isa=avx512 forward=fast", "forward=fast is not auto, im2col, im2coldot or direct")]
    [InlineData("Conv2D in=1x28x28 out=6 kernel=5 stride=1 batch=* isa=avx512 forward=direct", "key 'padding' is missing")]
    [InlineData("Conv2D in=1x28x28 out=6 kernel=5 stride=1 padding=2 batch=* isa=avx512", "exactly one of forward")]
    [InlineData("Conv2D in=1x28x28 out=6 kernel=5 stride=1 padding=2 batch=* isa=avx512 forward=direct backward=im2col", "exactly one of forward")]
    [InlineData("Conv2D in=1x28 out=6 kernel=5 stride=1 padding=2 batch=* isa=avx512 forward=direct", "in=1x28 is not C×H×W")]
    [InlineData("Conv1D in=1x28x28 out=6 kernel=5 stride=1 padding=2 batch=* isa=avx512 forward=direct", "in=1x28x28 is not C×L")]
    [InlineData("Conv2D in=1x28x28 out=6 kernel=5x5x5 stride=1 padding=2 batch=* isa=avx512 forward=direct", "kernel=5x5x5 is not")]
    [InlineData("Conv2D in=1x28x28 out=0 kernel=5 stride=1 padding=2 batch=* isa=avx512 forward=direct", "out=0 is not a positive integer")]
    [InlineData("Conv2D in=1x28x28 out=6 kernel=5 stride=-1 padding=2 batch=* isa=avx512 forward=direct", "stride=-1 is not")]
    [InlineData("Conv2D in=1x28x28 out=6 kernel=5 stride=1 padding=x batch=* isa=avx512 forward=direct", "padding=x is not")]
    [InlineData("Conv2D in=1x28x28 out=6 kernel=5 stride=1 padding=2 batch=9-3 isa=avx512 forward=direct", "batch=9-3 is not")]
    [InlineData("Conv2D in=1x28x28 out=6 kernel=5 stride=1 padding=2 batch=0 isa=avx512 forward=direct", "batch=0 is not")]
    [InlineData("Conv2D in=1x28x28 out=6 kernel=5 stride=1 padding=2 batch=* isa=neon forward=direct", "isa=neon is not")]
    [InlineData("Conv2D in=1x28x28 out=6 kernel=5 stride=1 padding=2 batch=* isa=avx512 forward=direct threads=2", "unknown key 'threads'")]
    [InlineData("Conv2D in=1x28x28 in=1x28x28 out=6 kernel=5 stride=1 padding=2 batch=* isa=avx512 forward=direct", "key 'in' is given twice")]
    [InlineData("Conv2D in=1x28x28 out=6 kernel=5 stride=1 padding=2 batch=* isa= forward=direct", "'isa=' is not key=value")]
    [InlineData("Conv2D 1x28x28 6 5 1 2 * avx512 direct", "'1x28x28' is not key=value")]
    [InlineData("Conv2D in=99999999999x28x28 out=6 kernel=5 stride=1 padding=2 batch=* isa=avx512 forward=direct", "in=99999999999x28x28 is not")]
    public void MalformedLine_IsReportedWithFileAndLine_AndTheRestApplies(string line, string problem)
    {
        var (diagnostic, message) = AssertMalformedLineReported(LeNet, line,
            "Conv2D in=1x28x28 out=6 kernel=5x5 stride=1 padding=2 batch=* isa=avx512 forward=im2col", problem,
            "LeNet.netgen-tuning.txt:3 (Avx512, batch *): Im2Col");
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Contains("the line is ignored (format: Conv2D in=1x28x28 out=6 kernel=5x5 stride=1 padding=2 batch=2-* isa=avx512 forward=direct", message);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal("/src/LeNet.netgen-tuning.txt", span.Path);
        Assert.Equal(line.Length, span.EndLinePosition.Character);
    }

    /// <summary>Runs the generator on <paramref name="source"/> with a table of a header, <paramref name="line"/> and
    /// <paramref name="validLine"/>; checks that the one diagnostic is an NG0020 against line 2 that names
    /// <paramref name="problem"/>, that the code compiles cleanly, and that the valid line still applies (its comment
    /// <paramref name="applied"/>). Returns the diagnostic and its message.</summary>
    private static (Diagnostic Diagnostic, string Message) AssertMalformedLineReported(string source, string line, string validLine, string problem, string applied)
    {
        var (result, output) = Run(source, File("# header\n" + line + "\n" + validLine + "\n"));
        Assert.Null(result.Exception);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("NG0020", diagnostic.Id);
        string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        Assert.StartsWith("LeNet.netgen-tuning.txt(2): ", message);
        Assert.Contains(problem, message);
        Assert.Equal(1, diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Contains(applied, result.GeneratedSources.Single().SourceText.ToString());
        return (diagnostic, message);
    }

    [Fact]
    public void InapplicableChoice_IsReported_AndTheLayerKeepsTheRule()
    {
        const string table = """
            Conv1D in=8x40 out=4 kernel=3 stride=2 padding=0 batch=* isa=avx512 backward=direct
            Conv1D in=8x40 out=4 kernel=3 stride=2 padding=0 batch=* isa=avx512 forward=im2col
            """;
        var (result, output) = Run(Signal, File(table, "/t/s.netgen-tuning.txt"));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("NG0021", diagnostic.Id);
        Assert.Equal("s.netgen-tuning.txt:1: Direct cannot run the backward pass of layer 'Down' of network 'Signal': the direct kernels need stride 1; "
            + "the layer keeps the kernels' rule there", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal("/t/s.netgen-tuning.txt", diagnostic.Location.GetLineSpan().Path);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        string code = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Equal(3, Count(code, "algorithm: rule"));
        Assert.Contains("s.netgen-tuning.txt:2 (Avx512, batch *): Im2Col", code);
    }

    [Fact]
    public void DirectOnAnotherInstructionSet_IsReported()
    {
        // The direct kernels are AVX-512 only: an entry measured elsewhere that names them would throw at run time.
        const string table = "Conv2D in=1x28x28 out=6 kernel=5x5 stride=1 padding=2 batch=* isa=avx2 forward=direct\n";
        var (result, output) = Run(LeNet, File(table));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("NG0021", diagnostic.Id);
        Assert.Contains("Direct cannot run the forward pass of layer 'C1' of network 'LeNet5': the direct kernels need AVX-512",
            diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.DoesNotContain("VectorIsa.Avx2", result.GeneratedSources.Single().SourceText.ToString());
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void DirectForwardWithTooFewOutputChannels_IsReported()
    {
        const string source = """
            using NetGen;
            [Network(Loss = Loss.SquaredError)]
            public partial class Small
            {
                [Input(2, 9, 9)]                       public partial Layer X { get; }
                [Conv2D(3, Kernel = 3, Padding = 1)]   public partial Layer C { get; }
            }
            """;
        const string table = """
            Conv2D in=2x9x9 out=3 kernel=3x3 stride=1 padding=1 batch=* isa=avx512 forward=direct
            Conv2D in=2x9x9 out=3 kernel=3x3 stride=1 padding=1 batch=* isa=avx512 backward=direct
            Conv2D in=2x9x9 out=3 kernel=3x3 stride=1 padding=1 batch=* isa=avx512 forward=im2coldot
            Conv2D in=2x9x9 out=3 kernel=3x3 stride=1 padding=1 batch=* isa=avx512 backward=im2coldot
            """;
        var (result, _) = Run(source, File(table));
        Assert.Equal(["NG0021", "NG0021"], result.Diagnostics.Select(d => d.Id));
        Assert.Contains("the direct forward kernel needs at least 4 output channels", result.Diagnostics[0].GetMessage(CultureInfo.InvariantCulture));
        Assert.Contains("Im2ColDot cannot run the forward pass of layer 'C'", result.Diagnostics[1].GetMessage(CultureInfo.InvariantCulture));
        Assert.Contains("dot products compute only the backward pass's weight gradient", result.Diagnostics[1].GetMessage(CultureInfo.InvariantCulture));
        string code = result.GeneratedSources.Single().SourceText.ToString(); // both backward entries apply
        Assert.Contains("global::NetGen.Kernels.VectorIsa.Avx512 ? global::NetGen.Kernels.Conv2DAlgorithm.Direct\n", code);
        Assert.Contains(": global::NetGen.Kernels.Conv2D.Isa == global::NetGen.Kernels.VectorIsa.Avx512 ? global::NetGen.Kernels.Conv2DAlgorithm.Im2ColDot\n", code);
        Assert.Equal(1, Count(code, "forward algorithm: rule"));
    }

    [Fact]
    public void TablesFromSeveralFiles_FirstFileByPathWins()
    {
        var first = File("Conv2D in=1x28x28 out=6 kernel=5 stride=1 padding=2 batch=* isa=avx512 forward=im2col\n", "/a/x.netgen-tuning.txt");
        var second = File("Conv2D in=1x28x28 out=6 kernel=5 stride=1 padding=2 batch=* isa=avx512 forward=direct\n", "/b/y.netgen-tuning.txt");
        foreach (var files in new[] { new[] { first, second }, new[] { second, first } })
        {
            string code = GenerateClean(LeNet, files);
            int im2col = code.IndexOf("x.netgen-tuning.txt:1", StringComparison.Ordinal), direct = code.IndexOf("y.netgen-tuning.txt:1", StringComparison.Ordinal);
            Assert.True(im2col >= 0 && direct > im2col);
        }
    }

    private const string Mlp = SnapshotTests.MlpSource;

    private const string DenseTable = """
        # Dense tilings
        Dense in=784 out=256 batch=1 isa=avx512 product=forward kc=392 # 0.90× the rule
        Dense in=784 out=256 batch=2-* isa=avx512 product=forward kc=392 nc=256 order=panels a=inplace b=packed
        Dense in=256 out=128 batch=* isa=avx512 product=dx nc=128 transpose=yes
        Dense in=256 out=128 batch=33-* isa=avx2 product=dw kc=128 order=slivers a=packed b=inplace transpose=no
        Dense in=128 out=10 batch=* isa=avx512 product=forward # the rule's blocking won
        Dense in=784 out=256 batch=* isa=avx512 product=dx kc=64 # H1 computes no dx: not emitted
        """;

    [Fact]
    public void DenseTilings_AreBakedIntoTheCalls()
    {
        string code = GenerateClean(Mlp, [File(DenseTable, "/src/mlp.netgen-tuning.txt")]);
        const string Isa = "global::NetGen.Kernels.Gemm.Isa == global::NetGen.Kernels.VectorIsa.";
        const string K = "global::NetGen.Kernels.";
        Assert.Contains("// forward tiling: tuned, mlp.netgen-tuning.txt:2 (Avx512, batch 1): kc=392; 0.90× the rule", code);
        Assert.Contains("// forward tiling: tuned, mlp.netgen-tuning.txt:3 (Avx512, batch 2-*): kc=392 nc=256 order=panels a=inplace b=packed\n", code);
        Assert.Contains("    new " + K + "DenseTiling\n                {\n                    Forward = " + Isa + "Avx512 && batch == 1 ? new " + K
            + "GemmTiling { KC = 392 }\n                        : " + Isa + "Avx512 && batch >= 2 ? new " + K + "GemmTiling { KC = 392, NC = 256, Order = "
            + K + "GemmLoopOrder.PanelsOuter, A = " + K + "GemmOperand.InPlace, B = " + K + "GemmOperand.Packed }\n                        : default("
            + K + "GemmTiling),\n                });", code);
        Assert.Contains("// dx tiling: tuned, mlp.netgen-tuning.txt:4 (Avx512, batch *): nc=128 transpose=yes", code);
        Assert.Contains("InputGradient = " + Isa + "Avx512 ? new " + K + "GemmTiling { NC = 128, Transposition = " + K + "GemmTransposition.Transposed }\n", code);
        Assert.Contains("WeightGradient = " + Isa + "Avx2 && batch >= 33 ? new " + K + "GemmTiling { KC = 128, Order = " + K + "GemmLoopOrder.SliversOuter, A = "
            + K + "GemmOperand.Packed, B = " + K + "GemmOperand.InPlace, Transposition = " + K + "GemmTransposition.Direct }\n", code);
        // An entry without tiling keys is the rule, said so with its note, and adds nothing to the call (Logits keeps the short
        // form); H1 computes no dx, so its dx entry is not emitted.
        Assert.Contains("// forward tiling: tuned, mlp.netgen-tuning.txt:6 (Avx512, batch *): rule; the rule's blocking won", code);
        Assert.DoesNotContain("? default(", code);
        Assert.Equal(2, Count(code, "new " + K + "DenseTiling")); // H1's forward, H2's backward
        Assert.DoesNotContain("mlp.netgen-tuning.txt:7", code);
        Assert.Equal(4, Count(code, "tiling: rule (the driver's blocking by shape)")); // H1 dw, H2 forward, Logits dx and dw
        Assert.Equal(5, Count(code, "tiling: tuned"));
    }

    [Fact]
    public void TrailingEntriesThatChooseTheRule_AddNoCondition()
    {
        const string table = """
            Conv2D in=1x28x28 out=6 kernel=5x5 stride=1 padding=2 batch=1 isa=avx512 forward=direct
            Conv2D in=1x28x28 out=6 kernel=5x5 stride=1 padding=2 batch=2-* isa=avx512 forward=auto # the rule won
            Conv2D in=1x28x28 out=6 kernel=5x5 stride=1 padding=2 batch=* isa=avx512 backward=auto # the rule won
            """;
        string code = GenerateClean(LeNet, [File(table)]);
        Assert.Contains("LeNet.netgen-tuning.txt:2 (Avx512, batch 2-*): Auto; the rule won", code);
        Assert.Contains("_c1Workspace,\n                global::NetGen.Kernels.Conv2D.Isa == global::NetGen.Kernels.VectorIsa.Avx512 && batch == 1 ? "
            + "global::NetGen.Kernels.Conv2DAlgorithm.Direct\n                : global::NetGen.Kernels.Conv2DAlgorithm.Auto);", code);
        Assert.Contains("LeNet.netgen-tuning.txt:3 (Avx512, batch *): Auto; the rule won", code);
        Assert.Equal(3, Count(code, "    global::NetGen.Kernels.Conv2DAlgorithm.Auto);")); // C1 backward, C3 both
    }

    [Fact]
    public void TunedMlp_Snapshot() =>
        Snapshot.Verify(GenerateClean(Mlp, [File(DenseTable, "/src/mlp.netgen-tuning.txt")]), "MlpTuned");

    [Fact]
    public void WithoutATable_DenseCallsTakeTheRule()
    {
        string code = GenerateClean(Mlp);
        Assert.Equal(8, Count(code, "tiling: rule (the driver's blocking by shape)")); // 3 forward, 3 dw, 2 dx
        Assert.DoesNotContain("DenseTiling", code);
        Assert.DoesNotContain("tuned", code);
    }

    [Fact]
    public void DenseOnASequence_IsLookedUpWithItsSteps()
    {
        const string source = """
            using NetGen;
            [Network(Loss = Loss.SquaredError)]
            public partial class PerStep
            {
                [Input(6, 5)]                public partial Layer X { get; }
                [Dense(4)]                   public partial Layer Flat { get; }
            }
            """;
        // A plain [Input(6, 5)] is flattened: 30 inputs, no steps.
        const string table = """
            Dense in=30 out=4 batch=* isa=avx512 product=forward kc=16
            Dense in=5 out=4 steps=6 batch=* isa=avx512 product=forward kc=8
            """;
        string code = GenerateClean(source, [File(table, "/t/p.netgen-tuning.txt")]);
        Assert.Contains("new global::NetGen.Kernels.GemmTiling { KC = 16 }", code);
        Assert.DoesNotContain("KC = 8", code);
    }

    // A malformed Dense line, and what its NG0020 must say.
    [Theory]
    [InlineData("Dense in=784 out=256 batch=* isa=avx512 product=up kc=64", "product=up is not forward, dx or dw")]
    [InlineData("Dense in=784 out=256 batch=* isa=avx512 kc=64", "key 'product' is missing")]
    [InlineData("Dense in=784 batch=* isa=avx512 product=dw", "key 'out' is missing")]
    [InlineData("Dense in=0 out=256 batch=* isa=avx512 product=dw", "in=0 is not a positive integer")]
    [InlineData("Dense in=784 out=x batch=* isa=avx512 product=dw", "out=x is not a positive integer")]
    [InlineData("Dense in=784 out=256 steps=0 batch=* isa=avx512 product=dw", "steps=0 is not a positive integer")]
    [InlineData("Dense in=784 out=256 batch=* isa=avx512 product=dw kc=big", "kc=big is not an integer of 0 or more")]
    [InlineData("Dense in=784 out=256 batch=* isa=avx512 product=dw nc=-1", "nc=-1 is not an integer of 0 or more")]
    [InlineData("Dense in=784 out=256 batch=* isa=avx512 product=dw order=zigzag", "order=zigzag is not slivers or panels")]
    [InlineData("Dense in=784 out=256 batch=* isa=avx512 product=dw a=copied", "a=copied is not packed or inplace")]
    [InlineData("Dense in=784 out=256 batch=* isa=avx512 product=dw b=x", "b=x is not packed or inplace")]
    [InlineData("Dense in=784 out=256 batch=* isa=avx512 product=dw transpose=maybe", "transpose=maybe is not no or yes")]
    [InlineData("Dense in=784 out=256 batch=* isa=avx512 product=dw kernel=5", "unknown key 'kernel'")]
    [InlineData("Dense in=784 out=256 batch=* isa=avx512 forward=direct", "unknown key 'forward'")]
    [InlineData("Dense in=784 out=256 batch=* isa=avx512 product=dw kc=64 kc=128", "key 'kc' is given twice")]
    [InlineData("Dense in=784 out=256 batch=0-4 isa=avx512 product=dw", "batch=0-4 is not")]
    [InlineData("Dense in=784 out=256 batch=* isa=sse product=dw", "isa=sse is not")]
    public void MalformedDenseLine_IsReported_AndTheRestApplies(string line, string problem)
    {
        var (_, message) = AssertMalformedLineReported(Mlp, line, "Dense in=784 out=256 batch=* isa=avx512 product=forward kc=392", problem,
            "LeNet.netgen-tuning.txt:3 (Avx512, batch *): kc=392");
        Assert.EndsWith("the line is ignored (format: Dense in=784 out=256 batch=33-* isa=avx512 product=forward kc=392 nc=256 order=panels a=inplace b=packed transpose=no)", message);
    }

    // A tiling the runtime's rule rejects for the layer's product, and what its NG0021 must say.
    [Theory]
    [InlineData("Dense in=784 out=256 batch=* isa=avx512 product=forward transpose=yes", "transpose=yes cannot run the forward product (y = x·w) of layer 'H1' of network 'Mlp': a product run transposed has no epilogue")]
    [InlineData("Dense in=256 out=128 batch=* isa=avx512 product=dx b=inplace", "b=inplace cannot run the dx product (dx = dy·wᵀ) of layer 'H2' of network 'Mlp': B read in place needs B's rows contiguous")]
    [InlineData("Dense in=256 out=128 batch=* isa=avx512 product=dw transpose=yes", "cannot run the dw product (dw = xᵀ·dy) of layer 'H2' of network 'Mlp': a product run transposed has no epilogue")]
    [InlineData("Dense in=256 out=128 batch=* isa=avx512 product=dw kc=600", "kc=600 cannot run the dw product (dw = xᵀ·dy) of layer 'H2' of network 'Mlp': KC must be 0 (the rule's 256) or 1 to 512")]
    [InlineData("Dense in=256 out=128 batch=* isa=avx512 product=dw nc=2000", "NC must be 0 (the rule's 512) or 1 to 1024")]
    [InlineData("Dense in=128 out=10 batch=* isa=avx512 product=forward order=panels a=packed", "the panel-outer order reads A in place")]
    public void InapplicableTiling_IsReported_AndTheProductKeepsTheRule(string line, string message)
    {
        var (result, output) = Run(Mlp, File(line + "\n", "/t/m.netgen-tuning.txt"));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("NG0021", diagnostic.Id);
        Assert.Contains(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.StartsWith("m.netgen-tuning.txt:1: ", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        string code = result.GeneratedSources.Single().SourceText.ToString();
        Assert.DoesNotContain("tuned", code);
        Assert.DoesNotContain("DenseTiling", code);
    }

    [Fact]
    public void TransposedForwardWithoutBiasOrActivation_Applies()
    {
        const string source = """
            using NetGen;
            [Network(Loss = Loss.SquaredError)]
            public partial class Linear
            {
                [Input(20)]                  public partial Layer X { get; }
                [Dense(7, Bias = false)]     public partial Layer Out { get; }
            }
            """;
        string code = GenerateClean(source, [File("Dense in=20 out=7 batch=* isa=avx512 product=forward transpose=yes\n")]);
        Assert.Contains("Transposition = global::NetGen.Kernels.GemmTransposition.Transposed", code);
    }

    private static int Count(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}
