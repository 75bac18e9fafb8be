using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Model;
using NetGen.Kernels;

namespace NetGen.Generator.Tuning
{
    /// <summary>
    /// One line of a tuning table (<c>*.netgen-tuning.txt</c>, a Roslyn AdditionalFile): the choice measured fastest for
    /// one pass or product of one layer shape, over a range of batch sizes, on one instruction set. The format, one entry
    /// a line (<c>#</c> starts a comment, which an entry keeps as its note):
    /// <code>
    /// Conv2D in=1x28x28 out=6 kernel=5x5 stride=1 padding=2 batch=2-* isa=avx512 forward=direct # direct 0.31× im2col
    /// Conv1D in=4x128 out=16 kernel=5 stride=1 padding=2 batch=64 isa=avx512 backward=im2col
    /// Dense in=784 out=256 batch=33-* isa=avx512 product=forward kc=392 nc=256 order=panels a=inplace b=packed # 0.91× the rule
    /// </code>
    /// Convolutions: <c>in</c> is the per-sample input shape (C×H×W, or C×L for Conv1D), <c>kernel</c> H×W or one side
    /// for a square one; the pass key is <c>forward</c> or <c>backward</c> and its value <c>auto</c>, <c>im2col</c>,
    /// <c>im2coldot</c> (backward only) or <c>direct</c>. Dense layers: <c>in</c> is the inputs per output (F per step on
    /// a sequence, which adds <c>steps=T</c>), <c>out</c> the units; <c>product</c> is <c>forward</c> (y = x·w),
    /// <c>dx</c> (dx = dy·wᵀ) or <c>dw</c> (dw = xᵀ·dy), and the tiling (<c>NetGen.Kernels.GemmTiling</c>) is any of
    /// <c>kc=</c> (k-block, 1–512), <c>nc=</c> (column block, 1–1024), <c>order=slivers|panels</c>,
    /// <c>a=packed|inplace</c>, <c>b=packed|inplace</c>, <c>transpose=no|yes</c>; a key left out is the driver's rule
    /// (none given: the rule for all). For both: <c>batch</c> is <c>n</c>, <c>a-b</c>, <c>a-*</c> or <c>*</c> (the
    /// network's batch); <c>isa</c> is <c>avx512</c>, <c>avx2</c> or <c>other</c>.
    /// </summary>
    /// <param name="Signature">The layer's canonical signature (<see cref="TuningSignatures"/>): what a layer must match.</param>
    /// <param name="Pass">What the choice is for: <c>forward</c> or <c>backward</c> (convolutions), <c>forward</c>,
    /// <c>dx</c> or <c>dw</c> (Dense).</param>
    /// <param name="BatchFrom">Smallest batch the entry covers (at least 1).</param>
    /// <param name="BatchTo">Largest batch it covers, or 0 for no bound.</param>
    /// <param name="Isa">The <c>NetGen.Kernels.VectorIsa</c> member it was measured on: <c>Avx512</c>, <c>Avx2</c>, <c>Other</c>.</param>
    /// <param name="Choice">What was chosen: a <c>Conv2DAlgorithm</c> or a <c>GemmTiling</c>.</param>
    /// <param name="Note">The line's comment (the measured ratios), or empty.</param>
    /// <param name="Line">Where the entry is: the file's name and the line's number.</param>
    /// <param name="Location">The line, for diagnostics about the entry.</param>
    internal sealed record TuningEntry(string Signature, string Pass, int BatchFrom, int BatchTo, string Isa, TuningChoice Choice,
        string Note, string Line, SourceSpan Location)
    {
        /// <summary>The batch range as written in the table: <c>2-*</c>, <c>64</c>, <c>*</c>.</summary>
        public string Batches => BatchFrom == BatchTo ? Int(BatchFrom)
            : BatchFrom <= 1 && BatchTo == 0 ? "*"
            : Int(BatchFrom) + "-" + (BatchTo == 0 ? "*" : Int(BatchTo));

        private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>What an entry chose: its name in comments and diagnostics, and the C# expression the generated call passes.</summary>
    internal abstract record TuningChoice
    {
        /// <summary>How comments and diagnostics name it: <c>Direct</c>, <c>kc=392 order=panels</c>.</summary>
        public abstract string Name { get; }

        /// <summary>The argument's expression.</summary>
        public abstract string Literal { get; }
    }

    /// <summary>A <c>NetGen.Kernels.Conv2DAlgorithm</c> member: <c>Auto</c>, <c>Im2Col</c>, <c>Im2ColDot</c>, <c>Direct</c>.</summary>
    internal sealed record AlgorithmChoice(string Algorithm) : TuningChoice
    {
        public override string Name => Algorithm;

        public override string Literal => "global::NetGen.Kernels.Conv2DAlgorithm." + Algorithm;
    }

    /// <summary>A <c>NetGen.Kernels.GemmTiling</c>, each member's value as <c>NetGen.Kernels.GemmRules</c> numbers it (0: the rule).</summary>
    internal sealed record TilingChoice(int KC, int NC, int Order, int A, int B, int Transposition) : TuningChoice
    {
        public override string Name
        {
            get
            {
                var parts = new List<string>();
                if (KC != 0) parts.Add("kc=" + KC.ToString(CultureInfo.InvariantCulture));
                if (NC != 0) parts.Add("nc=" + NC.ToString(CultureInfo.InvariantCulture));
                if (Order != 0) parts.Add("order=" + (Order == GemmRules.PanelsOuter ? "panels" : "slivers"));
                if (A != 0) parts.Add("a=" + (A == GemmRules.Packed ? "packed" : "inplace"));
                if (B != 0) parts.Add("b=" + (B == GemmRules.Packed ? "packed" : "inplace"));
                if (Transposition != 0) parts.Add("transpose=" + (Transposition == GemmRules.Transposed ? "yes" : "no"));
                return parts.Count == 0 ? "rule" : string.Join(" ", parts);
            }
        }

        public override string Literal
        {
            get
            {
                const string Kernels = "global::NetGen.Kernels.";
                var members = new List<string>();
                if (KC != 0) members.Add("KC = " + KC.ToString(CultureInfo.InvariantCulture));
                if (NC != 0) members.Add("NC = " + NC.ToString(CultureInfo.InvariantCulture));
                if (Order != 0) members.Add("Order = " + Kernels + "GemmLoopOrder." + (Order == GemmRules.PanelsOuter ? "PanelsOuter" : "SliversOuter"));
                if (A != 0) members.Add("A = " + Kernels + "GemmOperand." + (A == GemmRules.Packed ? "Packed" : "InPlace"));
                if (B != 0) members.Add("B = " + Kernels + "GemmOperand." + (B == GemmRules.Packed ? "Packed" : "InPlace"));
                if (Transposition != 0) members.Add("Transposition = " + Kernels + "GemmTransposition." + (Transposition == GemmRules.Transposed ? "Transposed" : "Direct"));
                return members.Count == 0 ? "default(" + Kernels + "GemmTiling)" : "new " + Kernels + "GemmTiling { " + string.Join(", ", members) + " }";
            }
        }
    }

    /// <summary>One tuning file read: its entries and the problems found in it (a malformed line is left out and reported).</summary>
    internal sealed record TuningFile(string Path, EquatableArray<TuningEntry> Entries, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>Reads tuning tables (the format is described at <see cref="TuningEntry"/>) and builds layer signatures.</summary>
    internal static class TuningTable
    {
        /// <summary>The file name ending that makes an AdditionalFile a tuning table.</summary>
        public const string Extension = ".netgen-tuning.txt";

        /// <summary>Keys every convolution entry has; then exactly one of <see cref="Passes"/>.</summary>
        private static readonly string[] ConvolutionRequired = { "in", "out", "kernel", "stride", "padding", "batch", "isa" };

        private static readonly string[] Passes = { "forward", "backward" };

        private static readonly string[] ConvolutionKeys = ConvolutionRequired.Concat(Passes).ToArray();

        /// <summary>Keys every Dense entry has; then any of <see cref="TilingKeys"/> (and <c>steps</c> on a sequence).</summary>
        private static readonly string[] DenseRequired = { "in", "out", "batch", "isa", "product" };

        private static readonly string[] TilingKeys = { "kc", "nc", "order", "a", "b", "transpose" };

        private static readonly string[] DenseKeys = DenseRequired.Concat(new[] { "steps" }).Concat(TilingKeys).ToArray();

        /// <summary>A well-formed line of each kind, for the diagnostic of a malformed one.</summary>
        public const string ConvolutionFormat = "Conv2D in=1x28x28 out=6 kernel=5x5 stride=1 padding=2 batch=2-* isa=avx512 forward=direct",
            DenseFormat = "Dense in=784 out=256 batch=33-* isa=avx512 product=forward kc=392 nc=256 order=panels a=inplace b=packed transpose=no";

        /// <summary>Reads one file; never throws on its content.</summary>
        public static TuningFile Parse(string path, SourceText? text)
        {
            var entries = new List<TuningEntry>();
            var diagnostics = new List<DiagnosticInfo>();
            string name = FileName(path);
            if (text is not null)
            {
                foreach (var line in text.Lines)
                {
                    var location = new SourceSpan(path, line.Span, text.Lines.GetLinePositionSpan(line.Span));
                    string where = name + ":" + Int(line.LineNumber + 1);
                    string? error = ParseLine(line.ToString(), where, location, out var entry, out string format);
                    if (error is not null)
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MalformedTuningLine, location, name, line.LineNumber + 1, error, format));
                    else if (entry is not null) entries.Add(entry);
                }
            }
            return new TuningFile(path, entries.ToEquatableArray(), diagnostics.ToEquatableArray());
        }

        /// <summary>Every file's entries in one list, files ordered by path so that the first matching entry is the same
        /// whatever order the compiler lists them in.</summary>
        public static EquatableArray<TuningEntry> Merge(IEnumerable<TuningFile> files) =>
            files.OrderBy(f => f.Path, StringComparer.Ordinal).SelectMany(f => f.Entries).ToEquatableArray();

        /// <summary>Reads one line into <paramref name="entry"/> (null for a blank or comment line), or returns what is
        /// wrong with it and, in <paramref name="format"/>, a well-formed line of its kind.</summary>
        private static string? ParseLine(string line, string where, SourceSpan location, out TuningEntry? entry, out string format)
        {
            entry = null;
            format = ConvolutionFormat;
            int hash = line.IndexOf('#');
            string note = hash < 0 ? "" : line.Substring(hash + 1).Trim();
            var tokens = (hash < 0 ? line : line.Substring(0, hash)).Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0) return null;
            string kind = tokens[0];
            bool dense = kind == "Dense";
            if (!dense && kind != "Conv2D" && kind != "Conv1D")
            {
                format = ConvolutionFormat + ", or " + DenseFormat;
                return "'" + kind + "' is not a layer kind that takes a tuned choice (Conv2D, Conv1D, Dense)";
            }
            if (dense) format = DenseFormat;
            var keys = dense ? DenseKeys : ConvolutionKeys;
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 1; i < tokens.Length; i++)
            {
                int eq = tokens[i].IndexOf('=');
                if (eq <= 0 || eq == tokens[i].Length - 1) return "'" + tokens[i] + "' is not key=value";
                string key = tokens[i].Substring(0, eq);
                if (Array.IndexOf(keys, key) < 0) return "unknown key '" + key + "' (keys: " + string.Join(", ", keys) + ")";
                if (values.ContainsKey(key)) return "key '" + key + "' is given twice";
                values[key] = tokens[i].Substring(eq + 1);
            }
            foreach (string key in dense ? DenseRequired : ConvolutionRequired)
                if (!values.ContainsKey(key)) return "key '" + key + "' is missing";
            if (!TryBatches(values["batch"], out int from, out int to)) return "batch=" + values["batch"] + " is not n, a-b, a-* or * (1 ≤ a ≤ b)";
            string? isa = values["isa"] switch { "avx512" => "Avx512", "avx2" => "Avx2", "other" => "Other", _ => null };
            if (isa is null) return "isa=" + values["isa"] + " is not avx512, avx2 or other";
            string? error = dense
                ? ParseDense(values, out string signature, out string pass, out TuningChoice? choice)
                : ParseConvolution(kind, values, out signature, out pass, out choice);
            if (error is not null) return error;
            entry = new TuningEntry(signature, pass, from, to, isa, choice!, note, where, location);
            return null;
        }

        private static string? ParseConvolution(string kind, Dictionary<string, string> values, out string signature, out string pass, out TuningChoice? choice)
        {
            signature = pass = "";
            choice = null;
            bool forward = values.ContainsKey("forward");
            if (forward == values.ContainsKey("backward")) return "give exactly one of forward=… and backward=… per line";
            int rank = kind == "Conv2D" ? 3 : 2;
            var input = Sizes(values["in"], rank, rank);
            if (input is null) return "in=" + values["in"] + " is not " + (rank == 3 ? "C×H×W, e.g. 1x28x28" : "C×L, e.g. 4x128");
            var kernel = Sizes(values["kernel"], 1, rank - 1);
            if (kernel is null) return "kernel=" + values["kernel"] + " is not " + (rank == 3 ? "H×W or one side, e.g. 5x5 or 5" : "a length, e.g. 5");
            if (!TryInt(values["out"], 1, out int outChannels)) return "out=" + values["out"] + " is not a positive integer";
            if (!TryInt(values["stride"], 1, out int stride)) return "stride=" + values["stride"] + " is not a positive integer";
            if (!TryInt(values["padding"], 0, out int padding)) return "padding=" + values["padding"] + " is not an integer of 0 or more";
            pass = forward ? "forward" : "backward";
            string? algorithm = values[pass] switch { "auto" => "Auto", "im2col" => "Im2Col", "im2coldot" => "Im2ColDot", "direct" => "Direct", _ => null };
            if (algorithm is null) return pass + "=" + values[pass] + " is not auto, im2col, im2coldot or direct";
            signature = rank == 3
                ? TuningSignatures.Conv2D(input[0], input[1], input[2], outChannels, kernel[0], kernel.Length == 1 ? kernel[0] : kernel[1], stride, padding)
                : TuningSignatures.Conv1D(input[0], input[1], outChannels, kernel[0], stride, padding);
            choice = new AlgorithmChoice(algorithm);
            return null;
        }

        /// <summary>A Dense entry: its signature, product and tiling. Values in range are the rule's business (NG0021),
        /// so <c>kc=</c> and <c>nc=</c> only need to be integers of 0 or more here.</summary>
        private static string? ParseDense(Dictionary<string, string> values, out string signature, out string pass, out TuningChoice? choice)
        {
            signature = pass = "";
            choice = null;
            if (!TryInt(values["in"], 1, out int inputs)) return "in=" + values["in"] + " is not a positive integer";
            if (!TryInt(values["out"], 1, out int outputs)) return "out=" + values["out"] + " is not a positive integer";
            int steps = 0;
            if (values.TryGetValue("steps", out string? stepsText) && !TryInt(stepsText, 1, out steps)) return "steps=" + stepsText + " is not a positive integer";
            pass = values["product"];
            if (pass != "forward" && pass != "dx" && pass != "dw") return "product=" + pass + " is not forward, dx or dw";
            int kc = 0, nc = 0;
            if (values.TryGetValue("kc", out string? kcText) && !TryInt(kcText, 0, out kc)) return "kc=" + kcText + " is not an integer of 0 or more";
            if (values.TryGetValue("nc", out string? ncText) && !TryInt(ncText, 0, out nc)) return "nc=" + ncText + " is not an integer of 0 or more";
            string? error = Choice(values, "order", "slivers", GemmRules.SliversOuter, "panels", GemmRules.PanelsOuter, out int order);
            if (error is not null) return error;
            error = Choice(values, "a", "packed", GemmRules.Packed, "inplace", GemmRules.InPlace, out int a);
            if (error is not null) return error;
            error = Choice(values, "b", "packed", GemmRules.Packed, "inplace", GemmRules.InPlace, out int b);
            if (error is not null) return error;
            error = Choice(values, "transpose", "no", GemmRules.Direct, "yes", GemmRules.Transposed, out int transposition);
            if (error is not null) return error;
            signature = TuningSignatures.Dense(inputs, outputs, steps);
            choice = new TilingChoice(kc, nc, order, a, b, transposition);
            return null;
        }

        /// <summary>The value of an optional two-way key (<see cref="GemmRules.Rule"/> when absent), or what is wrong with it.</summary>
        private static string? Choice(Dictionary<string, string> values, string key, string first, int firstValue, string second, int secondValue, out int value)
        {
            value = GemmRules.Rule;
            if (!values.TryGetValue(key, out string? text)) return null;
            if (text == first) value = firstValue;
            else if (text == second) value = secondValue;
            else return key + "=" + text + " is not " + first + " or " + second;
            return null;
        }

        /// <summary><c>1x28x28</c> → {1, 28, 28} with between <paramref name="min"/> and <paramref name="max"/> positive sizes, else null.</summary>
        private static int[]? Sizes(string text, int min, int max)
        {
            var parts = text.Split('x');
            if (parts.Length < min || parts.Length > max) return null;
            var sizes = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!TryInt(parts[i], 1, out sizes[i])) return null;
            return sizes;
        }

        private static bool TryBatches(string text, out int from, out int to)
        {
            from = 1; to = 0;
            if (text == "*") return true;
            int dash = text.IndexOf('-');
            if (dash < 0) return TryInt(text, 1, out from) && TryInt(text, 1, out to);
            if (!TryInt(text.Substring(0, dash), 1, out from)) return false;
            string upper = text.Substring(dash + 1);
            return upper == "*" || (TryInt(upper, from, out to));
        }

        private static bool TryInt(string text, int min, out int value) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min;

        private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>The part of <paramref name="path"/> after its last directory separator (either kind, whatever the OS).</summary>
        private static string FileName(string path) => path.Substring(Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\')) + 1);
    }
}
