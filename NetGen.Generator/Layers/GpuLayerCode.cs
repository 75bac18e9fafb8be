using NetGen.Generator.Emit;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// The names and expressions a layer kind writes its device code with: <see cref="LayerCode"/>'s counterpart, with
    /// <c>ArrayView</c> locals over the <c>GpuNetworkState</c> buffers and the device as the first argument of every call.
    /// </summary>
    internal sealed class GpuLayerCode : LayerCodeBase
    {
        public GpuLayerCode(NetworkPlan network, LayerPlan layer) : base(network, layer)
        {
            Activation = GpuActivations.KernelType(layer.Activation)
                ?? throw new System.InvalidOperationException("Activation " + layer.Activation + " has no GPU kernel.");
        }

        /// <summary>The <c>NetGen.Gpu.IGpuActivation</c> struct of the activation fused into this layer.</summary>
        public string Activation { get; }

        /// <summary>The field holding the <c>GpuDevice</c>.</summary>
        public string Device => "_device";

        /// <summary>What an absent view argument is written as (no bias, no input gradient).</summary>
        public string EmptyView => "default";

        /// <summary>Parameter tensor <paramref name="i"/> as a view of the device parameter buffer.</summary>
        public string Parameter(int i) => Slice("_state.Parameters", Layer.Parameters[i]);

        /// <summary>The gradient of parameter tensor <paramref name="i"/>.</summary>
        public string Gradient(int i) => Slice("_state.Gradients", Layer.Parameters[i]);

        /// <summary>The part this batch uses of the layer's per-sample device buffer <paramref name="name"/>
        /// (see <see cref="IGpuBufferedLayerKind"/>; the GPU twin allocates per-sample buffers only).</summary>
        public override string Buffer(string name)
        {
            var buffer = Find(name);
            return Layer.BufferField(buffer) + ".Slice(0, " + Batch + " * " + Literals.Int(buffer.PerSample) + ")";
        }

        private static string Slice(string buffer, ParameterPlan tensor) =>
            buffer + ".Slice(" + Literals.Int(tensor.Offset) + ", " + Literals.Int(tensor.Length) + ")";
    }
}
