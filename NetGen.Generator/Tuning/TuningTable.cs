using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Model;

namespace NetGen.Generator.Tuning
{
    /// <summary>
    /// One line of a tuning table (<c>*.netgen-tuning.txt</c>, a Roslyn AdditionalFile): the algorithm measured fastest
    /// for one pass of one layer shape, over a range of batch sizes, on one instruction set. The format, one entry a line
    /// (<c>#</c> starts a comment, which an entry keeps as its note):
    /// <code>
    /// Conv2D in=1x28x28 out=6 kernel=5x5 stride=1 padding=2 batch=2-* isa=avx512 forward=direct # direct 0.31× im2col
    /// Conv1D in=4x128 out=16 kernel=5 stride=1 padding=2 batch=64 isa=avx512 backward=im2col
    /// </code>
    /// <c>in</c> is the per-sample input shape (C×H×W, or C×L for Conv1D), <c>kernel</c> H×W or one side for a square
    /// one; <c>batch</c> is <c>n</c>, <c>a-b</c>, <c>a-*</c> or <c>*</c>; <c>isa</c> is <c>avx512</c>, <c>avx2</c> or
    /// <c>other</c>; the pass key is <c>forward</c> or <c>backward</c> and its value <c>auto</c>, <c>im2col</c>,
    /// <c>im2coldot</c> (backward only) or <c>direct</c>.
    /// </summary>
    /// <param name="Signature">The layer's canonical signature (<see cref="Signature"/>): what a layer must match.</param>
    /// <param name="Forward">True for the forward pass, false for the backward pass.</param>
    /// <param name="BatchFrom">Smallest batch the entry covers (at least 1).</param>
    /// <param name="BatchTo">Largest batch it covers, or 0 for no bound.</param>
    /// <param name="Isa">The <c>NetGen.Kernels.VectorIsa</c> member it was measured on: <c>Avx512</c>, <c>Avx2</c>, <c>Other</c>.</param>
    /// <param name="Algorithm">The <c>NetGen.Kernels.Conv2DAlgorithm</c> member: <c>Auto</c>, <c>Im2Col</c>, <c>Im2ColDot</c>, <c>Direct</c>.</param>
    /// <param name="Note">The line's comment (the measured ratios), or empty.</param>
    /// <param name="Line">Where the entry is: the file's name and the line's number.</param>
    /// <param name="Location">The line, for diagnostics about the entry.</param>
    internal sealed record TuningEntry(string Signature, bool Forward, int BatchFrom, int BatchTo, string Isa, string Algorithm,
        string Note, string Line, SourceSpan Location)
    {
        /// <summary>The batch range as written in the table: <c>2-*</c>, <c>64</c>, <c>*</c>.</summary>
        public string Batches => BatchFrom == BatchTo ? Int(BatchFrom)
            : BatchFrom <= 1 && BatchTo == 0 ? "*"
            : Int(BatchFrom) + "-" + (BatchTo == 0 ? "*" : Int(BatchTo));

        private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>One tuning file read: its entries and the problems found in it (a malformed line is left out and reported).</summary>
    internal sealed record TuningFile(string Path, EquatableArray<TuningEntry> Entries, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>Reads tuning tables (the format is described at <see cref="TuningEntry"/>) and builds layer signatures.</summary>
    internal static class TuningTable
    {
        /// <summary>The file name ending that makes an AdditionalFile a tuning table.</summary>
        public const string Extension = ".netgen-tuning.txt";

        /// <summary>Keys every entry has; then exactly one of <see cref="Passes"/>.</summary>
        private static readonly string[] Required = { "in", "out", "kernel", "stride", "padding", "batch", "isa" };

        private static readonly string[] Passes = { "forward", "backward" };

        private static readonly string[] Keys = Required.Concat(Passes).ToArray();

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
                    string? error = ParseLine(line.ToString(), where, location, out var entry);
                    if (error is not null)
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MalformedTuningLine, location, name, line.LineNumber + 1, error));
                    else if (entry is not null) entries.Add(entry);
                }
            }
            return new TuningFile(path, entries.ToEquatableArray(), diagnostics.ToEquatableArray());
        }

        /// <summary>Every file's entries in one list, files ordered by path so that the first matching entry is the same
        /// whatever order the compiler lists them in.</summary>
        public static EquatableArray<TuningEntry> Merge(IEnumerable<TuningFile> files) =>
            files.OrderBy(f => f.Path, StringComparer.Ordinal).SelectMany(f => f.Entries).ToEquatableArray();

        /// <summary>Reads one line into <paramref name="entry"/> (null for a blank or comment line), or returns what is wrong with it.</summary>
        private static string? ParseLine(string line, string where, SourceSpan location, out TuningEntry? entry)
        {
            entry = null;
            int hash = line.IndexOf('#');
            string note = hash < 0 ? "" : line.Substring(hash + 1).Trim();
            var tokens = (hash < 0 ? line : line.Substring(0, hash)).Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0) return null;
            string kind = tokens[0];
            if (kind != "Conv2D" && kind != "Conv1D") return "'" + kind + "' is not a layer kind that takes a tuned algorithm (Conv2D, Conv1D)";
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 1; i < tokens.Length; i++)
            {
                int eq = tokens[i].IndexOf('=');
                if (eq <= 0 || eq == tokens[i].Length - 1) return "'" + tokens[i] + "' is not key=value";
                string key = tokens[i].Substring(0, eq);
                if (Array.IndexOf(Keys, key) < 0) return "unknown key '" + key + "' (keys: " + string.Join(", ", Keys) + ")";
                if (values.ContainsKey(key)) return "key '" + key + "' is given twice";
                values[key] = tokens[i].Substring(eq + 1);
            }
            foreach (string key in Required)
                if (!values.ContainsKey(key)) return "key '" + key + "' is missing";
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
            if (!TryBatches(values["batch"], out int from, out int to)) return "batch=" + values["batch"] + " is not n, a-b, a-* or * (1 ≤ a ≤ b)";
            string? isa = values["isa"] switch { "avx512" => "Avx512", "avx2" => "Avx2", "other" => "Other", _ => null };
            if (isa is null) return "isa=" + values["isa"] + " is not avx512, avx2 or other";
            string pass = forward ? "forward" : "backward";
            string? algorithm = values[pass] switch { "auto" => "Auto", "im2col" => "Im2Col", "im2coldot" => "Im2ColDot", "direct" => "Direct", _ => null };
            if (algorithm is null) return pass + "=" + values[pass] + " is not auto, im2col, im2coldot or direct";

            string signature = rank == 3
                ? TuningSignatures.Conv2D(input[0], input[1], input[2], outChannels, kernel[0], kernel.Length == 1 ? kernel[0] : kernel[1], stride, padding)
                : TuningSignatures.Conv1D(input[0], input[1], outChannels, kernel[0], stride, padding);
            entry = new TuningEntry(signature, forward, from, to, isa, algorithm, note, where, location);
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
