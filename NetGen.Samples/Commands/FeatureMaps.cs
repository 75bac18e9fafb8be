using SkiaSharp;

namespace NetGen.Samples;

/// <summary>
/// The <c>featuremaps</c> command: runs one test image through a trained network and draws what every 2-D convolution
/// layer makes of it, one grid per layer (one tile per channel), under the input image, into one PNG.
/// </summary>
internal static class FeatureMaps
{
    private const int Margin = 12, Gap = 3, TitleHeight = 22, MaxColumns = 16, MinTile = 48;

    public static int Run(string model, string? dataDir, string? checkpoint, int index, string? output)
    {
        var (_, testSet, _) = SampleCommands.LoadData(dataDir, trainSplit: false);
        if (index < 0 || index >= testSet.Count)
            throw new ArgumentException($"--index {index} is outside the test split (0…{testSet.Count - 1}).");
        var network = SampleCommands.LoadNetwork(model, checkpoint, maxBatch: 1);
        var convolutions = network.Layers.Where(l => l.Kind == "Conv2D").ToList();
        if (convolutions.Count == 0)
            throw new ArgumentException($"--model {model}: {network.Name} has no Conv2D layer, so it has no feature maps to draw; use a ConvNet such as lenet or convnet.");

        var image = testSet.Features.Slice(index * testSet.SampleSize, testSet.SampleSize);
        var logits = network.Forward(image, 1);
        int predicted = 0;
        for (int c = 1; c < logits.Length; c++) if (logits[c] > logits[predicted]) predicted = c;

        var input = network.Layers[0];
        var sections = new List<Section> { new($"test image {index}: {ClassName(testSet.Labels[index])}, predicted {ClassName(predicted)}", input.OutputShape, input.Output.ToArray(), 1) };
        foreach (var layer in convolutions)
            sections.Add(new($"{layer.Name} · {layer.OutputShape[0]} maps of {layer.OutputShape[1]}×{layer.OutputShape[2]}", layer.OutputShape, layer.Output.ToArray(), MaxColumns));

        string path = output ?? Path.Combine("runs", model, $"featuremaps-{index}.png");
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        Draw(sections, path);
        Console.WriteLine($"feature maps of {string.Join(", ", convolutions.Select(l => l.Name))} for test image {index}: {path}");
        return 0;
    }

    /// <summary>One grid: a title and the <c>[C, H, W]</c> values to draw, <paramref name="Columns"/> tiles per row at most.</summary>
    private sealed record Section(string Title, IReadOnlyList<int> Shape, float[] Values, int Columns)
    {
        public int Channels => Shape[0];
        public int Rows => (Channels + Columns - 1) / Columns;
        public int UsedColumns => Math.Min(Channels, Columns);

        /// <summary>Pixels per value: maps of every size come out at least <see cref="MinTile"/> pixels wide.</summary>
        public int Scale => Math.Max(1, (MinTile + Shape[2] - 1) / Shape[2]) * (Channels == 1 ? 3 : 1);

        public int Width => UsedColumns * (Shape[2] * Scale + Gap);
        public int Height => TitleHeight + Rows * (Shape[1] * Scale + Gap);
    }

    private static void Draw(IReadOnlyList<Section> sections, string path)
    {
        int width = Math.Max(420, sections.Max(s => s.Width)) + 2 * Margin;
        int height = sections.Sum(s => s.Height + Margin) + Margin;
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var font = new SKFont(SKTypeface.Default, 14);
            using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            using var fill = new SKPaint();
            int top = Margin;
            foreach (var section in sections)
            {
                canvas.DrawText(section.Title, Margin, top + 15, font, text);
                DrawGrid(canvas, fill, section, Margin, top + TitleHeight);
                top += section.Height + Margin;
            }
        }
        using var stream = File.Create(path);
        bitmap.Encode(stream, SKEncodedImageFormat.Png, 100);
    }

    /// <summary>Each map scaled to its own range (dark = its minimum, bright = its maximum) on the viridis colour map;
    /// a constant map (a ReLU channel that is off everywhere) is drawn dark.</summary>
    private static void DrawGrid(SKCanvas canvas, SKPaint fill, Section section, int left, int top)
    {
        var colormap = new ScottPlot.Colormaps.Viridis();
        int h = section.Shape[1], w = section.Shape[2], s = section.Scale, plane = h * w;
        for (int c = 0; c < section.Channels; c++)
        {
            var map = section.Values.AsSpan(c * plane, plane);
            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            foreach (float v in map) { min = Math.Min(min, v); max = Math.Max(max, v); }
            float range = max > min ? max - min : 1f;
            int x0 = left + c % section.Columns * (w * s + Gap), y0 = top + c / section.Columns * (h * s + Gap);
            for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
            {
                var color = colormap.GetColor((map[i * w + j] - min) / range);
                fill.Color = new SKColor(color.Red, color.Green, color.Blue);
                canvas.DrawRect(x0 + j * s, y0 + i * s, s, s, fill);
            }
        }
    }

    private static string ClassName(int label) =>
        label >= 0 && label < ModelCatalog.FashionClasses.Length ? ModelCatalog.FashionClasses[label] : $"class {label}";
}
