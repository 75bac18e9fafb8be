using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Emit
{
    /// <summary>The Keras-style <c>Summary()</c> table, computed once by the generator and emitted as a constant.</summary>
    internal static class SummaryTable
    {
        /// <summary>The table's lines (no trailing spaces).</summary>
        public static IReadOnlyList<string> Lines(string networkName, NetworkPlan plan)
        {
            var rows = new List<string[]> { new[] { "Layer (type)", "Output Shape", "Param #" } };
            foreach (var layer in plan.Layers)
                rows.Add(new[] { layer.Name + " (" + layer.Kind + ")", layer.Output.KerasStyle(), Count(layer.ParameterCount) });
            int[] widths = Enumerable.Range(0, 3).Select(c => rows.Max(r => r[c].Length) + 4).ToArray();
            string rule = new string('_', widths.Sum()), doubleRule = new string('=', widths.Sum());
            var lines = new List<string> { "Model: \"" + networkName + "\"", rule, Row(rows[0], widths), doubleRule };
            lines.AddRange(rows.Skip(1).Select(r => Row(r, widths)));
            lines.Add(doubleRule);
            lines.Add("Total params: " + Count(plan.ParameterCount));
            lines.Add("Trainable params: " + Count(plan.ParameterCount));
            lines.Add("Non-trainable params: 0");
            lines.Add(rule);
            return lines;
        }

        private static string Row(string[] cells, int[] widths) =>
            (cells[0].PadRight(widths[0]) + cells[1].PadRight(widths[1]) + cells[2]).TrimEnd();

        private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
    }
}
