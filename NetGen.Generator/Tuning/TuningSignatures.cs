// Compiled into NetGen.Generator and, as a linked source file, into benchmarks/probe (the tuner), so that the keys the
// tuner writes are the keys the generator looks layers up by: keep it plain C# (netstandard2.0).
using System.Globalization;

namespace NetGen.Generator.Tuning
{
    /// <summary>The layer signatures of a tuning table: what an entry's first fields must equal for a layer to take it.</summary>
    internal static class TuningSignatures
    {
        /// <summary><c>Conv2D in=1x28x28 out=6 kernel=5x5 stride=1 padding=2</c>: the key a Conv2D layer is looked up by.</summary>
        public static string Conv2D(int inChannels, int height, int width, int outChannels, int kernelHeight, int kernelWidth, int stride, int padding) =>
            "Conv2D in=" + Int(inChannels) + "x" + Int(height) + "x" + Int(width) + " out=" + Int(outChannels)
            + " kernel=" + Int(kernelHeight) + "x" + Int(kernelWidth) + " stride=" + Int(stride) + " padding=" + Int(padding);

        /// <summary><c>Conv1D in=4x128 out=16 kernel=5 stride=1 padding=2</c>: the key a Conv1D layer is looked up by.</summary>
        public static string Conv1D(int inChannels, int length, int outChannels, int kernel, int stride, int padding) =>
            "Conv1D in=" + Int(inChannels) + "x" + Int(length) + " out=" + Int(outChannels) + " kernel=" + Int(kernel)
            + " stride=" + Int(stride) + " padding=" + Int(padding);

        /// <summary><c>Dense in=784 out=256</c>, and <c> steps=64</c> on a sequence (<paramref name="steps"/> &gt; 0): the key a
        /// Dense layer is looked up by.</summary>
        public static string Dense(int inputs, int outputs, int steps) =>
            "Dense in=" + Int(inputs) + " out=" + Int(outputs) + (steps > 0 ? " steps=" + Int(steps) : "");

        private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
