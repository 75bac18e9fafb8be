using NetGen.Generator.Diagnostics;
using NetGen.Generator.Emit;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;
using NetGen.Generator.Tuning;
using NetGen.Kernels;

namespace NetGen.Generator.Layers
{
    /// <summary>
    /// <c>[Dense(units, Bias = true, From = nameof(X))]</c>: y = act(x·W + b) over the flattened input. W is stored
    /// <c>[inputs, units]</c> (PyTorch's <c>[units, inputs]</c> transposed) so that the forward pass is a plain A·B.
    /// On a sequence <c>[T, F]</c> (an Embedding's or recurrent layer's output) it applies per time step, like PyTorch's
    /// <c>nn.Linear</c> on <c>[B, T, F]</c>: W is <c>[F, units]</c>, the output is the sequence <c>[T, units]</c>, and the
    /// kernels see <c>B·T</c> rows, one GEMM. The shape's role decides: a plain <c>[Input(4, 5)]</c> is still flattened.
    /// Each of its three products (forward y = x·w, dx = dy·wᵀ, dw = xᵀ·dy) takes a tuned <c>GemmTiling</c> from a tuning
    /// table, passed in a <c>DenseTiling</c>; without an entry the driver's rules block it.
    /// </summary>
    internal sealed class DenseLayer : ILayerKind, IGpuLayerKind, IUpdatingLayerKind, ITunableLayerKind
    {
        public string Name => "Dense";

        public string AttributeName => "NetGen.DenseAttribute";

        public bool AcceptsActivation => true;

        public bool IsInput => false;

        public LayerOptions Read(AttributeArguments arguments)
        {
            string? from = arguments.Get<string?>("From", null);
            return new DenseOptions(arguments.Int(0) ?? 0, arguments.Get("Bias", true))
            {
                Sources = from is null ? default : EquatableArray.Create(from),
            };
        }

        public ShapeResult InferShape(LayerSpec layer, EquatableArray<Shape> inputs)
        {
            int units = ((DenseOptions)layer.Options).Units;
            if (units < 1)
                return ShapeResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.UnitsNotPositive, layer.AttributeLocation, Name, layer.Name, units));
            var input = inputs[0];
            if (Shapes.TokenRules.NotTokens(this, layer, input) is { } tokens) return ShapeResult.Fail(tokens);
            return ShapeResult.Ok(input.Role == ShapeRole.Sequence ? Shape.Sequence(input.Steps, units) : Shape.Of(units));
        }

        public EquatableArray<ParameterSpec> Parameters(LayerSpec layer, EquatableArray<Shape> inputs, Shape output, ActivationKind activation)
        {
            var options = (DenseOptions)layer.Options;
            int fanIn = FanIn(inputs[0]);
            var weight = new ParameterSpec("weight", Shape.Of(options.Units, fanIn), Transposed: true,
                activation.UsesHeInit ? InitScheme.He(fanIn) : InitScheme.Glorot(fanIn, options.Units));
            if (!options.Bias) return EquatableArray.Create(weight);
            return EquatableArray.Create(weight, new ParameterSpec("bias", Shape.Of(options.Units), Transposed: false, InitScheme.Zeros));
        }

        public string Describe(LayerSpec layer, EquatableArray<Shape> inputs, Shape output) =>
            Name + " " + Literals.Int(FanIn(inputs[0])) + "→" + Literals.Int(((DenseOptions)layer.Options).Units)
            + (inputs[0].Role == ShapeRole.Sequence ? " per step" : "") + (((DenseOptions)layer.Options).Bias ? "" : " (no bias)");

        public string TuningSignature(LayerPlan layer)
        {
            var input = layer.InputShapes[0];
            return TuningSignatures.Dense(FanIn(input), ((DenseOptions)layer.Options).Units, input.Role == ShapeRole.Sequence ? input.Steps : 0);
        }

        /// <summary>By the runtime's <see cref="GemmRules"/>, with each product's layout: forward reads x and w row-major and
        /// has an epilogue where there is a bias or an activation; dx reads w transposed; dw reads x transposed and may
        /// carry the optimizer's update in its epilogue (the optimizer is known only at run time), so it never runs transposed.</summary>
        public string? Unsupported(LayerPlan layer, TuningEntry entry)
        {
            var t = (TilingChoice)entry.Choice;
            bool epilogue = entry.Pass == "forward"
                ? ActivationKind.ByName(layer.Activation) != ActivationKind.Identity || layer.Parameters.Count > 1
                : entry.Pass == "dw";
            return GemmRules.Unsupported(t.KC, t.NC, t.Order, t.A, t.B, t.Transposition,
                aColumnsContiguous: entry.Pass == "dw", bRowsContiguous: entry.Pass != "dx", epilogue);
        }

        public string DescribePass(string pass) => pass switch
        {
            "forward" => "forward product (y = x·w)",
            "dx" => "dx product (dx = dy·wᵀ)",
            _ => "dw product (dw = xᵀ·dy)",
        };

        public void EmitForward(SourceWriter writer, LayerCode code)
        {
            var forward = Tiling(writer, code, "forward");
            writer.Line("global::NetGen.Kernels.Dense.Forward<" + code.Activation.KernelType + ">(" + Sizes(code) + ",");
            writer.Line("    " + code.Inputs[0] + ", " + code.Parameter(0) + ", " + Bias(code, code.Parameter) + ", " + code.Output
                + (forward is null ? ");" : ","));
            if (forward is not null) TilingArgument(writer, ("Forward", forward));
        }

        /// <summary>
        /// One call for the gradients and the optimizer's update of the layer's weight and bias (in the flat buffers from
        /// the weight's offset; see <see cref="IUpdatingLayerKind"/>): the weight update runs in the epilogue of the
        /// weight-gradient product, and dx, which reads the weights, is computed (or added, when another layer wrote it
        /// first) before.
        /// </summary>
        public void EmitBackward(SourceWriter writer, LayerCode code)
        {
            string? dx = code.InputGradients[0];
            bool accumulate = dx is not null && code.AccumulatesInputGradient(0);
            // The first layer computes no dx: no tiling for it.
            var inputGradient = dx is null ? null : Tiling(writer, code, "dx");
            var weightGradient = Tiling(writer, code, "dw");
            bool tuned = inputGradient is not null || weightGradient is not null;
            writer.Line("global::NetGen.Kernels.Dense.BackwardAndUpdate<" + code.Activation.KernelType + ">(" + Sizes(code) + ",");
            writer.Line("    " + code.Inputs[0] + ", " + code.Output + ", " + code.OutputGradient + ", " + (dx ?? EmptyGradient)
                + ", accumulateDx: " + (accumulate ? "true" : "false") + ",");
            writer.Line("    " + code.ParameterBuffer + ", " + code.GradientBuffer + ", " + Literals.Int(code.Layer.Parameters[0].Offset) + ", bias: "
                + (code.Layer.Parameters.Count > 1 ? "true" : "false") + ", " + code.Optimizer + (tuned ? "," : ");"));
            if (tuned) TilingArgument(writer, ("InputGradient", inputGradient), ("WeightGradient", weightGradient));
        }

        /// <summary>The tiling of one product (<see cref="TunedArgument.Chain"/>) after its comments, or null where it is
        /// the rule (no entry for the product, or only entries that chose the rule).</summary>
        private static string[]? Tiling(SourceWriter writer, LayerCode code, string product)
        {
            var chain = TunedArgument.Chain(writer, code, product, product + " tiling", "global::NetGen.Kernels.Gemm.Isa",
                "default(global::NetGen.Kernels.GemmTiling)", "the driver's blocking by shape");
            return chain.Length > 1 ? chain : null;
        }

        /// <summary>The last argument, <c>new DenseTiling { Member = chain, … }</c> with the tuned products' members, and the call's end.</summary>
        private static void TilingArgument(SourceWriter writer, params (string Member, string[]? Chain)[] products)
        {
            writer.Line("    new global::NetGen.Kernels.DenseTiling");
            writer.Line("    {");
            foreach (var (member, chain) in products)
            {
                if (chain is null) continue;
                for (int i = 0; i < chain.Length; i++)
                    writer.Line((i == 0 ? "        " + member + " = " : "            ") + chain[i] + (i == chain.Length - 1 ? "," : ""));
            }
            writer.Line("    });");
        }

        public void EmitGpuForward(SourceWriter writer, GpuLayerCode code)
        {
            writer.Line("global::NetGen.Gpu.GpuDense.Forward<" + code.Activation + ">(" + code.Device + ", " + Sizes(code.Batch, code.Layer) + ",");
            writer.Line("    " + code.Inputs[0] + ", " + code.Parameter(0) + ", " + Bias(code.Layer, code.Parameter, code.EmptyView) + ", " + code.Output + ");");
        }

        public void EmitGpuBackward(SourceWriter writer, GpuLayerCode code)
        {
            string? dx = code.InputGradients[0];
            bool accumulate = dx is not null && code.AccumulatesInputGradient(0);
            writer.Line("global::NetGen.Gpu.GpuDense.Backward<" + code.Activation + ">(" + code.Device + ", " + Sizes(code.Batch, code.Layer) + ",");
            writer.Line("    " + code.Inputs[0] + ", " + code.Parameter(0) + ", " + code.Output + ", " + code.OutputGradient + ",");
            writer.Line("    " + code.Gradient(0) + ", " + Bias(code.Layer, code.Gradient, code.EmptyView) + ", " + (dx is null || accumulate ? code.EmptyView : dx) + ");");
            if (accumulate)
            {
                writer.Line("// " + code.Inputs[0] + " also feeds a later layer, which wrote " + dx + " first: add this layer's share");
                writer.Line("global::NetGen.Gpu.GpuGemm.MatMulTransB(" + code.Device + ", " + Sizes(code.Batch, code.Layer) + ", " + code.OutputGradient + ", "
                    + code.Parameter(0) + ", " + dx + ", accumulate: true);");
            }
        }

        private static string Sizes(LayerCode code) => Sizes(code.Batch, code.Layer);

        /// <summary><c>rows, inputs, units</c>: <c>batch</c> rows of the flattened input, or <c>batch * T</c> rows of F on a sequence.</summary>
        private static string Sizes(string batch, LayerPlan layer)
        {
            var input = layer.InputShapes[0];
            string rows = input.Role == ShapeRole.Sequence ? batch + " * " + Literals.Int(input.Steps) : batch;
            return rows + ", " + Literals.Int(FanIn(input)) + ", " + Literals.Int(((DenseOptions)layer.Options).Units);
        }

        /// <summary>Inputs per output unit: F per step on a sequence, every float otherwise.</summary>
        private static int FanIn(Shape input) => input.Role == ShapeRole.Sequence ? input.Features : (int)input.Size;

        private static string Bias(LayerCode code, System.Func<int, string> tensor) => Bias(code.Layer, tensor, EmptyGradient);

        private static string Bias(LayerPlan layer, System.Func<int, string> tensor, string empty) =>
            layer.Parameters.Count > 1 ? tensor(1) : empty;

        private const string EmptyGradient = "global::System.Span<float>.Empty";

        /// <summary>What <c>[Dense]</c> declares.</summary>
        private sealed record DenseOptions(int Units, bool Bias) : LayerOptions;
    }
}
