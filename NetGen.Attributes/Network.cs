using System;

namespace NetGen
{
    /// <summary>The objective a network is trained to minimise.</summary>
    public enum Loss
    {
        /// <summary>No loss: the network can run <c>Forward</c> but not <c>TrainStep</c>.</summary>
        None = 0,
        /// <summary>Softmax over the last layer's outputs followed by the negative log-likelihood of an integer class label.
        /// Fused into one op whose gradient is <c>p − onehot(label)</c>.</summary>
        SoftmaxCrossEntropy = 1,
        /// <summary>½·Σ(y − t)² against float targets, averaged over the batch.</summary>
        SquaredError = 2,
    }

    /// <summary>
    /// Marks a <c>partial</c> class as a network. Each <c>partial Layer</c> property below it, in declaration
    /// order, is a layer; NetGen generates a specialised forward pass, a fused train step and the metadata.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class NetworkAttribute : Attribute
    {
        /// <summary>The training objective applied to the last layer.</summary>
        public Loss Loss { get; set; }
    }

    /// <summary>The network's input: a per-sample shape such as <c>[Input(784)]</c> or <c>[Input(1, 28, 28)]</c>.</summary>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class InputAttribute : Attribute
    {
        /// <param name="shape">Per-sample dimensions, outermost first (channels, height, width for images).</param>
        public InputAttribute(params int[] shape) { Shape = shape; }

        /// <summary>Per-sample dimensions, outermost first.</summary>
        public int[] Shape { get; }
    }

    /// <summary>A fully connected layer: <c>y = x·W + b</c> over the flattened input.</summary>
    [AttributeUsage(AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class DenseAttribute : Attribute
    {
        /// <param name="units">Number of outputs.</param>
        public DenseAttribute(int units) { Units = units; }

        /// <summary>Number of outputs.</summary>
        public int Units { get; }

        /// <summary>Whether the layer adds a bias vector (default true).</summary>
        public bool Bias { get; set; } = true;

        /// <summary>The layer this one reads from (use <c>nameof</c>); the previous layer when omitted.</summary>
        public string? From { get; set; }
    }
}
