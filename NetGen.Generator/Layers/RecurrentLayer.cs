using System.Collections.Generic;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// What <c>[Rnn]</c>, <c>[Lstm]</c> and <c>[Gru]</c> share. They read a <c>[T, F]</c> sequence and give
    /// <c>[T, H]</c> (<c>ReturnSequences = true</c>) or the last state <c>[H]</c>, with PyTorch's four tensors
    /// <c>weight_ih_l0 [G·H, F]</c>, <c>weight_hh_l0 [G·H, H]</c> (both stored transposed, <c>[in, G·H]</c>, as the
    /// kernels take them), <c>bias_ih_l0</c> and <c>bias_hh_l0 [G·H]</c>, initialised U(±1/√H) like PyTorch. Their
    /// kernels (<c>NetGen.Kernels.Rnn/Lstm/Gru</c>) share one argument order: sizes, x, weights, initial state, saved
    /// buffers, outputs, scratch; backward overwrites the saved gates with their gradients.
    /// </summary>
    /// <remarks>
    /// <c>Stateful = true</c> is truncated backpropagation through time: each step starts from the state the previous
    /// step ended in (sample b continues sample b of the previous batch), and gradients stop at the batch boundary. The
    /// final state is written to a <c>last</c> buffer and copied to the <c>state</c> buffer when the next step starts,
    /// so backward still sees the initial state it ran from; <c>ResetState()</c> clears both.
    /// </remarks>
    internal abstract class RecurrentLayer : ILayerKind, IBufferedLayerKind
    {
        public abstract string Name { get; }

        public string AttributeName => "NetGen." + Name + "Attribute";

        public bool AcceptsActivation => false;

        public bool IsInput => false;

        /// <summary>Gate blocks per step (G): 1 for Rnn, 4 for Lstm, 3 for Gru.</summary>
        protected abstract int Gates { get; }

        /// <summary>The kernel's scratch in units of batch × hidden (its <c>ScratchLength</c>).</summary>
        protected abstract int ScratchPerHidden { get; }

        /// <summary>A <c>[T, H]</c> buffer the kernel saves besides gates and h_t (Lstm's cells, Gru's hn), or null.</summary>
        protected abstract string? SavedSequence { get; }

        /// <summary>True for Lstm: a cell state travels beside h (c0, cLast, dcLast, dc0 arguments).</summary>
        protected virtual bool HasCell => false;

        /// <summary>True for Lstm: its kernels have token forms (<c>ForwardTokens</c>, <c>BackwardTokens</c>) that do the
        /// embedding lookup themselves, projecting each vocabulary entry once instead of each of the B·T positions.</summary>
        internal virtual bool TakesTokens => false;

        private string Kernel => "global::NetGen.Kernels." + Name;

        /// <summary>
        /// The Embedding whose lookup <paramref name="layer"/>'s CPU kernels do (<see cref="TakesTokens"/>), or null: its
        /// source when that is an Embedding read by no other layer and not the network's output. Then the layer's
        /// backward writes the table's gradient and the Embedding's own backward is left out; the Embedding's forward still
        /// runs, so its activations stay readable.
        /// </summary>
        internal static LayerPlan? FusedEmbedding(NetworkPlan network, LayerPlan layer)
        {
            if (LayerKinds.ByName(layer.Kind) is not RecurrentLayer { TakesTokens: true }) return null;
            var source = network.Layers[layer.Sources[0]];
            if (source.Kind != "Embedding" || source.Index == network.Output.Index) return null;
            foreach (var other in network.Layers)
                if (other.Index != layer.Index && other.Sources.Contains(source.Index)) return null;
            return source;
        }

        public LayerOptions Read(AttributeArguments arguments)
        {
            string? from = arguments.Get<string?>("From", null);
            return new RecurrentOptions(arguments.Int(0) ?? 0, arguments.Get("ReturnSequences", true), arguments.Get("Stateful", false),
                (float)arguments.Get("ForgetBias", 1.0))
            {
                Sources = from is null ? default : EquatableArray.Create(from),
            };
        }

        public ShapeResult InferShape(LayerSpec layer, EquatableArray<Shape> inputs)
        {
            var options = (RecurrentOptions)layer.Options;
            if (options.Hidden < 1)
                return ShapeResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.SequenceSizeNotPositive, layer.AttributeLocation, Name, layer.Name, "hidden", options.Hidden));
            var input = inputs[0];
            if (input.Role != ShapeRole.Sequence)
                return ShapeResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.RecurrentNeedsSequence, layer.AttributeLocation, Name, layer.Name, input.Describe(),
                    input.Role == ShapeRole.Tokens ? "put an [Embedding(dim)] between the token input and this layer" : "read an Embedding or a recurrent layer with ReturnSequences = true"));
            return ShapeResult.Ok(options.ReturnSequences ? Shape.Sequence(input.Steps, options.Hidden) : Shape.Of(options.Hidden));
        }

        public EquatableArray<ParameterSpec> Parameters(LayerSpec layer, EquatableArray<Shape> inputs, Shape output, ActivationKind activation)
        {
            var options = (RecurrentOptions)layer.Options;
            int h = options.Hidden, width = Gates * h;
            var uniform = InitScheme.Uniform(h);
            return EquatableArray.Create(
                new ParameterSpec("weight_ih_l0", Shape.Of(width, inputs[0].Features), Transposed: true, uniform),
                new ParameterSpec("weight_hh_l0", Shape.Of(width, h), Transposed: true, uniform),
                new ParameterSpec("bias_ih_l0", Shape.Of(width), Transposed: false, BiasInit(options, input: true)),
                new ParameterSpec("bias_hh_l0", Shape.Of(width), Transposed: false, BiasInit(options, input: false)));
        }

        /// <summary>How bias_ih (<paramref name="input"/>) or bias_hh starts; Lstm sets its forget block.</summary>
        protected virtual InitScheme BiasInit(RecurrentOptions options, bool input) => InitScheme.Uniform(options.Hidden);

        public string Describe(LayerSpec layer, EquatableArray<Shape> inputs, Shape output)
        {
            var options = (RecurrentOptions)layer.Options;
            return Name + " " + Literals.Int(inputs[0].Features) + "→" + Literals.Int(options.Hidden) + " over " + Literals.Int(inputs[0].Steps) + " steps"
                + (options.ReturnSequences ? "" : ", last state") + (options.Stateful ? ", stateful" : "");
        }

        public EquatableArray<LayerBuffer> Buffers(Planning.LayerPlan layer)
        {
            var options = (RecurrentOptions)layer.Options;
            int h = options.Hidden, steps = layer.InputShapes[0].Steps;
            var buffers = new List<LayerBuffer> { new LayerBuffer("gates", steps * Gates * h) };
            if (SavedSequence is { } saved) buffers.Add(new LayerBuffer(saved, steps * h));
            if (!options.ReturnSequences) buffers.Add(new LayerBuffer("hs", steps * h));
            buffers.Add(new LayerBuffer("scratch", ScratchPerHidden * h));
            if (options.Stateful)
            {
                buffers.Add(new LayerBuffer("state", h) { CarriedState = true });
                buffers.Add(new LayerBuffer("last", h) { CarriedState = true });
                if (HasCell)
                {
                    buffers.Add(new LayerBuffer("cellState", h) { CarriedState = true });
                    buffers.Add(new LayerBuffer("cellLast", h) { CarriedState = true });
                }
            }
            return buffers.ToEquatableArray();
        }

        public void EmitForward(SourceWriter writer, LayerCode code)
        {
            var options = (RecurrentOptions)code.Layer.Options;
            if (options.Stateful)
            {
                writer.Line("// Truncated BPTT: start from the state the previous step ended in (ResetState() zeroes it)");
                writer.Line(code.WholeBuffer("last") + ".CopyTo(" + code.WholeBuffer("state") + ", 0);");
                if (HasCell) writer.Line(code.WholeBuffer("cellLast") + ".CopyTo(" + code.WholeBuffer("cellState") + ", 0);");
            }
            string hLast = options.Stateful ? code.Buffer("last") : options.ReturnSequences ? "default" : code.Output;
            WriteCallStart(writer, code, "Forward", code.Parameter(0), code.Parameter(1), code.Parameter(2), code.Parameter(3));
            var line = SavedSequences(code);
            line.Add(hLast);
            if (HasCell) line.Add(options.Stateful ? code.Buffer("cellLast") : "default");
            line.Add(code.Buffer("scratch"));
            writer.Line("    " + string.Join(", ", line) + ");");
            if (options.Stateful && !options.ReturnSequences) writer.Line(code.Buffer("last") + ".CopyTo(" + code.Output + ");");
        }

        public void EmitBackward(SourceWriter writer, LayerCode code)
        {
            var options = (RecurrentOptions)code.Layer.Options;
            string? dx = code.InputGradients[0];
            bool accumulate = dx is not null && code.AccumulatesInputGradient(0);
            var embedding = WriteCallStart(writer, code, "Backward", code.Parameter(0), code.Parameter(1));
            var line = SavedSequences(code);
            line.Add(options.ReturnSequences ? code.OutputGradient : "default");
            line.Add(options.ReturnSequences ? "default" : code.OutputGradient);
            if (HasCell) line.Add("default");
            writer.Line("    " + string.Join(", ", line) + ",");
            line.Clear();
            line.Add(embedding is not null ? LayerCode.GradientOf(embedding, 0) : dx is null || accumulate ? "default" : dx);
            for (int i = 0; i < 4; i++) line.Add(code.Gradient(i));
            line.Add("default");
            if (HasCell) line.Add("default");
            line.Add(code.Buffer("scratch"));
            writer.Line("    " + string.Join(", ", line) + ");");
            if (accumulate)
            {
                var input = code.Layer.InputShapes[0];
                writer.Line("// " + code.Inputs[0] + " also feeds a later layer, which wrote " + dx + " first: add this layer's share, dGates·W_ihᵀ");
                writer.Line("global::NetGen.Kernels.Gemm.MatMulTransB(" + code.Batch + " * " + Literals.Int(input.Steps) + ", " + Literals.Int(input.Features) + ", "
                    + Literals.Int(Gates * options.Hidden) + ", " + code.Buffer("gates") + ", " + code.Parameter(0) + ", " + dx + ", accumulate: true);");
            }
        }

        /// <summary>
        /// The device launch of a kind that declares <c>IGpuLayerKind</c> (Rnn, Lstm): the CPU call of <see cref="EmitForward"/>
        /// with <c>NetGen.Gpu.Gpu{Name}</c>, the device first and views. Stateful layers get no twin (the GPU emitter
        /// blocks layers with carried state), so the initial state is always zeros.
        /// </summary>
        public void EmitGpuForward(SourceWriter writer, GpuLayerCode code)
        {
            var options = (RecurrentOptions)code.Layer.Options;
            var line = new List<string> { code.Inputs[0], code.Parameter(0), code.Parameter(1), code.Parameter(2), code.Parameter(3), code.EmptyView };
            if (HasCell) line.Add(code.EmptyView);
            writer.Line(GpuKernel + ".Forward(" + code.Device + ", " + Sizes(code.Batch, code.Layer) + ",");
            writer.Line("    " + string.Join(", ", line) + ",");
            line = SavedSequences(code);
            line.Add(options.ReturnSequences ? code.EmptyView : code.Output);
            if (HasCell) line.Add(code.EmptyView);
            line.Add(code.Buffer("scratch"));
            writer.Line("    " + string.Join(", ", line) + ");");
        }

        /// <summary>The device twin of <see cref="EmitBackward"/> (see <see cref="EmitGpuForward"/>).</summary>
        public void EmitGpuBackward(SourceWriter writer, GpuLayerCode code)
        {
            var options = (RecurrentOptions)code.Layer.Options;
            string? dx = code.InputGradients[0];
            bool accumulate = dx is not null && code.AccumulatesInputGradient(0);
            string empty = code.EmptyView;
            var line = new List<string> { code.Inputs[0], code.Parameter(0), code.Parameter(1), empty };
            if (HasCell) line.Add(empty);
            writer.Line(GpuKernel + ".Backward(" + code.Device + ", " + Sizes(code.Batch, code.Layer) + ",");
            writer.Line("    " + string.Join(", ", line) + ",");
            line = SavedSequences(code);
            line.Add(options.ReturnSequences ? code.OutputGradient : empty);
            line.Add(options.ReturnSequences ? empty : code.OutputGradient);
            if (HasCell) line.Add(empty);
            writer.Line("    " + string.Join(", ", line) + ",");
            line.Clear();
            line.Add(dx is null || accumulate ? empty : dx);
            for (int i = 0; i < 4; i++) line.Add(code.Gradient(i));
            line.Add(empty);
            if (HasCell) line.Add(empty);
            line.Add(code.Buffer("scratch"));
            writer.Line("    " + string.Join(", ", line) + ");");
            if (accumulate)
            {
                var input = code.Layer.InputShapes[0];
                writer.Line("// " + code.Inputs[0] + " also feeds a later layer, which wrote " + dx + " first: add this layer's share, dGates·W_ihᵀ");
                writer.Line("global::NetGen.Gpu.GpuGemm.MatMulTransB(" + code.Device + ", " + code.Batch + " * " + Literals.Int(input.Steps) + ", " + Literals.Int(input.Features) + ", "
                    + Literals.Int(Gates * options.Hidden) + ", " + code.Buffer("gates") + ", " + code.Parameter(0) + ", " + dx + ", accumulate: true);");
            }
        }

        private string GpuKernel => "global::NetGen.Gpu.Gpu" + Name;

        /// <summary>The token form's leading arguments: the embedding's token input and <paramref name="table"/>.</summary>
        private static List<string> TokenArguments(LayerCode code, LayerPlan embedding, string table) =>
            new List<string> { code.Network.Layers[embedding.Sources[0]].Local, table };

        /// <summary><c>batch, T, V, F, H</c>.</summary>
        private static string TokenSizes(LayerCode code, LayerPlan embedding)
        {
            var input = code.Layer.InputShapes[0];
            return code.Batch + ", " + Literals.Int(input.Steps) + ", " + Literals.Int(embedding.InputShapes[0].Vocabulary) + ", "
                + Literals.Int(input.Features) + ", " + Literals.Int(((RecurrentOptions)code.Layer.Options).Hidden);
        }

        private static string Sizes(LayerCode code) => Sizes(code.Batch, code.Layer);

        /// <summary><c>batch, T, F, H</c>.</summary>
        private static string Sizes(string batch, Planning.LayerPlan layer)
        {
            var input = layer.InputShapes[0];
            return batch + ", " + Literals.Int(input.Steps) + ", " + Literals.Int(input.Features) + ", " + Literals.Int(((RecurrentOptions)layer.Options).Hidden);
        }

        /// <summary>The carried state of a stateful layer; zeros (an empty span) otherwise.</summary>
        private static string InitialState(LayerCode code, string buffer) =>
            ((RecurrentOptions)code.Layer.Options).Stateful ? code.Buffer(buffer) : "default";

        /// <summary>
        /// Writes the kernel call's name and sizes (<c>Forward</c> or <c>Backward</c>, or its token form with a
        /// <see cref="FusedEmbedding"/>) and its first line of arguments: the input (or the tokens and the embedding
        /// table), <paramref name="weights"/>, and the initial state (and cell state); returns the fused embedding or null.
        /// </summary>
        private LayerPlan? WriteCallStart(SourceWriter writer, LayerCode code, string pass, params string[] weights)
        {
            var embedding = FusedEmbedding(code.Network, code.Layer);
            var line = embedding is null ? new List<string> { code.Inputs[0] } : TokenArguments(code, embedding, LayerCode.ParameterOf(embedding, 0));
            line.AddRange(weights);
            line.Add(InitialState(code, "state"));
            if (HasCell) line.Add(InitialState(code, "cellState"));
            writer.Line(Kernel + "." + pass + (embedding is null ? "(" + Sizes(code) : "Tokens(" + TokenSizes(code, embedding)) + ",");
            writer.Line("    " + string.Join(", ", line) + ",");
            return embedding;
        }

        /// <summary>The arguments both passes (on CPU and device) start their second line with: the saved gates, the
        /// kind's <see cref="SavedSequence"/>, and where every h_t goes: the output itself, or a saved buffer when only
        /// the last state is output.</summary>
        private List<string> SavedSequences(LayerCodeBase code)
        {
            var line = new List<string> { code.Buffer("gates") };
            if (SavedSequence is { } saved) line.Add(code.Buffer(saved));
            line.Add(((RecurrentOptions)code.Layer.Options).ReturnSequences ? code.Output : code.Buffer("hs"));
            return line;
        }

        /// <summary>What <c>[Rnn]</c>, <c>[Lstm]</c> and <c>[Gru]</c> declare (ForgetBias is read for all, used by Lstm).</summary>
        protected sealed record RecurrentOptions(int Hidden, bool ReturnSequences, bool Stateful, float ForgetBias) : LayerOptions;
    }
}
