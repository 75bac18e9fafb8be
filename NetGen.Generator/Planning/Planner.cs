using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;
using NetGen.Generator.Shapes;

namespace NetGen.Generator.Planning
{
    /// <summary>
    /// Checks a parsed network (shape inference) and lays it out: parameter tensors one after another in declaration
    /// order (weight before bias), then per-sample offsets of every layer's activations and of the activation
    /// gradients backward needs. Every offset becomes a literal in the generated code.
    /// </summary>
    internal static class Planner
    {
        public static NetworkBuild Build(NetworkSpec spec)
        {
            var diagnostics = new List<DiagnosticInfo>(spec.Diagnostics);
            NetworkPlan? plan = null;
            try
            {
                // A member the parser rejected is missing from the layers: checking the rest would report follow-on
                // errors about it (wrong sources, missing output), so parse errors are reported alone.
                if (spec.Incomplete || diagnostics.Exists(d => d.IsError))
                    return new NetworkBuild(spec.Type, spec.Properties, null, spec.Diagnostics, spec.CanEmit, spec.Location);
                var inferred = ShapeInference.Infer(spec);
                diagnostics.AddRange(inferred.Diagnostics);
                if (!diagnostics.Exists(d => d.IsError))
                {
                    plan = Plan(spec, inferred, out var limit);
                    if (limit is not null) diagnostics.Add(limit);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, spec.Location, spec.Type.Name, e.GetType().Name + ": " + e.Message));
                plan = null;
            }
            return new NetworkBuild(spec.Type, spec.Properties, plan, diagnostics.ToEquatableArray(), spec.CanEmit, spec.Location);
        }

        private static NetworkPlan? Plan(NetworkSpec spec, InferredNetwork inferred, out DiagnosticInfo? limit)
        {
            limit = null;
            int count = spec.Layers.Count;
            var names = new LocalNames();
            var layers = new LayerPlan[count];
            long parameterOffset = 0, activationOffset = 0, gradientOffset = 0;
            var signature = new StringBuilder();
            bool recurrent = false;
            for (int i = 0; i < count; i++)
            {
                var layer = spec.Layers[i];
                var kind = LayerKinds.ByName(layer.Kind);
                var sources = inferred.Sources[i];
                var inputs = sources.Select(s => inferred.Shapes[s]!).ToEquatableArray();
                var output = inferred.Shapes[i]!;
                var parameters = new List<ParameterPlan>();
                foreach (var tensor in kind.Parameters(layer, inputs, output, ActivationKind.ByName(layer.Activation)))
                {
                    long length = tensor.TorchShape.Size;
                    parameters.Add(new ParameterPlan(layer.Name + "." + tensor.Suffix, tensor, (int)parameterOffset, (int)length));
                    parameterOffset += length;
                }
                bool needsGradient = inferred.Live[i] && !kind.IsInput;
                var planned = new LayerPlan(i, layer.Name, layer.Kind, layer.Options, layer.Activation,
                    new EquatableArray<int>(sources), inputs, output, parameters.ToEquatableArray(),
                    (int)activationOffset, needsGradient ? (int)gradientOffset : -1, inferred.Live[i],
                    AccumulateFlags(inferred, i), names.Activation(layer.Name), names.Gradient(layer.Name),
                    kind.Describe(layer, inputs, output));
                layers[i] = kind is IBufferedLayerKind buffered ? planned with { Buffers = buffered.Buffers(planned) } : planned;
                recurrent |= kind is RecurrentLayer;
                activationOffset += output.Size;
                if (needsGradient) gradientOffset += output.Size;
                signature.Append(layer.Kind).Append(output).Append('<').Append(string.Join(",", sources)).Append('{');
                foreach (var p in parameters) signature.Append(p.Spec.Suffix).Append(p.Spec.TorchShape);
                signature.Append("};");
                if (parameterOffset > int.MaxValue || activationOffset > int.MaxValue)
                {
                    limit = DiagnosticInfo.Create(DiagnosticDescriptors.TooLarge, layer.AttributeLocation, spec.Type.Name,
                        Math.Max(parameterOffset, activationOffset).ToString("N0", CultureInfo.InvariantCulture),
                        parameterOffset > int.MaxValue ? "parameters" : "activation floats per sample");
                    return null;
                }
            }
            return new NetworkPlan(inferred.Loss?.Name, new EquatableArray<LayerPlan>(layers), (int)parameterOffset,
                (int)activationOffset, (int)gradientOffset, ShapeSignature.Hash(signature.ToString())) { Recurrent = recurrent };
        }

        /// <summary>
        /// Backward runs layers from last to first, so a source's gradient is first written by its live consumer with
        /// the highest index (and, within one layer, by its first slot); every later contribution adds to it.
        /// </summary>
        private static EquatableArray<bool> AccumulateFlags(InferredNetwork inferred, int layer)
        {
            var sources = inferred.Sources[layer];
            var flags = new bool[sources.Length];
            for (int s = 0; s < sources.Length; s++)
            {
                bool writtenBefore = Array.IndexOf(sources, sources[s]) < s;
                for (int j = layer + 1; j < inferred.Sources.Length && !writtenBefore; j++)
                    writtenBefore = inferred.Live[j] && Array.IndexOf(inferred.Sources[j], sources[s]) >= 0;
                flags[s] = writtenBefore;
            }
            return new EquatableArray<bool>(flags);
        }
    }
}
