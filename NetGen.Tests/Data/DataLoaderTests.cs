using NetGen.Data;

namespace NetGen.Tests.Data;

public class DataLoaderTests
{
    /// <summary>Sample i has every feature equal to i, label i % 7 and target −i.</summary>
    private static Dataset Numbered(int count, int sampleSize = 3)
    {
        var features = new float[count * sampleSize];
        for (int i = 0; i < features.Length; i++) features[i] = i / sampleSize;
        return new Dataset(features, [sampleSize], Enumerable.Range(0, count).Select(i => i % 7).ToArray(),
            Enumerable.Range(0, count).Select(i => -(float)i).ToArray(), classes: 7);
    }

    private static List<int[]> Order(DataLoader loader, int epoch)
    {
        var batches = new List<int[]>();
        foreach (var batch in loader.Epoch(epoch))
        {
            var ids = new int[batch.Size];
            for (int s = 0; s < batch.Size; s++)
            {
                int id = (int)batch.Inputs[s * 3];
                Assert.Equal(id, batch.Inputs[s * 3 + 2]);
                Assert.Equal(id % 7, batch.Labels[s]);
                Assert.Equal(-id, batch.Targets[s]);
                ids[s] = id;
            }
            Assert.Equal(3 * batch.Size, batch.Inputs.Length);
            batches.Add(ids);
        }
        return batches;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryEpochVisitsEverySampleOnceInASeedDeterminedOrder(bool prefetch)
    {
        using var loader = new DataLoader(Numbered(23), batchSize: 5, seed: 11, prefetch: prefetch);
        Assert.Equal(5, loader.BatchesPerEpoch);
        var epoch0 = Order(loader, 0);
        Assert.Equal([5, 5, 5, 5, 3], epoch0.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 23), epoch0.SelectMany(b => b).Order());
        Assert.NotEqual(Enumerable.Range(0, 23), epoch0.SelectMany(b => b));
        var epoch1 = Order(loader, 1);
        Assert.NotEqual(epoch0.SelectMany(b => b), epoch1.SelectMany(b => b));
        Assert.Equal(epoch0, Order(loader, 0));

        using var other = new DataLoader(Numbered(23), batchSize: 5, seed: 11, prefetch: !prefetch);
        Assert.Equal(epoch1, Order(other, 1));
        using var reseeded = new DataLoader(Numbered(23), batchSize: 5, seed: 12, prefetch: prefetch);
        Assert.NotEqual(epoch1.SelectMany(b => b), Order(reseeded, 1).SelectMany(b => b));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ResumingMidEpochGivesTheRemainingBatches(bool prefetch)
    {
        using var loader = new DataLoader(Numbered(23), batchSize: 5, seed: 4, prefetch: prefetch, maxShift: 0);
        var full = Order(loader, 2);
        var rest = new List<int>();
        foreach (var batch in loader.Epoch(2, firstBatch: 3))
            for (int s = 0; s < batch.Size; s++) rest.Add((int)batch.Inputs[s * 3]);
        Assert.Equal(full.Skip(3).SelectMany(b => b), rest);
        foreach (var batch in loader.Epoch(2, firstBatch: 5)) Assert.Fail("an epoch resumed at its end has no batch");
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.Epoch(0, firstBatch: 6));
    }

    [Fact]
    public void WithoutShuffleOrderIsSequentialAndDropLastSkipsThePartialBatch()
    {
        using var loader = new DataLoader(Numbered(23), batchSize: 5, shuffle: false, dropLast: true);
        Assert.Equal(4, loader.BatchesPerEpoch);
        Assert.Equal(Enumerable.Range(0, 20), Order(loader, 3).SelectMany(b => b));
    }

    [Fact]
    public void BreakingOffAnEpochReleasesTheLoaderAndOverlappingEpochsAreRefused()
    {
        using var loader = new DataLoader(Numbered(40), batchSize: 4, seed: 3);
        int seen = 0;
        foreach (var batch in loader.Epoch(0))
        {
            if (++seen == 2) break;
        }
        Assert.Equal(Order(loader, 0).Skip(2).First(), Order(loader, 0)[2]);
        var e = loader.Epoch(1).GetEnumerator();
        try
        {
            Assert.True(e.MoveNext());
            Assert.Throws<InvalidOperationException>(() => loader.Epoch(2).GetEnumerator());
        }
        finally { e.Dispose(); }
        Assert.Equal(10, Order(loader, 2).Count);
    }

    [Fact]
    public void NormalisesInputs()
    {
        // 21 floats per batch: the vector body and the scalar tail.
        var raw = Enumerable.Range(0, 21).Select(i => 2f * i).ToArray();
        using var loader = new DataLoader(new Dataset(raw, [7]), batchSize: 3, shuffle: false, mean: 4f, std: 2f);
        foreach (var batch in loader.Epoch(0)) Assert.Equal(raw.Select(x => (x - 4f) / 2f), batch.Inputs.ToArray());
    }

    [Fact]
    public void ShiftsImagesByAtMostMaxShiftWithZeroFill()
    {
        // 6 two-channel 5×5 images whose pixels are all distinct and non-zero, so a shifted copy identifies its offset.
        const int c = 2, h = 5, w = 5, n = 6;
        var features = new float[n * c * h * w];
        for (int i = 0; i < features.Length; i++) features[i] = i + 1;
        var data = new Dataset(features, [c, h, w]);
        using var loader = new DataLoader(data, batchSize: 4, shuffle: false, seed: 5, maxShift: 2);
        var offsets = new HashSet<(int, int)>();
        foreach (var batch in loader.Epoch(0))
            for (int s = 0; s < batch.Size; s++)
            {
                var image = batch.Inputs.Slice(s * c * h * w, c * h * w).ToArray();
                var source = data.Features.Slice(((int)image.First(x => x != 0) - 1) / (c * h * w) * c * h * w, c * h * w).ToArray();
                var match = Enumerable.Range(-2, 5).SelectMany(dy => Enumerable.Range(-2, 5).Select(dx => (dx, dy)))
                    .Where(o => Enumerable.Range(0, c * h * w).All(p =>
                    {
                        int ch = p / (h * w), y = p / w % h - o.dy, x = p % w - o.dx;
                        return image[p] == (y < 0 || y >= h || x < 0 || x >= w ? 0 : source[(ch * h + y) * w + x]);
                    })).ToList();
                Assert.Single(match);
                offsets.Add(match[0]);
            }
        Assert.True(offsets.Count > 1, "every image got the same shift");
        Assert.Throws<ArgumentException>(() => new DataLoader(Numbered(4), 2, maxShift: 1));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SteadyStateBatchesAllocateNothing(bool prefetch)
    {
        var data = new Dataset(new float[64 * 28 * 28], [1, 28, 28], new int[64], classes: 10);
        using var loader = new DataLoader(data, batchSize: 8, seed: 1, prefetch: prefetch, maxShift: 2, mean: 0.5f, std: 0.25f);
        float sum = 0;
        foreach (var batch in loader.Epoch(0)) sum += batch.Inputs[0];
        // Epochs 1–3, one per window: the fewest bytes of the three (a one-time runtime allocation seen under load lands
        // in one window; an allocation per batch lands in all).
        int epoch = 1;
        long bytes = NetGen.Tests.Networks.Allocations.FewestBytes(() =>
        {
            foreach (var batch in loader.Epoch(epoch++)) sum += batch.Inputs[0] + batch.Labels[0];
        }, calls: 1);
        Assert.Equal(0, bytes);
        Assert.Equal(4 * 8 * -2f, sum);
    }

    [Fact]
    public void SequenceDatasetsBatchAllLabelsOfASample()
    {
        var seq = TextCorpus.FromText("abcdefghij").ToSequences(length: 3, stride: 2);
        using var loader = new DataLoader(seq, batchSize: 2, shuffle: false);
        foreach (var batch in loader.Epoch(0))
        {
            Assert.Equal(3 * batch.Size, batch.Labels.Length);
            for (int i = 0; i < batch.Labels.Length; i++) Assert.Equal(batch.Inputs[i] + 1, batch.Labels[i]);
        }
    }
}
