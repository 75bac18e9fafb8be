using NetGen.Generator.Emit;
using NetGen.Generator.Model;

namespace NetGen.Generator.Layers
{
    /// <summary><c>[Flatten]</c>: the input as one vector per sample, row-major; forward copies the values and backward
    /// copies (or adds) the gradient back.</summary>
    internal sealed class FlattenLayer : ILayerKind, IGpuLayerKind
    {
        public string Name => "Flatten";

        public string AttributeName => "NetGen.FlattenAttribute";

        public bool AcceptsActivation => false;

        public bool IsInput => false;

        public LayerOptions Read(AttributeArguments arguments) => new FlattenOptions();

        public ShapeResult InferShape(LayerSpec layer, EquatableArray<Shape> inputs) =>
            Shapes.TokenRules.NotTokens(this, layer, inputs[0]) is { } tokens ? ShapeResult.Fail(tokens) : ShapeResult.Ok(Shape.Of((int)inputs[0].Size));

        public EquatableArray<ParameterSpec> Parameters(LayerSpec layer, EquatableArray<Shape> inputs, Shape output, ActivationKind activation) => default;

        public string Describe(LayerSpec layer, EquatableArray<Shape> inputs, Shape output) => Name + " " + inputs[0] + "→" + output;

        public void EmitForward(SourceWriter writer, LayerCode code) => writer.Line(code.Inputs[0] + ".CopyTo(" + code.Output + ");");

        public void EmitBackward(SourceWriter writer, LayerCode code)
        {
            string? dx = code.InputGradients[0];
            if (dx is null) return;
            if (code.AccumulatesInputGradient(0))
                writer.Line("for (int i = 0; i < " + dx + ".Length; i++) " + dx + "[i] += " + code.OutputGradient + "[i];");
            else writer.Line(code.OutputGradient + ".CopyTo(" + dx + ");");
        }

        public void EmitGpuForward(SourceWriter writer, GpuLayerCode code) =>
            writer.Line("global::NetGen.Gpu.GpuElementwise.Copy(" + code.Device + ", " + code.Inputs[0] + ", " + code.Output + ");");

        public void EmitGpuBackward(SourceWriter writer, GpuLayerCode code)
        {
            if (code.InputGradients[0] is not { } dx) return;
            writer.Line("global::NetGen.Gpu.GpuElementwise.Copy(" + code.Device + ", " + code.OutputGradient + ", " + dx + GpuInputGradient.Accumulate(code) + ");");
        }

        /// <summary><c>[Flatten]</c> takes no arguments.</summary>
        private sealed record FlattenOptions : LayerOptions;
    }
}
