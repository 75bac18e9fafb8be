using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// What <see cref="LayerCode"/> and <see cref="GpuLayerCode"/> share: the planned layer, the locals of the
    /// activations it reads and writes and of their gradients, and its buffers by name.
    /// </summary>
    internal abstract class LayerCodeBase
    {
        protected LayerCodeBase(NetworkPlan network, LayerPlan layer)
        {
            Layer = layer;
            Inputs = layer.Sources.Select(s => network.Layers[s].Local).ToList();
            InputGradients = layer.Sources.Select(s => network.Layers[s].GradientOffset >= 0 ? network.Layers[s].GradientLocal : null).ToList();
        }

        /// <summary>The planned layer: shapes, options, parameters.</summary>
        public LayerPlan Layer { get; }

        /// <summary>The local holding the run-time batch size.</summary>
        public string Batch => "batch";

        /// <summary>Locals (spans, or device views) of the activations of the layers this one reads, in source order.</summary>
        public IReadOnlyList<string> Inputs { get; }

        /// <summary>Locals that receive the gradient for each input, or null where none is needed (the network's input
        /// layer).</summary>
        public IReadOnlyList<string?> InputGradients { get; }

        /// <summary>Whether input <paramref name="i"/>'s gradient must be added to (another layer wrote it first)
        /// rather than overwritten.</summary>
        public bool AccumulatesInputGradient(int i) => Layer.AccumulateInputGradient[i];

        /// <summary>This layer's activations.</summary>
        public string Output => Layer.Local;

        /// <summary>The gradient of the loss with respect to <see cref="Output"/>.</summary>
        public string OutputGradient => Layer.GradientLocal;

        /// <summary>The layer's buffer <paramref name="name"/> as this batch uses it (see <see cref="IBufferedLayerKind"/>).</summary>
        public abstract string Buffer(string name);

        /// <summary>The layer's buffer <paramref name="name"/>; throws when the kind declared none by that name.</summary>
        protected LayerBuffer Find(string name)
        {
            foreach (var buffer in Layer.Buffers)
                if (buffer.Name == name) return buffer;
            throw new KeyNotFoundException("Layer " + Layer.Name + " declared no buffer named '" + name + "'.");
        }
    }
}
