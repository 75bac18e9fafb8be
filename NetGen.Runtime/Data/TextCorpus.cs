using System.Text;

namespace NetGen.Data;

/// <summary>A character-level corpus: the text as token ids over a vocabulary of its distinct characters (ordinal order).</summary>
public sealed class TextCorpus
{
    private readonly Dictionary<char, int> _index;

    private TextCorpus(string text, string source)
    {
        if (text.Length < 2) throw new InvalidDataException($"{source} has {text.Length} characters; a corpus needs at least 2 to predict a next character.");
        var chars = text.Distinct().Order().ToArray();
        Vocabulary = new string(chars);
        _index = chars.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        Tokens = text.Select(c => _index[c]).ToArray();
    }

    /// <summary>Builds the corpus from <paramref name="text"/>.</summary>
    /// <exception cref="InvalidDataException">The text has fewer than 2 characters.</exception>
    public static TextCorpus FromText(string text) => new(text, "The text");

    /// <summary>Reads <paramref name="path"/> as UTF-8.</summary>
    /// <exception cref="InvalidDataException">The file has fewer than 2 characters.</exception>
    public static TextCorpus Load(string path) => new(File.ReadAllText(path, Encoding.UTF8), $"'{path}'");

    /// <summary>The distinct characters, in ordinal order; token i is <c>Vocabulary[i]</c>.</summary>
    public string Vocabulary { get; }

    /// <summary>The whole text as token ids.</summary>
    public int[] Tokens { get; }

    /// <summary>The token of <paramref name="c"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="c"/> is not in the vocabulary.</exception>
    public int Encode(char c) => _index.TryGetValue(c, out int token)
        ? token
        : throw new ArgumentException($"Character '{c}' (U+{(int)c:X4}) is not in the corpus vocabulary.", nameof(c));

    /// <summary>The character of <paramref name="token"/>.</summary>
    public char Decode(int token) => (uint)token < (uint)Vocabulary.Length
        ? Vocabulary[token]
        : throw new ArgumentOutOfRangeException(nameof(token), token, $"Tokens are in [0, {Vocabulary.Length}).");

    /// <summary>
    /// Windows of <paramref name="length"/> tokens starting every <paramref name="stride"/> tokens: features are the token
    /// ids as floats (sample shape [length]); labels are the next tokens, <paramref name="length"/> per sample
    /// (<c>labels[s·length + t] = Tokens[start + t + 1]</c>); classes = vocabulary size. No targets.
    /// </summary>
    public Dataset ToSequences(int length, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        if (Tokens.Length < length + 1)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"The corpus has {Tokens.Length} tokens, too few for one sequence of {length} plus its next token.");
        int count = (Tokens.Length - 1 - length) / stride + 1;
        var features = new float[count * length];
        var labels = new int[count * length];
        for (int s = 0; s < count; s++)
            for (int t = 0; t < length; t++)
            {
                features[s * length + t] = Tokens[s * stride + t];
                labels[s * length + t] = Tokens[s * stride + t + 1];
            }
        return new Dataset(features, [length], labels, classes: Vocabulary.Length);
    }
}
