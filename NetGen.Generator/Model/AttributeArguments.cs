namespace NetGen.Generator.Model
{
    /// <summary>
    /// An attribute's arguments with every Roslyn type stripped: <c>int</c>, <c>bool</c>, <c>string</c>, enums as
    /// their underlying <c>int</c>, arrays (including <c>params</c>) as <see cref="EquatableArray{T}"/> of those.
    /// Layer kinds read their options from this, so that they never see <c>AttributeData</c>.
    /// </summary>
    internal sealed record AttributeArguments(EquatableArray<object?> Positional, EquatableArray<NamedArgument> Named)
    {
        /// <summary>The positional argument at <paramref name="index"/> as an int, or null when absent or of another type.</summary>
        public int? Int(int index) => index < Positional.Count && Positional[index] is int value ? value : null;

        /// <summary>The positional array argument at <paramref name="index"/> (a <c>params int[]</c>), or null.</summary>
        public int[]? Ints(int index)
        {
            if (index >= Positional.Count || Positional[index] is not EquatableArray<object?> items) return null;
            var result = new int[items.Count];
            for (int i = 0; i < result.Length; i++)
            {
                if (items[i] is not int value) return null;
                result[i] = value;
            }
            return result;
        }

        /// <summary>The named argument <paramref name="name"/> when it was written and has type <typeparamref name="T"/>;
        /// otherwise <paramref name="fallback"/>.</summary>
        public T Get<T>(string name, T fallback)
        {
            foreach (var argument in Named)
                if (argument.Name == name && argument.Value is T value) return value;
            return fallback;
        }
    }

    /// <summary>One <c>Name = value</c> argument.</summary>
    internal sealed record NamedArgument(string Name, object? Value);
}
