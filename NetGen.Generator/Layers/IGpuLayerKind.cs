using System.Collections.Generic;
using NetGen.Generator.Emit;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// A layer kind that also runs on the GPU (NetGen.Runtime.Gpu). Optional: a network whose layers all implement it
    /// (and whose activations and loss have device kernels) gets a device twin, <c>Mlp.Gpu</c>. The statements follow
    /// the CPU code's calls with <c>Gpu</c> in front, the device first and views instead of spans (see
    /// NetGen.Runtime.Gpu/README.md).
    /// </summary>
    internal interface IGpuLayerKind
    {
        /// <summary>Writes the launches that compute <see cref="LayerCodeBase.Output"/>.</summary>
        void EmitGpuForward(SourceWriter writer, GpuLayerCode code);

        /// <summary>Writes the launches that turn <see cref="LayerCodeBase.OutputGradient"/> into parameter and input
        /// gradients. Never called for input kinds.</summary>
        void EmitGpuBackward(SourceWriter writer, GpuLayerCode code);
    }

    /// <summary>
    /// An <see cref="IGpuLayerKind"/> whose device code uses the layer's <see cref="IBufferedLayerKind"/> buffers
    /// (<see cref="GpuLayerCode.Buffer"/>): the twin allocates each of them on the device, per sample; carried state or
    /// a fixed-size buffer blocks the twin (NG0300). Kinds that only implement <see cref="IGpuLayerKind"/> get no device
    /// buffers.
    /// </summary>
    internal interface IGpuBufferedLayerKind : IGpuLayerKind, IBufferedLayerKind
    {
    }

    /// <summary>The device twins of the activations (<c>NetGen.Gpu.IGpuActivation</c> structs), by activation name.</summary>
    internal static class GpuActivations
    {
        private static readonly Dictionary<string, string> KernelTypes = new Dictionary<string, string>
        {
            ["Identity"] = "global::NetGen.Gpu.GpuIdentity",
            ["Relu"] = "global::NetGen.Gpu.GpuRelu",
            ["Tanh"] = "global::NetGen.Gpu.GpuTanh",
            ["Sigmoid"] = "global::NetGen.Gpu.GpuSigmoid",
        };

        /// <summary>The device struct for <paramref name="activation"/> (null: identity), or null when it has none.</summary>
        public static string? KernelType(string? activation) =>
            KernelTypes.TryGetValue(ActivationKind.ByName(activation).Name, out string? type) ? type : null;
    }
}
