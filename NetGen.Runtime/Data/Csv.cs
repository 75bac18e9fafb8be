using System.Globalization;

namespace NetGen.Data;

/// <summary>Comma-separated numeric data: one sample per line, float features and one integer class label column.</summary>
public static class Csv
{
    /// <summary>
    /// Loads <paramref name="path"/>: every non-empty line has the same number of comma-separated fields; the field at
    /// <paramref name="labelColumn"/> (−1 = last) is a non-negative integer class label, the others are features
    /// (invariant culture). The sample shape is [fields − 1]; classes = max label + 1.
    /// </summary>
    /// <exception cref="InvalidDataException">A row is malformed; the message names the file, line and field.</exception>
    public static Dataset Load(string path, int labelColumn = -1, bool hasHeader = false)
    {
        var features = new List<float>();
        var labels = new List<int>();
        int columns = -1, label = -1, lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (hasHeader && lineNumber == 1) continue;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string[] fields = line.Split(',');
            if (columns < 0)
            {
                columns = fields.Length;
                if (columns < 2) throw Bad(path, lineNumber, $"has {columns} field; a sample needs at least one feature and a label.");
                label = labelColumn < 0 ? columns + labelColumn : labelColumn;
                if (label < 0 || label >= columns)
                    throw new ArgumentOutOfRangeException(nameof(labelColumn), labelColumn, $"'{path}' has {columns} columns; the label column must be in [-{columns}, {columns}).");
            }
            else if (fields.Length != columns)
                throw Bad(path, lineNumber, $"has {fields.Length} fields but the first row has {columns}.");
            for (int c = 0; c < columns; c++)
            {
                string field = fields[c].Trim();
                if (c == label)
                {
                    if (!int.TryParse(field, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < 0)
                        throw Bad(path, lineNumber, $"label '{field}' in column {c + 1} is not a non-negative integer.");
                    labels.Add(value);
                }
                else if (float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float x))
                    features.Add(x);
                else
                    throw Bad(path, lineNumber, $"field '{field}' in column {c + 1} is not a number.");
            }
        }
        if (labels.Count == 0) throw new InvalidDataException($"'{path}' has no data rows.");
        return new Dataset(features.ToArray(), [columns - 1], labels.ToArray(), classes: labels.Max() + 1);
    }

    private static InvalidDataException Bad(string path, int line, string problem) => new($"'{path}' line {line}: {problem}");
}
