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

    /// <summary>A run that took longer than the caller alone would have sends the next run to the caller; stretches on
    /// the caller double while hand-offs keep losing, and time saved again brings them back to one run.</summary>
    [Fact]
    public void HandOffsThatLoseKeepTheNextRunsOnTheCaller()
    {
        WorkerPool.Adaptive = true;
        long cap = WorkerPool.BalanceCap;
        Settle();
        // The caller ran 4 of 8 chunks in 100 ticks (alone: 200) but the run took 200 + 2·cap: a loss.
        WorkerPool.Judge(8, 4, 100, 200 + 2 * cap);
        Assert.Equal(1, RunsKeptOnTheCaller());
        WorkerPool.Judge(8, 4, 100, 200 + 2 * cap);
        Assert.Equal(2, RunsKeptOnTheCaller());
        WorkerPool.Judge(8, 8, 100, 200 + 2 * cap); // the workers ran nothing and the run still took long
        Assert.Equal(4, RunsKeptOnTheCaller());
        Settle();
        WorkerPool.Judge(8, 4, 100, 200 + 2 * cap);
        Assert.Equal(1, RunsKeptOnTheCaller());

        // Gains up to the cap: the stretch is back at one run, and later losses are first paid from the balance.
        void Settle()
        {
            WorkerPool.Judge(8, 4, 4 * cap, cap);
            RunsKeptOnTheCaller();
        }
    }

    /// <summary>How many TryEnter calls in a row the pool refuses (this collection runs alone, so none is busy).</summary>
    private static int RunsKeptOnTheCaller()
    {
        int refused = 0;
        while (!WorkerPool.TryEnter()) refused++;
        WorkerPool.Exit();
        return refused;
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
                WorkerPool.Run(job, chunks, threads);
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
            var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(failing, 16, 2));
            Assert.Equal("chunk 5", e.Message);
            var job = new CountingJob(16);
            WorkerPool.Run(job, 16, 2);
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
            Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.Run(new CountingJob(1), 0, 2));
            Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.Run(new CountingJob(1), WorkerPool.MaxChunks + 1, 2));
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
