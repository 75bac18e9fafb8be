using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;

namespace NetGen.Generator.Shapes
{
    /// <summary>
    /// The chain of shapes that leads to a layer, for messages that have to say where a shape came from:
    /// <c>[1,28,28] → C1 [6,28,28] → S2 [6,14,14]</c>. A shape rule knows only its own inputs, so it writes
    /// <see cref="Marker"/> as a message argument and <see cref="ShapeInference"/> replaces it with the chain.
    /// </summary>
    internal static class ShapeChain
    {
        /// <summary>The argument a shape rule writes where the chain belongs.</summary>
        public const string Marker = "\u0001shape-chain\u0001";

        /// <summary><paramref name="errors"/> with every <see cref="Marker"/> argument replaced by the chain to layer
        /// <paramref name="layer"/> (through the first source of each layer).</summary>
        public static IEnumerable<DiagnosticInfo> Fill(EquatableArray<DiagnosticInfo> errors, NetworkSpec spec, InferredNetwork network, int layer)
        {
            foreach (var error in errors)
            {
                if (!error.Arguments.Contains(Marker))
                {
                    yield return error;
                    continue;
                }
                string chain = Describe(spec, network, layer);
                var arguments = new string[error.Arguments.Count];
                for (int i = 0; i < arguments.Length; i++) arguments[i] = error.Arguments[i] == Marker ? chain : error.Arguments[i];
                yield return error with { Arguments = new EquatableArray<string>(arguments) };
            }
        }

        private static string Describe(NetworkSpec spec, InferredNetwork network, int layer)
        {
            var steps = new List<string>();
            var sources = network.Sources[layer];
            for (int at = sources.Length > 0 ? sources[0] : -1; at >= 0; at = network.Sources[at].Length > 0 ? network.Sources[at][0] : -1)
            {
                var step = spec.Layers[at];
                string shape = network.Shapes[at]?.ToString() ?? "?";
                steps.Add(LayerKinds.ByName(step.Kind).IsInput ? shape : step.Name + " " + shape);
            }
            steps.Reverse();
            return string.Join(" → ", steps);
        }
    }
}
