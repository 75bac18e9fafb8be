using System.Collections.Generic;
using NetGen.Generator.Model;

namespace NetGen.Generator.Losses
{
    /// <summary>A training objective applied to the last layer, fused with its gradient.</summary>
    internal interface ILossKind
    {
        /// <summary>The <c>NetGen.Loss</c> member name, and its underlying value.</summary>
        string Name { get; }
        int Value { get; }

        /// <summary>The element type of the targets <c>TrainStep</c> takes (<c>int</c> labels or <c>float</c> targets).</summary>
        string TargetType { get; }

        /// <summary>The <c>TrainStep</c> parameter name: <c>labels</c> or <c>targets</c>.</summary>
        string TargetName { get; }

        /// <summary>Targets per sample for the last layer's per-sample <paramref name="output"/> (a literal).</summary>
        string TargetsPerSample(Shape output);

        /// <summary>Null when the loss fits the last layer's per-sample output; otherwise what it needs, for NG0103
        /// (NG0143 when the output is a sequence).</summary>
        string? Requirement(Shape output);

        /// <summary>The call that returns the mean loss over <paramref name="output"/> and writes its gradient into
        /// <paramref name="gradient"/>.</summary>
        string Call(Shape output, string activations, string gradient);
    }

    /// <summary>The registry of losses.</summary>
    internal static class LossKinds
    {
        public static readonly IReadOnlyList<ILossKind> All = new ILossKind[] { new SoftmaxCrossEntropyLoss(), new SquaredErrorLoss() };

        /// <summary>The loss with <c>NetGen.Loss</c> value <paramref name="value"/>, or null.</summary>
        public static ILossKind? ByValue(int value)
        {
            foreach (var kind in All)
                if (kind.Value == value) return kind;
            return null;
        }

        public static ILossKind? ByName(string? name)
        {
            foreach (var kind in All)
                if (kind.Name == name) return kind;
            return null;
        }
    }
}
