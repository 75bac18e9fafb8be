using System.Globalization;
using System.Text;

namespace NetGen.Generator.Model
{
    /// <summary>A per-sample tensor shape (the batch dimension is implicit), outermost dimension first; any rank.</summary>
    internal sealed record Shape(EquatableArray<int> Dims)
    {
        public static Shape Of(params int[] dims) => new Shape(new EquatableArray<int>(dims));

        /// <summary>A <c>[steps, features]</c> sequence of vectors (an embedding's or recurrent layer's output).</summary>
        public static Shape Sequence(int steps, int features) => Of(steps, features) with { Role = ShapeRole.Sequence };

        /// <summary>A <c>[length]</c> sequence of token ids in <c>[0, vocabulary)</c> (a token input).</summary>
        public static Shape Tokens(int length, int vocabulary) => Of(length) with { Role = ShapeRole.Tokens, Vocabulary = vocabulary };

        /// <summary>What the dimensions mean; <see cref="ShapeRole.Plain"/> unless a sequence layer made the shape.</summary>
        public ShapeRole Role { get; init; }

        /// <summary>Distinct token ids of a <see cref="ShapeRole.Tokens"/> shape; 0 otherwise.</summary>
        public int Vocabulary { get; init; }

        /// <summary>Time steps of a <see cref="ShapeRole.Sequence"/> or <see cref="ShapeRole.Tokens"/> shape (its first dimension).</summary>
        public int Steps => Dims[0];

        /// <summary>Features per time step of a <see cref="ShapeRole.Sequence"/> shape (its last dimension).</summary>
        public int Features => Dims[Dims.Count - 1];

        public int Rank => Dims.Count;

        /// <summary>Number of floats per sample: the product of the dimensions (a long so that overflow can be reported).</summary>
        public long Size
        {
            get
            {
                long size = 1;
                foreach (int d in Dims) size *= d;
                return size;
            }
        }

        /// <summary><c>[1,28,28]</c>.</summary>
        public override string ToString() => Format(null);

        /// <summary><c>[B,1,28,28]</c>: the shape with the batch dimension, as generated comments show it.</summary>
        public string WithBatch() => Format("B");

        /// <summary><c>(None, 1, 28, 28)</c>: the shape as a Keras summary shows it.</summary>
        public string KerasStyle()
        {
            var sb = new StringBuilder("(None");
            foreach (int d in Dims) sb.Append(", ").Append(d.ToString(CultureInfo.InvariantCulture));
            return sb.Append(')').ToString();
        }

        /// <summary>How the shape reads in messages: <c>[B,64,128] (a sequence of 64 steps)</c>.</summary>
        public string Describe() => WithBatch() + Role switch
        {
            ShapeRole.Sequence => " (a sequence of " + Steps.ToString(CultureInfo.InvariantCulture) + " steps)",
            ShapeRole.Tokens => " (" + Steps.ToString(CultureInfo.InvariantCulture) + " token ids below " + Vocabulary.ToString(CultureInfo.InvariantCulture) + ")",
            _ => "",
        };

        private string Format(string? batch)
        {
            var sb = new StringBuilder("[");
            if (batch is not null) sb.Append(batch);
            for (int i = 0; i < Dims.Count; i++)
            {
                if (i > 0 || batch is not null) sb.Append(',');
                sb.Append(Dims[i].ToString(CultureInfo.InvariantCulture));
            }
            return sb.Append(']').ToString();
        }
    }

    /// <summary>What a shape's dimensions mean, for the layers that care (sequence layers, per-step Dense and loss).</summary>
    internal enum ShapeRole
    {
        /// <summary>Plain features: a Dense layer flattens them.</summary>
        Plain,
        /// <summary><c>[T, F]</c>: F features at each of T time steps, batch outermost (<c>[B, T, F]</c> in memory).</summary>
        Sequence,
        /// <summary><c>[T]</c>: T token ids, passed as floats.</summary>
        Tokens,
    }
}
