using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// The names and expressions a layer kind writes its forward and backward code with: span locals of the
    /// activations it reads and writes, their gradients, and slices of the flat parameter and gradient buffers with
    /// literal offsets.
    /// </summary>
    internal sealed class LayerCode : LayerCodeBase
    {
        public LayerCode(NetworkPlan network, LayerPlan layer) : base(network, layer)
        {
            Network = network;
            Activation = ActivationKind.ByName(layer.Activation);
        }

        /// <summary>The whole network, for kinds whose code depends on their neighbours (an Lstm that does its
        /// embedding's lookup itself).</summary>
        public NetworkPlan Network { get; }

        /// <summary>The activation fused into this layer.</summary>
        public ActivationKind Activation { get; }

        /// <summary>The method parameter holding the network's input samples.</summary>
        public string NetworkInput => "input";

        /// <summary>Parameter tensor <paramref name="i"/> as a slice of the flat parameter buffer.</summary>
        public string Parameter(int i) => Slice("_parameters", Layer.Parameters[i]);

        /// <summary>The gradient of parameter tensor <paramref name="i"/>.</summary>
        public string Gradient(int i) => Slice("_gradients", Layer.Parameters[i]);

        /// <summary>Parameter tensor <paramref name="i"/> of another layer.</summary>
        public static string ParameterOf(LayerPlan layer, int i) => Slice("_parameters", layer.Parameters[i]);

        /// <summary>The gradient of parameter tensor <paramref name="i"/> of another layer.</summary>
        public static string GradientOf(LayerPlan layer, int i) => Slice("_gradients", layer.Parameters[i]);

        /// <summary>The network's flat parameter buffer (converts to a span of every parameter).</summary>
        public string ParameterBuffer => "_parameters";

        /// <summary>The network's flat gradient buffer, laid out like <see cref="ParameterBuffer"/>.</summary>
        public string GradientBuffer => "_gradients";

        /// <summary>The <c>RunBackward</c> parameter holding the optimizer whose next step a train step applies, null for
        /// none (see <see cref="IUpdatingLayerKind"/>).</summary>
        public string Optimizer => "optimizer";

        /// <summary>The <c>bool</c> local that is true in <c>TrainStep</c> and false in <c>Forward</c> (inference).</summary>
        public string Training => "training";

        /// <summary>The network's <c>NetGen.Rng</c> field (pass it by <c>ref</c>): dropout masks come from it,
        /// and <c>RngState</c> saves and restores it.</summary>
        public string Rng => "_rng";

        /// <summary>The layer's buffer <paramref name="name"/> (see <see cref="IBufferedLayerKind"/>): the part this batch
        /// uses of a per-sample buffer, the whole array of a fixed-size one.</summary>
        public override string Buffer(string name)
        {
            var buffer = Find(name);
            return Layer.BufferField(buffer) + (buffer.FixedSize is null ? ".AsSpan(0, " + Batch + " * " + Literals.Int(buffer.PerSample) + ")" : "");
        }

        /// <summary>The layer's whole buffer <paramref name="name"/>, sized for <c>maxBatch</c> samples.</summary>
        public string WholeBuffer(string name) => Layer.BufferField(Find(name));

        private static string Slice(string buffer, ParameterPlan tensor) =>
            buffer + ".AsSpan(" + Literals.Int(tensor.Offset) + ", " + Literals.Int(tensor.Length) + ")";
    }
}
