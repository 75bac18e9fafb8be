using System.Text;
using NetGen.Training;

namespace NetGen.Samples.Text;

/// <summary>
/// Text sampling from trained <see cref="CharLstm"/> weights. Shared by <c>netgen-samples generate</c> and the NativeAOT
/// sample (<c>netgen-aot generate</c>, which links this file), so both print the same text for the same arguments.
/// </summary>
internal static class CharSampler
{
    /// <summary>
    /// <paramref name="prompt"/> followed by <paramref name="length"/> sampled characters: the trained weights run one
    /// character per call in <see cref="CharLstmStep"/>, whose LSTM carries its state, each next character drawn from
    /// softmax(logits / <paramref name="temperature"/>) over the vocabulary.
    /// </summary>
    public static string Sample(ReadOnlySpan<float> parameters, string vocabulary, string prompt, int length, float temperature, ulong seed)
    {
        var step = new CharLstmStep(1);
        parameters.CopyTo(step.Parameters);
        var index = vocabulary.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        string start = prompt.Length > 0 ? prompt : vocabulary.Contains('\n') ? "\n" : vocabulary[..1];
        var text = new StringBuilder(prompt);
        var token = new float[1];
        var probabilities = new float[vocabulary.Length];
        ReadOnlySpan<float> logits = default;
        foreach (char c in start)
        {
            token[0] = index.TryGetValue(c, out int id) ? id
                : throw new ArgumentException($"--prompt: character '{c}' (U+{(int)c:X4}) is not in the model's vocabulary of {vocabulary.Length} characters.");
            logits = step.Forward(token, 1);
        }
        var rng = new Rng(seed);
        for (int n = 0; n < length; n++)
        {
            for (int v = 0; v < probabilities.Length; v++) probabilities[v] = logits[v] / temperature;
            Metrics.Softmax(probabilities, probabilities);
            float r = rng.NextFloat(), sum = 0;
            int next = probabilities.Length - 1;
            for (int v = 0; v < probabilities.Length; v++)
                if ((sum += probabilities[v]) > r) { next = v; break; }
            text.Append(vocabulary[next]);
            token[0] = next;
            logits = step.Forward(token, 1);
        }
        return text.ToString();
    }
}
