using System.Text.Json;
using NetGen.Samples.Text;

namespace NetGen.Samples.Aot;

/// <summary>
/// Reads the <c>*.vocab.json</c> that <c>netgen-samples train --model charlstm</c> writes beside its checkpoint,
/// <c>{"Characters": "…", "Counts": […]}</c> (character i of the string is token i; the counts are not needed here), with <see cref="Utf8JsonReader"/>: no reflection,
/// so nothing for the trimmer or NativeAOT to warn about.
/// </summary>
internal static class CharVocabulary
{
    /// <summary>The vocabulary string: 1 to <see cref="CharLstmStep.OutputSize"/> characters, or an exception naming
    /// <paramref name="path"/> and what is wrong.</summary>
    public static string Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"--vocab: file '{path}' does not exist; pass the *.vocab.json written beside the checkpoint by `netgen-samples train --model charlstm`.", path);
        string? vocabulary = null;
        try
        {
            var reader = new Utf8JsonReader(File.ReadAllBytes(path));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw Bad(path, "is not a JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool wanted = reader.ValueTextEquals("Characters"u8);
                if (!reader.Read()) break;
                if (wanted)
                    vocabulary = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw Bad(path, "has \"Characters\" that are not a string");
                else
                    reader.Skip();
            }
        }
        catch (JsonException e)
        {
            throw Bad(path, $"is not valid JSON ({e.Message})");
        }
        return vocabulary is { Length: > 0 and <= CharLstmStep.OutputSize }
            ? vocabulary
            : throw Bad(path, $"holds no \"Characters\" string of 1 to {CharLstmStep.OutputSize} characters");
    }

    private static InvalidDataException Bad(string path, string problem) =>
        new($"--vocab: '{path}' {problem}; pass the *.vocab.json written beside the checkpoint by `netgen-samples train --model charlstm`.");
}
