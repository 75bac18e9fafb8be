using NetGen.Generator.Layers;
using NetGen.Generator.Model;

namespace NetGen.Generator.Planning
{
    /// <summary>What one <c>[Network]</c> class turns into: the full plan, or the stub that a network with errors gets,
    /// plus the diagnostics to report. The value the emit step works from.</summary>
    /// <param name="Type">Where the generated part goes.</param>
    /// <param name="Properties">Partial properties to implement.</param>
    /// <param name="Plan">The checked network, or null when it has errors (a stub is emitted).</param>
    /// <param name="Diagnostics">Everything found, in source order of the checks.</param>
    /// <param name="CanEmit">False when no partial declaration can be generated.</param>
    /// <param name="Location">The class name, for diagnostics about the whole network.</param>
    internal sealed record NetworkBuild(TypeSpec Type, EquatableArray<PartialProperty> Properties, NetworkPlan? Plan,
        EquatableArray<DiagnosticInfo> Diagnostics, bool CanEmit, SourceSpan Location);

    /// <summary>A network whose shapes check, laid out in its four flat buffers.</summary>
    /// <param name="Loss">The loss's name, or null for none.</param>
    /// <param name="Layers">Layers in declaration order.</param>
    /// <param name="ParameterCount">Length of the parameter (and gradient) buffer.</param>
    /// <param name="ActivationsPerSample">Floats per sample in the activation buffer (all layers, input included).</param>
    /// <param name="ActivationGradientsPerSample">Floats per sample in the activation-gradient buffer (layers that get one).</param>
    /// <param name="ShapeSignature">FNV-1a hash of every layer's kind, sources, output shape and parameter shapes.</param>
    internal sealed record NetworkPlan(string? Loss, EquatableArray<LayerPlan> Layers, int ParameterCount,
        int ActivationsPerSample, int ActivationGradientsPerSample, ulong ShapeSignature)
    {
        public LayerPlan Input => Layers[0];

        /// <summary>True when a layer recurs over time steps (a <see cref="RecurrentLayer"/>): the
        /// network recommends clipping gradients by their global norm.</summary>
        public bool Recurrent { get; init; }

        public LayerPlan Output => Layers[Layers.Count - 1];
    }

    /// <summary>One layer with its place in the buffers and the names the generated code uses for it.</summary>
    /// <param name="Index">Position in declaration order.</param>
    /// <param name="Name">Property name.</param>
    /// <param name="Kind">Layer kind name.</param>
    /// <param name="Options">What the kind read from its attribute.</param>
    /// <param name="Activation">Activation name, or null when none was written.</param>
    /// <param name="Sources">Indices of the layers it reads.</param>
    /// <param name="InputShapes">Their per-sample shapes.</param>
    /// <param name="Output">Its per-sample output shape.</param>
    /// <param name="Parameters">Its trainable tensors, with their offsets.</param>
    /// <param name="ActivationOffset">Start of its activations in the activation buffer, in samples × floats (the
    /// generated code multiplies by <c>maxBatch</c>).</param>
    /// <param name="GradientOffset">Same for the activation-gradient buffer; −1 when backward needs no gradient here.</param>
    /// <param name="Live">Whether the output depends on it (otherwise backward only zeroes its gradients).</param>
    /// <param name="AccumulateInputGradient">Per source: true when a layer processed earlier in backward already wrote
    /// that source's gradient, so this layer adds to it.</param>
    /// <param name="Local">Span local of its activations.</param>
    /// <param name="GradientLocal">Span local of their gradient.</param>
    /// <param name="Description">The kind's description, e.g. <c>Dense 784→256</c>.</param>
    internal sealed record LayerPlan(int Index, string Name, string Kind, LayerOptions Options, string? Activation,
        EquatableArray<int> Sources, EquatableArray<Shape> InputShapes, Shape Output, EquatableArray<ParameterPlan> Parameters,
        int ActivationOffset, int GradientOffset, bool Live, EquatableArray<bool> AccumulateInputGradient,
        string Local, string GradientLocal, string Description)
    {
        public int OutputSize => (int)Output.Size;

        /// <summary>Buffers beyond the output that the kind asked for (<see cref="IBufferedLayerKind"/>); empty for most.</summary>
        public EquatableArray<LayerBuffer> Buffers { get; init; }

        /// <summary>The tuning-table entries that match the layer and apply to it, in table order (empty: the kernels'
        /// rules choose); only for <see cref="ITunableLayerKind"/> kinds.</summary>
        public EquatableArray<Tuning.TuningEntry> Tuning { get; init; }

        /// <summary>The field of buffer <paramref name="buffer"/>: <c>_lstm1Gates</c>.</summary>
        public string BufferField(LayerBuffer buffer) => "_" + Local + char.ToUpperInvariant(buffer.Name[0]) + buffer.Name.Substring(1);

        public int ParameterCount
        {
            get
            {
                int count = 0;
                foreach (var p in Parameters) count += p.Length;
                return count;
            }
        }
    }

    /// <summary>A parameter tensor placed in the flat buffer.</summary>
    /// <param name="Name">Checkpoint name: <c>H1.weight</c>.</param>
    /// <param name="Spec">What the layer kind declared.</param>
    /// <param name="Offset">Start in the parameter (and gradient) buffer.</param>
    /// <param name="Length">Number of floats.</param>
    internal sealed record ParameterPlan(string Name, ParameterSpec Spec, int Offset, int Length);
}
