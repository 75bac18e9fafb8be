using System.Globalization;
using System.Text;

namespace NetGen.Generator.Emit
{
    /// <summary>C# literals written the same way on every machine (invariant culture).</summary>
    internal static class Literals
    {
        public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>A round-trip <c>float</c> literal: <c>1f</c>, <c>0.5f</c>, <c>-0.25f</c>.</summary>
        public static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

        public static string ULongHex(ulong value) => "0x" + value.ToString("X16", CultureInfo.InvariantCulture) + "UL";

        /// <summary>A regular string literal with quotes, backslashes and control characters escaped.</summary>
        public static string String(string value)
        {
            var sb = new StringBuilder("\"");
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (char.IsControl(c)) sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            return sb.Append('"').ToString();
        }
    }
}
