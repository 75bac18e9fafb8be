using System.Globalization;
using System.Text;

namespace NetGen.Generator.Model
{
    /// <summary>A per-sample tensor shape (the batch dimension is implicit), outermost dimension first; any rank.</summary>
    internal sealed record Shape(EquatableArray<int> Dims)
    {
        public static Shape Of(params int[] dims) => new Shape(new EquatableArray<int>(dims));

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
}
