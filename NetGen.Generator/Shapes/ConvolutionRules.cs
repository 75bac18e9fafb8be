using System.Globalization;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Layers;
using NetGen.Generator.Model;

namespace NetGen.Generator.Shapes
{
    /// <summary>
    /// The shape rules of convolution and pooling over <c>[C, spatial…]</c> inputs, one spatial axis (Conv1D) or two
    /// (Conv2D, pooling): output length <c>⌊(n + 2·padding − kernel) / stride⌋ + 1</c> per axis, as the runtime's
    /// <c>Conv2D.OutputSize</c> computes it. Every failure is one diagnostic on the layer's attribute whose message starts
    /// with the chain of shapes from the input (<see cref="ShapeChain.Marker"/>).
    /// </summary>
    internal static class ConvolutionRules
    {
        /// <summary>Output <c>[channels, n′…]</c> of a convolution with <paramref name="kernel"/> per spatial axis.</summary>
        public static ShapeResult Convolution(ILayerKind kind, LayerSpec layer, Shape input, int channels, int[] kernel, int stride, int padding)
        {
            var setting = Setting(kind, layer, "Channels", channels, 1)
                ?? kernel.Select(k => Setting(kind, layer, kernel.Length == 1 ? "Kernel" : "Kernel size", k, 1)).FirstOrDefault(e => e is not null)
                ?? Setting(kind, layer, "Stride", stride, 1)
                ?? Setting(kind, layer, "Padding", padding, 0);
            if (setting is not null) return ShapeResult.Fail(setting);
            if (Rank(kind, layer, input, kernel.Length) is { } rank) return ShapeResult.Fail(rank);
            if (kernel.Any(k => padding >= k))
                return Fail(DiagnosticDescriptors.PaddingNotBelowKernel, layer, layer.Name, padding, Extent(kernel), (kernel.Min() - 1) / 2);
            var output = new int[kernel.Length + 1];
            output[0] = channels;
            for (int axis = 0; axis < kernel.Length; axis++)
            {
                int n = input.Dims[axis + 1];
                if (kernel[axis] > n + 2 * padding)
                    return Fail(DiagnosticDescriptors.KernelLargerThanInput, layer, layer.Name,
                        Extent(kernel.Select(k => k - 2 * padding).ToArray()), Extent(kernel), padding);
                output[axis + 1] = (n + 2 * padding - kernel[axis]) / stride + 1;
            }
            return ShapeResult.Ok(Shape.Of(output));
        }

        /// <summary>Output <c>[C, H′, W′]</c> of square pooling windows without padding.</summary>
        public static ShapeResult Pooling(ILayerKind kind, LayerSpec layer, Shape input, int window, int stride)
        {
            var setting = Setting(kind, layer, "Window", window, 1) ?? Setting(kind, layer, "Stride", stride, 1);
            if (setting is not null) return ShapeResult.Fail(setting);
            if (Rank(kind, layer, input, 2) is { } rank) return ShapeResult.Fail(rank);
            int height = input.Dims[1], width = input.Dims[2];
            if (window > height || window > width)
                return Fail(DiagnosticDescriptors.PoolWindowLargerThanInput, layer, layer.Name, Extent(new[] { window, window }), Extent(new[] { height, width }));
            return ShapeResult.Ok(Shape.Of(input.Dims[0], (height - window) / stride + 1, (width - window) / stride + 1));
        }

        /// <summary><c>5×5</c>, or <c>5</c> for one axis.</summary>
        public static string Extent(int[] sizes) => string.Join("×", sizes.Select(s => s.ToString(CultureInfo.InvariantCulture)));

        /// <summary>NG0115 when <paramref name="value"/> is below <paramref name="minimum"/>.</summary>
        private static DiagnosticInfo? Setting(ILayerKind kind, LayerSpec layer, string name, int value, int minimum) =>
            value >= minimum ? null
                : DiagnosticInfo.Create(DiagnosticDescriptors.LayerSettingOutOfRange, layer.AttributeLocation, ShapeChain.Marker, kind.Name, layer.Name,
                    name, value, minimum == 0 ? "zero or more" : "at least " + minimum.ToString(CultureInfo.InvariantCulture));

        /// <summary>NG0144 on token ids; NG0113 on a sequence or unless <paramref name="input"/> is <c>[C, spatial…]</c>
        /// with <paramref name="spatial"/> axes.</summary>
        private static DiagnosticInfo? Rank(ILayerKind kind, LayerSpec layer, Shape input, int spatial)
        {
            if (TokenRules.NotTokens(kind, layer, input) is { } tokens) return tokens;
            string expected = spatial == 1 ? "[channels, length]" : "[channels, height, width]";
            if (input.Role == ShapeRole.Sequence)
                return DiagnosticInfo.Create(DiagnosticDescriptors.WrongInputRank, layer.AttributeLocation, ShapeChain.Marker, layer.Name, kind.Name, expected,
                    input + " (a sequence of " + input.Steps.ToString(CultureInfo.InvariantCulture) + " steps)", "a sequence [steps, features] goes to Rnn/Lstm/Gru or a per-step Dense, not to convolution or pooling");
            if (input.Rank == spatial + 1) return null;
            string hint = input.Rank < spatial + 1
                ? "convolution and pooling layers come before Dense layers, and an [Input] for them declares " + expected
                : "declare the input with " + (spatial + 1).ToString(CultureInfo.InvariantCulture) + " dimensions " + expected;
            return DiagnosticInfo.Create(DiagnosticDescriptors.WrongInputRank, layer.AttributeLocation, ShapeChain.Marker, layer.Name, kind.Name, expected,
                input + " (rank " + input.Rank.ToString(CultureInfo.InvariantCulture) + ")", hint);
        }

        private static ShapeResult Fail(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, LayerSpec layer, params object[] arguments) =>
            ShapeResult.Fail(DiagnosticInfo.Create(descriptor, layer.AttributeLocation, new object[] { ShapeChain.Marker }.Concat(arguments).ToArray()));
    }
}
