using System.Text;
using System.Text.Json;
using NetGen.Data;

namespace NetGen.Samples.Text;

/// <summary>
/// The char-LSTM's text: by default the project's own *.md and *.cs files (copied next to the program at build, under
/// <c>data/corpus</c>, read in ordinal path order), or any UTF-8 file. Characters beyond the network's vocabulary (the
/// rarest ones, when a text has more than <see cref="MaxVocabulary"/> distinct characters) become
/// <see cref="Replacement"/>. The vocabulary travels beside each checkpoint as <c>*.vocab.json</c>.
/// </summary>
internal static class CharText
{
    /// <summary>The network's vocabulary size (its <c>TokenInput</c>).</summary>
    public const int MaxVocabulary = 128;

    /// <summary>Stands for every character outside the kept vocabulary.</summary>
    public const char Replacement = '\uFFFD';

    /// <summary>The default corpus folder next to the program.</summary>
    public static string DefaultCorpus => Path.Combine(AppContext.BaseDirectory, "data", "corpus");

    /// <summary>The text of <paramref name="file"/>, or of the default corpus when null, folded to the vocabulary.</summary>
    public static (TextCorpus Corpus, string Source) Load(string? file)
    {
        string text;
        string source;
        if (file is not null)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"--text: file '{file}' does not exist. Pass a UTF-8 text file.");
            text = File.ReadAllText(file, Encoding.UTF8);
            source = file;
        }
        else
        {
            if (!Directory.Exists(DefaultCorpus))
                throw new DirectoryNotFoundException($"The default corpus '{DefaultCorpus}' is missing (it is copied there at build); rebuild the samples or pass --text FILE.");
            var files = Directory.GetFiles(DefaultCorpus, "*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".md", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0) throw new InvalidDataException($"The default corpus '{DefaultCorpus}' holds no *.md or *.cs file; pass --text FILE.");
            text = string.Concat(files.Select(f => File.ReadAllText(f, Encoding.UTF8).Replace("\r\n", "\n") + "\n"));
            source = $"NetGen's own sources ({files.Length} *.md and *.cs files)";
        }
        return (TextCorpus.FromText(Fold(text)), source);
    }

    /// <summary>Keeps the <see cref="MaxVocabulary"/> − 1 most frequent characters (ties in ordinal order) and replaces
    /// the others with <see cref="Replacement"/>; a text with few enough characters is returned unchanged.</summary>
    public static string Fold(string text)
    {
        var counts = text.GroupBy(c => c).Select(g => (Char: g.Key, Count: g.Count())).ToList();
        if (counts.Count <= MaxVocabulary) return text;
        var kept = counts.OrderByDescending(c => c.Count).ThenBy(c => c.Char).Take(MaxVocabulary - 1).Select(c => c.Char).ToHashSet();
        return string.Create(text.Length, (text, kept), static (span, state) =>
        {
            for (int i = 0; i < span.Length; i++) span[i] = state.kept.Contains(state.text[i]) ? state.text[i] : Replacement;
        });
    }

    /// <summary>Where the vocabulary of <paramref name="checkpoint"/> is kept.</summary>
    public static string VocabularyPath(string checkpoint) => Path.ChangeExtension(checkpoint, ".vocab.json");

    public static void SaveVocabulary(string checkpoint, CharVocabulary vocabulary) =>
        File.WriteAllText(VocabularyPath(checkpoint), JsonSerializer.Serialize(vocabulary));

    public static CharVocabulary LoadVocabulary(string checkpoint)
    {
        string path = VocabularyPath(checkpoint);
        if (!File.Exists(path))
            throw new FileNotFoundException($"'{path}' does not exist: the vocabulary of '{checkpoint}' is written there by `train --model charlstm`; train first.");
        CharVocabulary? vocabulary;
        try
        {
            vocabulary = JsonSerializer.Deserialize<CharVocabulary>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a vocabulary file ({e.Message}); train again to rewrite it.");
        }
        return vocabulary is { Characters.Length: > 0 and <= MaxVocabulary } && vocabulary.Counts?.Length == vocabulary.Characters.Length
            ? vocabulary
            : throw new InvalidDataException($"'{path}' does not hold 1 to {MaxVocabulary} characters with one count each; train again to rewrite it.");
    }

    /// <summary>A character as a label: <c>\n</c>, <c>␣</c> for space, <c>\t</c>.</summary>
    public static string Label(char c) => c switch { '\n' => "\\n", ' ' => "␣", '\t' => "\\t", '\r' => "\\r", _ => c.ToString() };
}

/// <summary>A corpus's characters (token i is <c>Characters[i]</c>) and how often each occurs in it.</summary>
internal sealed record CharVocabulary(string Characters, int[] Counts)
{
    public static CharVocabulary Of(TextCorpus corpus)
    {
        var counts = new int[corpus.Vocabulary.Length];
        foreach (int token in corpus.Tokens) counts[token]++;
        return new CharVocabulary(corpus.Vocabulary, counts);
    }
}
