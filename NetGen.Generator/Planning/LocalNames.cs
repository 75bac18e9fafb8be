using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;

namespace NetGen.Generator.Planning
{
    /// <summary>
    /// Hands out the local variable names of generated methods: <c>h1</c> for layer <c>H1</c>'s activations,
    /// <c>dH1</c> for their gradient. Names never repeat and never hit a keyword or a method parameter.
    /// </summary>
    internal sealed class LocalNames
    {
        private readonly HashSet<string> _taken = new HashSet<string> { "input", "batch", "labels", "targets", "loss", "maxBatch", "seed", "rng", "training" };

        public string Activation(string layer) => Take(char.ToLowerInvariant(layer[0]) + layer.Substring(1));

        public string Gradient(string layer) => Take("d" + char.ToUpperInvariant(layer[0]) + layer.Substring(1));

        private string Take(string name)
        {
            string candidate = name;
            for (int n = 2; SyntaxFacts.GetKeywordKind(candidate) != SyntaxKind.None
                || SyntaxFacts.GetContextualKeywordKind(candidate) != SyntaxKind.None
                || !_taken.Add(candidate); n++)
                candidate = name + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return candidate;
        }
    }
}
