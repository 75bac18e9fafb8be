using NetGen.Training;

namespace NetGen.Samples;

/// <summary>Writes the loss and accuracy curves of a run to a PNG file.</summary>
internal static class CurvePlot
{
    public static void Save(string path, IReadOnlyList<EpochMetrics> epochs, string title)
    {
        var plot = new ScottPlot.Plot();
        double[] x = epochs.Select(e => (double)e.Epoch).ToArray();
        AddLine(plot, x, epochs.Select(e => (double)e.TrainLoss), "train loss", rightAxis: false);
        AddLine(plot, x, epochs.Select(e => (double)e.TestLoss), "test loss", rightAxis: false);
        AddLine(plot, x, epochs.Select(e => (double)e.TrainAccuracy), "train accuracy", rightAxis: true);
        AddLine(plot, x, epochs.Select(e => (double)e.TestAccuracy), "test accuracy", rightAxis: true);
        plot.Title(title);
        plot.XLabel("epoch");
        plot.Axes.Left.Label.Text = "loss";
        plot.Axes.Right.Label.Text = "accuracy";
        plot.ShowLegend(ScottPlot.Alignment.MiddleRight);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        plot.SavePng(path, 900, 540);
    }

    private static void AddLine(ScottPlot.Plot plot, double[] x, IEnumerable<double> values, string label, bool rightAxis)
    {
        double[] y = values.ToArray();
        if (y.All(double.IsNaN)) return;
        var line = plot.Add.Scatter(x, y);
        line.LegendText = label;
        if (rightAxis) line.Axes.YAxis = plot.Axes.Right;
    }
}
