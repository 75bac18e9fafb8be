using System.Collections.Generic;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Layers;
using NetGen.Generator.Losses;
using NetGen.Generator.Model;

namespace NetGen.Generator.Shapes
{
    /// <summary>What shape inference found: each layer's sources and per-sample output shape, or why not.</summary>
    internal sealed class InferredNetwork
    {
        public InferredNetwork(int count)
        {
            Sources = new int[count][];
            Shapes = new Shape?[count];
            Live = new bool[count];
        }

        /// <summary>Indices of the layers each layer reads.</summary>
        public int[][] Sources { get; }

        /// <summary>Per-sample output shape of each layer (null where it could not be inferred).</summary>
        public Shape?[] Shapes { get; }

        /// <summary>Whether each layer reaches the output (and so gets gradients in backward).</summary>
        public bool[] Live { get; }

        public ILossKind? Loss { get; set; }

        public List<DiagnosticInfo> Diagnostics { get; } = new List<DiagnosticInfo>();

        public bool HasErrors => Diagnostics.Exists(d => d.IsError);
    }

    /// <summary>
    /// Resolves the data flow (declaration order, <c>From</c>) and runs every layer kind's shape rule in order. Pure:
    /// no Roslyn symbols, no exceptions for bad input, only diagnostics. A layer whose inputs failed is skipped
    /// silently, so one mistake gives one error.
    /// </summary>
    internal static class ShapeInference
    {
        public static InferredNetwork Infer(NetworkSpec spec)
        {
            var layers = spec.Layers;
            var result = new InferredNetwork(layers.Count);
            var diagnostics = result.Diagnostics;
            var indexByName = new Dictionary<string, int>();
            for (int i = 0; i < layers.Count; i++)
            {
                var layer = layers[i];
                if (indexByName.ContainsKey(layer.Name))
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateLayerName, layer.MemberLocation, layer.Name));
                else indexByName.Add(layer.Name, i);
            }

            CheckInput(spec, diagnostics);
            for (int i = 0; i < layers.Count; i++)
            {
                var layer = layers[i];
                var kind = LayerKinds.ByName(layer.Kind);
                if (layer.Activation is not null && !kind.AcceptsActivation)
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ActivationNotAccepted, layer.AttributeLocation, layer.Name,
                        kind.Name, layer.Activation));
                int[]? sources = kind.IsInput ? new int[0] : ResolveSources(spec, i, indexByName, diagnostics);
                result.Sources[i] = sources ?? new int[0];
                if (sources is null) continue;
                var inputs = new Shape[sources.Length];
                bool ready = true;
                for (int s = 0; s < sources.Length; s++) ready &= (inputs[s] = result.Shapes[sources[s]]!) is not null;
                if (!ready) continue;
                var shape = kind.InferShape(layer, new EquatableArray<Shape>(inputs));
                diagnostics.AddRange(ShapeChain.Fill(shape.Errors, spec, result, i));
                result.Shapes[i] = shape.Output;
            }

            CheckLoss(spec, result);
            MarkLive(spec, result);
            return result;
        }

        /// <summary>One input layer, declared first.</summary>
        private static void CheckInput(NetworkSpec spec, List<DiagnosticInfo> diagnostics)
        {
            int first = -1;
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                var layer = spec.Layers[i];
                if (!LayerKinds.ByName(layer.Kind).IsInput) continue;
                if (first >= 0)
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TwoInputs, layer.AttributeLocation, layer.Name, spec.Layers[first].Name, spec.Type.Name));
                else
                {
                    first = i;
                    if (i > 0) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputNotFirst, layer.AttributeLocation, layer.Name, spec.Layers[0].Name));
                }
            }
            if (first < 0) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoInput, spec.Location, spec.Type.Name));
            else if (first == spec.Layers.Count - 1)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NothingAfterInput, spec.Location, spec.Type.Name, spec.Layers[first].Name));
        }

        /// <summary>The layers layer <paramref name="index"/> reads, or null when one cannot be used (reported, except
        /// for a missing predecessor, which <see cref="CheckInput"/> reports).</summary>
        private static int[]? ResolveSources(NetworkSpec spec, int index, Dictionary<string, int> indexByName, List<DiagnosticInfo> diagnostics)
        {
            var layer = spec.Layers[index];
            var names = layer.Options.Sources;
            if (names.IsEmpty) return index > 0 ? new[] { index - 1 } : null;
            var sources = new int[names.Count];
            for (int s = 0; s < names.Count; s++)
            {
                if (!indexByName.TryGetValue(names[s], out int source))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownSource, layer.AttributeLocation, layer.Name, names[s], spec.Type.Name));
                    return null;
                }
                if (source >= index)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LaterSource, layer.AttributeLocation, layer.Name, names[s],
                        source == index ? "the layer itself" : "declared after it"));
                    return null;
                }
                sources[s] = source;
            }
            return sources;
        }

        private static void CheckLoss(NetworkSpec spec, InferredNetwork result)
        {
            if (spec.Loss == 0)
            {
                result.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLoss, spec.Location, spec.Type.Name));
                return;
            }
            result.Loss = LossKinds.ByValue(spec.Loss);
            if (result.Loss is null)
            {
                result.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownLoss, spec.Location, spec.Type.Name, spec.Loss));
                return;
            }
            int last = spec.Layers.Count - 1;
            if (last < 0 || result.Shapes[last] is not { } output) return;
            if (result.Loss.Requirement(output) is { } requirement)
            {
                var layer = spec.Layers[last];
                result.Diagnostics.Add(output.Role == ShapeRole.Sequence
                    ? DiagnosticInfo.Create(DiagnosticDescriptors.PerStepLossDoesNotFit, layer.AttributeLocation, result.Loss.Name, layer.Name, output.Describe(), requirement)
                    : DiagnosticInfo.Create(DiagnosticDescriptors.LossDoesNotFit, layer.AttributeLocation, result.Loss.Name, requirement, layer.Name, output));
            }
        }

        /// <summary>Marks the layers the output depends on and warns about the others.</summary>
        private static void MarkLive(NetworkSpec spec, InferredNetwork result)
        {
            int last = spec.Layers.Count - 1;
            if (last < 0) return;
            result.Live[last] = true;
            for (int i = last; i >= 0; i--)
                if (result.Live[i])
                    foreach (int source in result.Sources[i]) result.Live[source] = true;
            for (int i = 0; i < last; i++)
            {
                var layer = spec.Layers[i];
                if (!result.Live[i] && !LayerKinds.ByName(layer.Kind).IsInput && result.Shapes[i] is { } shape)
                    result.Diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnusedLayer, layer.AttributeLocation, layer.Name, shape.WithBatch(), spec.Layers[last].Name));
            }
        }
    }
}
