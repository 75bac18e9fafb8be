using System.Collections.Generic;
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
    internal sealed class LayerCode
    {
        public LayerCode(NetworkPlan network, LayerPlan layer, IReadOnlyList<string> inputs, IReadOnlyList<string?> inputGradients)
        {
            Network = network;
            Layer = layer;
            Inputs = inputs;
            InputGradients = inputGradients;
            Activation = ActivationKind.ByName(layer.Activation);
        }

        /// <summary>The whole network, for kinds whose code depends on their neighbours (an Lstm that does its
        /// embedding's lookup itself).</summary>
        public NetworkPlan Network { get; }

        /// <summary>The planned layer: shapes, options, parameters.</summary>
        public LayerPlan Layer { get; }

        /// <summary>The activation fused into this layer.</summary>
        public ActivationKind Activation { get; }

        /// <summary>The local holding the run-time batch size.</summary>
        public string Batch => "batch";

        /// <summary>The method parameter holding the network's input samples.</summary>
        public string NetworkInput => "input";

        /// <summary>Span locals of the activations of the layers this one reads, in source order.</summary>
        public IReadOnlyList<string> Inputs { get; }

        /// <summary>Span locals that receive the gradient for each input, or null where none is needed (the network's
        /// input layer).</summary>
        public IReadOnlyList<string?> InputGradients { get; }

        /// <summary>Whether input <paramref name="i"/>'s gradient must be added to (another layer wrote it first)
        /// rather than overwritten.</summary>
        public bool AccumulatesInputGradient(int i) => Layer.AccumulateInputGradient[i];

        /// <summary>This layer's activations.</summary>
        public string Output => Layer.Local;

        /// <summary>The gradient of the loss with respect to <see cref="Output"/>.</summary>
        public string OutputGradient => Layer.GradientLocal;

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
        public string Buffer(string name)
        {
            var buffer = Find(name);
            return Layer.BufferField(buffer) + (buffer.FixedSize is null ? ".AsSpan(0, " + Batch + " * " + Literals.Int(buffer.PerSample) + ")" : "");
        }

        /// <summary>The layer's whole buffer <paramref name="name"/>, sized for <c>maxBatch</c> samples.</summary>
        public string WholeBuffer(string name) => Layer.BufferField(Find(name));

        private LayerBuffer Find(string name)
        {
            foreach (var buffer in Layer.Buffers)
                if (buffer.Name == name) return buffer;
            throw new KeyNotFoundException("Layer " + Layer.Name + " declared no buffer named '" + name + "'.");
        }

        private static string Slice(string buffer, ParameterPlan tensor) =>
            buffer + ".AsSpan(" + Literals.Int(tensor.Offset) + ", " + Literals.Int(tensor.Length) + ")";
    }
}
