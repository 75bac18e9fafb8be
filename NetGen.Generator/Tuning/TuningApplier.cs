using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Tuning
{
    /// <summary>Gives each tunable layer of a planned network the tuning-table entries that match its signature
    /// (<see cref="LayerPlan.Tuning"/>), in table order; an entry whose choice cannot run the layer's pass is reported (NG0021)
    /// and left out, so that the layer keeps the rule there.</summary>
    internal static class TuningApplier
    {
        public static NetworkBuild Apply(NetworkBuild build, EquatableArray<TuningEntry> table)
        {
            if (table.IsEmpty || build.Plan is null) return build;
            var plan = build.Plan;
            var diagnostics = new List<DiagnosticInfo>();
            LayerPlan[]? layers = null;
            for (int i = 0; i < plan.Layers.Count; i++)
            {
                var layer = plan.Layers[i];
                if (LayerKinds.ByName(layer.Kind) is not ITunableLayerKind kind) continue;
                string signature = kind.TuningSignature(layer);
                var choices = new List<TuningEntry>();
                foreach (var entry in table)
                {
                    if (entry.Signature != signature) continue;
                    string? why = kind.Unsupported(layer, entry);
                    if (why is null) choices.Add(entry);
                    else diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TunedChoiceDoesNotApply, entry.Location,
                        entry.Line, entry.Choice.Name, kind.DescribePass(entry.Pass), layer.Name, build.Type.Name, why));
                }
                if (choices.Count == 0) continue;
                layers ??= plan.Layers.ToArray();
                layers[i] = layer with { Tuning = choices.ToEquatableArray() };
            }
            if (layers is null && diagnostics.Count == 0) return build;
            return build with
            {
                Plan = layers is null ? plan : plan with { Layers = new EquatableArray<LayerPlan>(layers) },
                Diagnostics = build.Diagnostics.Concat(diagnostics).ToEquatableArray(),
            };
        }
    }
}
