using System.Collections.Generic;
using NetGen.Generator.Emit;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// The names and expressions a layer kind writes its device code with: <see cref="LayerCode"/>'s counterpart, with
    /// <c>ArrayView</c> locals over the <c>GpuNetworkState</c> buffers and the device as the first argument of every call.
    /// </summary>
    internal sealed class GpuLayerCode
    {
        public GpuLayerCode(LayerPlan layer, IReadOnlyList<string> inputs, IReadOnlyList<string?> inputGradients)
        {
            Layer = layer;
            Inputs = inputs;
            InputGradients = inputGradients;
            Activation = GpuActivations.KernelType(layer.Activation)
                ?? throw new System.InvalidOperationException("Activation " + layer.Activation + " has no GPU kernel.");
        }

        /// <summary>The planned layer: shapes, options, parameters.</summary>
        public LayerPlan Layer { get; }

        /// <summary>The <c>NetGen.Gpu.IGpuActivation</c> struct of the activation fused into this layer.</summary>
        public string Activation { get; }

        /// <summary>The field holding the <c>GpuDevice</c>.</summary>
        public string Device => "_device";

        /// <summary>The local holding the run-time batch size.</summary>
        public string Batch => "batch";

        /// <summary>What an absent view argument is written as (no bias, no input gradient).</summary>
        public string EmptyView => "default";

        /// <summary>View locals of the activations of the layers this one reads, in source order.</summary>
        public IReadOnlyList<string> Inputs { get; }

        /// <summary>View locals that receive the gradient for each input, or null where none is needed.</summary>
        public IReadOnlyList<string?> InputGradients { get; }

        /// <summary>Whether input <paramref name="i"/>'s gradient must be added to rather than overwritten.</summary>
        public bool AccumulatesInputGradient(int i) => Layer.AccumulateInputGradient[i];

        /// <summary>This layer's activations.</summary>
        public string Output => Layer.Local;

        /// <summary>The gradient of the loss with respect to <see cref="Output"/>.</summary>
        public string OutputGradient => Layer.GradientLocal;

        /// <summary>Parameter tensor <paramref name="i"/> as a view of the device parameter buffer.</summary>
        public string Parameter(int i) => Slice("_state.Parameters", Layer.Parameters[i]);

        /// <summary>The gradient of parameter tensor <paramref name="i"/>.</summary>
        public string Gradient(int i) => Slice("_state.Gradients", Layer.Parameters[i]);

        /// <summary>The part this batch uses of the layer's per-sample device buffer <paramref name="name"/>
        /// (see <see cref="IGpuBufferedLayerKind"/>; the GPU twin allocates per-sample buffers only).</summary>
        public string Buffer(string name)
        {
            foreach (var buffer in Layer.Buffers)
                if (buffer.Name == name)
                    return Layer.BufferField(buffer) + ".Slice(0, " + Batch + " * " + Literals.Int(buffer.PerSample) + ")";
            throw new KeyNotFoundException("Layer " + Layer.Name + " declared no buffer named '" + name + "'.");
        }

        private static string Slice(string buffer, ParameterPlan tensor) =>
            buffer + ".Slice(" + Literals.Int(tensor.Offset) + ", " + Literals.Int(tensor.Length) + ")";
    }
}
