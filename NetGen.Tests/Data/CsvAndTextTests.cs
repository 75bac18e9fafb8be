using NetGen.Data;

namespace NetGen.Tests.Data;

public class CsvAndTextTests
{
    [Fact]
    public void CsvReadsFeaturesAndLabelFromAnyColumn()
    {
        using var dir = new TempDirectory();
        string last = dir.File("last.csv"), first = dir.File("first.csv");
        File.WriteAllText(last, "0.5,1e-1,2\n-3, 4 ,0\n\n");
        File.WriteAllText(first, "label,a,b\n1,0.5,0.1\n0,-3,4\n");
        var a = Csv.Load(last);
        var b = Csv.Load(first, labelColumn: 0, hasHeader: true);
        Assert.Equal([0.5f, 0.1f, -3f, 4f], a.Features.ToArray());
        Assert.Equal([2, 0], a.Labels.ToArray());
        Assert.Equal(3, a.Classes);
        Assert.Equal([2], a.SampleShape);
        Assert.Equal(a.Features.ToArray(), b.Features.ToArray());
        Assert.Equal([1, 0], b.Labels.ToArray());
    }

    [Theory]
    [InlineData("1,2,0\n1,2\n", "line 2: has 2 fields but the first row has 3")]
    [InlineData("1,x,0\n", "line 1: field 'x' in column 2 is not a number")]
    [InlineData("1,2,0.5\n", "line 1: label '0.5' in column 3 is not a non-negative integer")]
    [InlineData("1,2,-1\n", "label '-1'")]
    [InlineData("\n\n", "has no data rows")]
    [InlineData("7\n", "line 1: has 1 field")]
    public void BadCsvThrowsNamingFileAndLine(string content, string problem)
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.csv");
        File.WriteAllText(path, content);
        var ex = Assert.Throws<InvalidDataException>(() => Csv.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void CorpusEncodesDecodesAndMakesNextTokenSequences()
    {
        var corpus = TextCorpus.FromText("hello world");
        Assert.Equal(" dehlorw", corpus.Vocabulary);
        Assert.Equal("hello world", new string(corpus.Tokens.Select(corpus.Decode).ToArray()));
        Assert.Equal(3, corpus.Encode('h'));
        Assert.Throws<ArgumentException>(() => corpus.Encode('z'));

        var seq = corpus.ToSequences(length: 4, stride: 3); // windows at 0, 3, 6 (6 + 4 + 1 = 11 tokens)
        Assert.Equal(3, seq.Count);
        Assert.Equal([4], seq.SampleShape);
        Assert.Equal(4, seq.LabelSize);
        Assert.Equal(8, seq.Classes);
        string Text(IEnumerable<int> tokens) => new(tokens.Select(corpus.Decode).ToArray());
        Assert.Equal("lo w", Text(seq.Features.Slice(4, 4).ToArray().Select(x => (int)x)));
        Assert.Equal("o wo", Text(seq.Labels.Slice(4, 4).ToArray()));
        Assert.Equal("orld", Text(seq.Labels.Slice(8, 4).ToArray()));
    }

    [Fact]
    public void EmptyCorpusFileThrowsNamingIt()
    {
        using var dir = new TempDirectory();
        string path = dir.File("empty.txt");
        File.WriteAllText(path, "");
        var ex = Assert.Throws<InvalidDataException>(() => TextCorpus.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("0 characters", ex.Message);
    }

    [Fact]
    public void DatasetValidatesAndSlicesWithoutCopying()
    {
        var features = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        var data = new Dataset(features, [2, 2], [0, 1, 2], [1f, 2f, 3f], classes: 3);
        Assert.Equal(3, data.Count);
        Assert.Equal(1, data.TargetSize);
        var slice = data.Slice(1, 2);
        Assert.Equal(2, slice.Count);
        Assert.Equal([1, 2], slice.Labels.ToArray());
        Assert.Equal([2f, 3f], slice.Targets.ToArray());
        features[4] = 99;
        Assert.Equal(99f, slice.Features[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Slice(2, 2));
        Assert.Contains("outside [0, 3)", Assert.Throws<ArgumentException>(() => new Dataset(features, [2, 2], [0, 3, 1], classes: 3)).Message);
        Assert.Contains("do not divide evenly", Assert.Throws<ArgumentException>(() => new Dataset(features, [2, 2], [0, 1])).Message);
        Assert.Contains("whole, non-zero number", Assert.Throws<ArgumentException>(() => new Dataset(features, [5])).Message);
    }
}
