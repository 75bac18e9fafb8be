using System.Collections.Generic;
using System.Linq;
using System.Text;
using NetGen.Generator.Emit;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;

namespace NetGen.Generator.Tuning
{
    /// <summary>The emitted argument that carries a layer's tuned choice for one pass or product (a convolution's
    /// algorithm, a Dense product's tiling), shared by every <see cref="ITunableLayerKind"/>.</summary>
    internal static class TunedArgument
    {
        /// <summary>
        /// The argument for <paramref name="pass"/>, one line per tuning entry, after a comment per entry saying where it
        /// came from (<c>// forward algorithm: tuned, file:line (Avx512, batch 2-*): Direct; note</c>): the entries'
        /// choices, each taken where <paramref name="isa"/> (an expression of type <c>NetGen.Kernels.VectorIsa</c>) and the
        /// batch match the entry (first match wins), with <paramref name="rule"/> last; only <paramref name="rule"/>, after
        /// <c>// what: rule (ruleNote)</c>, when the layer has no entry for the pass. Entries at the end of the chain that
        /// choose the rule themselves (the tuner's "the rule won" lines) keep their comment but add no condition: the
        /// chain's last value is the same. A chain of one value is therefore the rule.
        /// </summary>
        /// <param name="writer">Where the comments go.</param>
        /// <param name="code">The layer's call being emitted.</param>
        /// <param name="pass">The entries' <see cref="TuningEntry.Pass"/>.</param>
        /// <param name="what">How the comments name the choice: <c>forward algorithm</c>, <c>dw tiling</c>.</param>
        /// <param name="isa">The instruction set the run-time check reads: <c>global::NetGen.Kernels.Gemm.Isa</c>.</param>
        /// <param name="rule">The argument that means the kernels' rule.</param>
        /// <param name="ruleNote">What the rule comment says in parentheses.</param>
        public static string[] Chain(SourceWriter writer, LayerCode code, string pass, string what, string isa, string rule, string ruleNote)
        {
            var entries = code.Layer.Tuning.Where(e => e.Pass == pass).ToList();
            if (entries.Count == 0)
            {
                writer.Line("// " + what + ": rule (" + ruleNote + ")");
                return new[] { rule };
            }
            foreach (var e in entries)
                writer.Line("// " + what + ": tuned, " + e.Line + " (" + e.Isa + ", batch " + e.Batches + "): " + e.Choice.Name
                    + (e.Note.Length == 0 ? "" : "; " + e.Note));
            int count = entries.Count;
            while (count > 0 && entries[count - 1].Choice.Literal == rule) count--;
            var chain = new List<string>();
            foreach (var e in entries.Take(count))
            {
                var line = new StringBuilder(chain.Count == 0 ? "" : ": ");
                line.Append(isa).Append(" == global::NetGen.Kernels.VectorIsa.").Append(e.Isa);
                if (e.BatchFrom == e.BatchTo) line.Append(" && ").Append(code.Batch).Append(" == ").Append(Literals.Int(e.BatchFrom));
                else
                {
                    if (e.BatchFrom > 1) line.Append(" && ").Append(code.Batch).Append(" >= ").Append(Literals.Int(e.BatchFrom));
                    if (e.BatchTo > 0) line.Append(" && ").Append(code.Batch).Append(" <= ").Append(Literals.Int(e.BatchTo));
                }
                chain.Add(line.Append(" ? ").Append(e.Choice.Literal).ToString());
            }
            chain.Add(chain.Count == 0 ? rule : ": " + rule);
            return chain.ToArray();
        }
    }
}
