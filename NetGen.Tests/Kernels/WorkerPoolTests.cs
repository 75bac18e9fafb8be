using NetGen.Kernels.GemmCore;

namespace NetGen.Tests.Kernels;

/// <summary>The worker pool's contract: every chunk of a run runs exactly once, on at most the threads asked for, the
/// run returns only when all are done, and a chunk's exception reaches the caller. Uses the process-wide pool, so it
/// runs with the other threading tests, alone.</summary>
[Collection(nameof(ThreadingTests))]
public class WorkerPoolTests : IDisposable
{
    public WorkerPoolTests() => WorkerPool.Adaptive = false;

    public void Dispose() => WorkerPool.Adaptive = true;

    /// <summary>A kind of call runs alone once and split once, then the faster way (split only when at least 10% faster),
    /// with every ExploreEvery-th run the other way; a record slot taken over by a new kind starts afresh.</summary>
    [Fact]
    public void RecordsSplitOnlyWhileSplittingIsClearlyFaster()
    {
        var record = new HandOffRecord();
        Assert.False(record.NextSplits());
        record.Book(false, 1000, 10);
        // Then two split runs: the first wakes a sleeping worker and is not booked, the second is.
        Assert.True(record.NextSplits());
        record.Book(true, 99_999, 10);
        Assert.Equal(0, record.Split);
        Assert.True(record.NextSplits());
        record.Book(true, 600, 10);
        Assert.Equal(60, record.Split);
        var splits = Enumerable.Range(0, 2 * WorkerPool.ExploreEvery).Select(_ => record.NextSplits()).ToList();
        Assert.Equal(2 * WorkerPool.ExploreEvery - 2, splits.Count(x => x));
        // Splitting turns slower (the other core is taken): after a few runs the kind stays on the caller, trying two
        // split runs every ExploreEvery runs.
        for (int i = 0; i < 8; i++) record.Book(true, 1500, 10);
        splits = Enumerable.Range(0, 2 * WorkerPool.ExploreEvery).Select(_ => record.NextSplits()).ToList();
        Assert.Equal(4, splits.Count(x => x));
        // Only 5% faster split: not worth a hand-off.
        var close = new HandOffRecord();
        close.NextSplits();
        close.Book(false, 1000, 10);
        close.NextSplits();
        close.Book(true, 100, 10);
        close.NextSplits();
        close.Book(true, 950, 10);
        Assert.False(close.NextSplits());

        var records = new HandOffRecords();
        var first = records.Of(7);
        first.Book(false, 100, 1);
        Assert.Same(first, records.Of(7));
        for (int k = 0; k < HandOffRecords.Kinds; k++) records.Of(100 + k);
        Assert.Equal(0, records.Of(7).Alone);
    }

    /// <summary>A network's steps run two alone, two split, then whichever way was faster (split only when at least
    /// 10% faster), two the other way every ExploreEvery steps; a step that runs the other way from the one before is
    /// not timed (it pays for the switch). Inside a step kept alone every kernel sees one thread, and after it the
    /// thread's kernels may split again; with one thread allowed, or inside another step, a step is left alone.</summary>
    [Fact]
    public void StepThreadsKeepAWholeStepOnItsThreadWhileThatIsFaster()
    {
        int saved = NetGen.Kernels.Threading.MaxThreads;
        WorkerPool.Adaptive = true;
        try
        {
            NetGen.Kernels.Threading.MaxThreads = 2;
            var steps = new NetGen.Kernels.StepThreads();
            var first = steps.Begin();
            Assert.Equal(1, NetGen.Kernels.Threading.Available);
            var nested = steps.Begin();
            steps.End(nested);
            Assert.Equal(1, NetGen.Kernels.Threading.Available); // the inner step did not end the outer one's
            steps.End(first);
            Assert.Equal(2, NetGen.Kernels.Threading.Available);
            Assert.Equal((0, 0), steps.Figures); // the first step is not timed
            steps.End(steps.Begin());
            Assert.True(steps.Figures.Alone > 0 && steps.Figures.Split == 0);
            var split = steps.Begin();
            Assert.Equal(2, NetGen.Kernels.Threading.Available);
            steps.End(split);
            Assert.Equal(0, steps.Figures.Split); // the switch is not timed
            steps.End(steps.Begin());
            Assert.True(steps.Figures.Split > 0);

            NetGen.Kernels.Threading.MaxThreads = 1;
            var single = steps.Begin();
            Assert.Equal(1, NetGen.Kernels.Threading.Available);
            steps.End(single);
            Assert.Equal(1, NetGen.Kernels.Threading.Available);
        }
        finally
        {
            NetGen.Kernels.Threading.MaxThreads = saved;
            WorkerPool.Adaptive = false;
        }
    }

    /// <summary>After two steps alone and two split the faster way wins (split only when at least 10% faster), with two steps
    /// the other way every ExploreEvery steps; a slower turn of the figures turns the choice.</summary>
    [Fact]
    public void StepThreadsChooseTheFasterWay()
    {
        var steps = new NetGen.Kernels.StepThreads();
        Assert.False(steps.NextSplits());
        Assert.False(steps.NextSplits());
        steps.Book(false, 1000);
        Assert.True(steps.NextSplits());
        Assert.True(steps.NextSplits());
        steps.Book(true, 800);
        var choices = Enumerable.Range(0, 2 * NetGen.Kernels.StepThreads.ExploreEvery).Select(_ => steps.NextSplits()).ToList();
        Assert.Equal(2 * NetGen.Kernels.StepThreads.ExploreEvery - 4, choices.Count(x => x));
        for (int i = 0; i < 8; i++) steps.Book(true, 950); // now less than 10% faster than alone: stay alone
        choices = Enumerable.Range(0, 2 * NetGen.Kernels.StepThreads.ExploreEvery).Select(_ => steps.NextSplits()).ToList();
        Assert.Equal(4, choices.Count(x => x));
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(7, 2)]
    [InlineData(64, 2)]
    [InlineData(33, 3)]
    [InlineData(WorkerPool.MaxChunks, 2)]
    public void EveryChunkRunsOnceAndTheRunWaitsForAll(int chunks, int threads)
    {
        var job = new CountingJob(chunks);
        for (int run = 0; run < 200; run++)
        {
            Assert.True(WorkerPool.TryEnter());
            try
            {
                WorkerPool.Run(job, chunks, threads, chunks, new HandOffRecord());
            }
            finally
            {
                WorkerPool.Exit();
            }
            for (int c = 0; c < chunks; c++) Assert.Equal(run + 1, Volatile.Read(ref job.Runs[c]));
            Assert.InRange(job.Threads.Count, 1, threads);
        }
    }

    [Fact]
    public void AChunksExceptionReachesTheCallerAndThePoolStaysUsable()
    {
        var failing = new FailingJob();
        Assert.True(WorkerPool.TryEnter());
        try
        {
            var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(failing, 16, 2, 16, new HandOffRecord()));
            Assert.Equal("chunk 5", e.Message);
            var job = new CountingJob(16);
            WorkerPool.Run(job, 16, 2, 16, new HandOffRecord());
            Assert.All(job.Runs, r => Assert.Equal(1, r));
        }
        finally
        {
            WorkerPool.Exit();
        }
    }

    [Fact]
    public void ChunkCountOutsideTheRangeIsRejected()
    {
        Assert.True(WorkerPool.TryEnter());
        try
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.Run(new CountingJob(1), 0, 2, 1, new HandOffRecord()));
            Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.Run(new CountingJob(1), WorkerPool.MaxChunks + 1, 2, 1, new HandOffRecord()));
        }
        finally
        {
            WorkerPool.Exit();
        }
    }

    private sealed class CountingJob(int chunks) : ParallelJob
    {
        public readonly int[] Runs = new int[chunks];
        public readonly HashSet<int> Threads = [];

        public override void RunPart(int chunk)
        {
            // A little work, so that a woken worker has a chance to claim some chunks.
            Thread.SpinWait(200);
            Interlocked.Increment(ref Runs[chunk]);
            lock (Threads) Threads.Add(Environment.CurrentManagedThreadId);
        }
    }

    private sealed class FailingJob : ParallelJob
    {
        public override void RunPart(int chunk)
        {
            Thread.SpinWait(200);
            if (chunk == 5) throw new InvalidOperationException($"chunk {chunk}");
        }
    }
}
