using System.Text;

namespace NetGen.Generator.Planning
{
    /// <summary>64-bit FNV-1a over UTF-8 text: stable across runs, machines and .NET versions (unlike
    /// <c>string.GetHashCode</c>).</summary>
    internal static class ShapeSignature
    {
        private const ulong OffsetBasis = 0xCBF29CE484222325UL;
        private const ulong Prime = 0x100000001B3UL;

        public static ulong Hash(string text)
        {
            ulong hash = OffsetBasis;
            foreach (byte b in Encoding.UTF8.GetBytes(text))
            {
                hash ^= b;
                hash = unchecked(hash * Prime);
            }
            return hash;
        }
    }
}
