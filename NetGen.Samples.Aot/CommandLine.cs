using System.Globalization;

namespace NetGen.Samples.Aot;

/// <summary>
/// The options of one verb, <c>--name value</c> pairs. Hand-written rather than System.CommandLine to keep the
/// native binary small and its start-up short; every mistake becomes an <see cref="ArgumentException"/> that says
/// which option is wrong and what it takes.
/// </summary>
internal sealed class CommandLine
{
    private readonly string _verb;
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    /// <summary>Reads <c>--name value</c> pairs; <paramref name="allowed"/> lists the names the verb knows.</summary>
    public CommandLine(string verb, ReadOnlySpan<string> args, params string[] allowed)
    {
        _verb = verb;
        for (int i = 0; i < args.Length; i += 2)
        {
            string name = args[i];
            if (Array.IndexOf(allowed, name) < 0)
                throw new ArgumentException($"{verb}: unknown option '{name}'. It takes {string.Join(", ", allowed)}.");
            if (i + 1 >= args.Length)
                throw new ArgumentException($"{verb}: option {name} needs a value.");
            if (!_values.TryAdd(name, args[i + 1]))
                throw new ArgumentException($"{verb}: option {name} is given twice.");
        }
    }

    /// <summary>The value of an option that must be present.</summary>
    public string Required(string name) =>
        _values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"{_verb}: option {name} is required.");

    /// <summary>The value of an option, or null.</summary>
    public string? Optional(string name) => _values.GetValueOrDefault(name);

    /// <summary>An integer option of at least <paramref name="min"/>, or <paramref name="fallback"/> when absent.</summary>
    public int Int(string name, int fallback, int min = 1)
    {
        if (!_values.TryGetValue(name, out var text)) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min)
            throw new ArgumentException($"{_verb}: {name} must be an integer of at least {min} (got '{text}').");
        return value;
    }

    /// <summary>An unsigned 64-bit option, or <paramref name="fallback"/> when absent.</summary>
    public ulong ULong(string name, ulong fallback)
    {
        if (!_values.TryGetValue(name, out var text)) return fallback;
        if (!ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong value))
            throw new ArgumentException($"{_verb}: {name} must be a non-negative integer (got '{text}').");
        return value;
    }

    /// <summary>A positive finite float option, or <paramref name="fallback"/> when absent.</summary>
    public float PositiveFloat(string name, float fallback)
    {
        if (!_values.TryGetValue(name, out var text)) return fallback;
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !(value > 0) || !float.IsFinite(value))
            throw new ArgumentException($"{_verb}: {name} must be a positive number (got '{text}').");
        return value;
    }
}
