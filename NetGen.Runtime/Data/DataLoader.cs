using System.Numerics;
using System.Runtime.ExceptionServices;

namespace NetGen.Data;

/// <summary>
/// Serves a <see cref="Dataset"/> in mini-batches: shuffled per epoch, optionally augmented by random shifts and
/// normalised as (x − mean)/std, prepared on a background thread one batch ahead of the consumer.
/// The order and the shifts of an epoch depend only on (seed, epoch), so a resumed run sees the same batches.
/// Batches are built into buffers allocated at construction: no allocation per batch.
/// </summary>
/// <remarks>
/// Enumerate one epoch at a time with <c>foreach (var batch in loader.Epoch(e))</c>. A <see cref="Batch"/> is a
/// <c>ref struct</c> whose spans point into the loader's buffers: they are valid until the next batch is requested,
/// so copy what must outlive the loop body. Not thread-safe: one consumer.
/// </remarks>
public sealed class DataLoader : IDisposable
{
    private readonly Dataset _data;
    private readonly int[] _order;
    private readonly BatchBuffer[] _buffers;
    private readonly ulong _seed;
    private readonly bool _shuffle;
    private readonly int _maxShift, _channels, _height, _width;
    private readonly float _mean, _invStd;
    private readonly Thread? _worker;
    private readonly SemaphoreSlim _request = new(0), _ready = new(0);
    private int _epoch, _requestedBatch, _requestedBuffer;
    private volatile bool _stopping;
    private bool _busy, _disposed;
    private Exception? _error;

    /// <summary>Creates the loader and its buffers.</summary>
    /// <param name="data">The samples.</param>
    /// <param name="batchSize">Samples per batch (the last one may be smaller unless <paramref name="dropLast"/>).</param>
    /// <param name="shuffle">Visit the samples in a new random order each epoch.</param>
    /// <param name="seed">Seed of the order and the shifts.</param>
    /// <param name="dropLast">Skip a final batch smaller than <paramref name="batchSize"/>.</param>
    /// <param name="prefetch">Build the next batch on a background thread while the current one is used.</param>
    /// <param name="maxShift">Shift each 2-D [H, W] or 3-D [C, H, W] sample by a random offset of up to this many pixels in
    /// each direction, filling with zeros (before normalisation).</param>
    /// <param name="mean">Subtracted from every input.</param>
    /// <param name="std">Divides every input after the subtraction.</param>
    public DataLoader(Dataset data, int batchSize, bool shuffle = true, ulong seed = 0, bool dropLast = false, bool prefetch = true,
        int maxShift = 0, float mean = 0f, float std = 1f)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(maxShift);
        if (!(std > 0) || !float.IsFinite(std)) throw new ArgumentOutOfRangeException(nameof(std), std, "std must be positive and finite.");
        if (!float.IsFinite(mean)) throw new ArgumentOutOfRangeException(nameof(mean), mean, "mean must be finite.");
        int[] shape = data.SampleShape;
        if (maxShift > 0 && shape.Length is not (2 or 3))
            throw new ArgumentException($"Shift augmentation needs [H, W] or [C, H, W] samples, but the samples are [{string.Join(", ", shape)}]; use maxShift: 0.", nameof(maxShift));
        (_channels, _height, _width) = shape.Length switch { 2 => (1, shape[0], shape[1]), 3 => (shape[0], shape[1], shape[2]), _ => (0, 0, 0) };
        _data = data;
        BatchSize = batchSize;
        BatchesPerEpoch = dropLast ? data.Count / batchSize : (data.Count + batchSize - 1) / batchSize;
        _shuffle = shuffle;
        _seed = seed;
        _maxShift = maxShift;
        _mean = mean;
        _invStd = 1f / std;
        _order = new int[data.Count];
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        _buffers = new BatchBuffer[prefetch ? 2 : 1];
        for (int b = 0; b < _buffers.Length; b++) _buffers[b] = new BatchBuffer(batchSize, data);
        if (prefetch)
        {
            _worker = new Thread(Work) { IsBackground = true, Name = "NetGen.DataLoader" };
            _worker.Start();
        }
    }

    /// <summary>The data set served.</summary>
    public Dataset Data => _data;

    /// <summary>Samples per full batch.</summary>
    public int BatchSize { get; }

    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>The batches of epoch <paramref name="epoch"/>, for <c>foreach</c>, starting at batch <paramref name="firstBatch"/>
    /// (to resume mid-epoch). Their content depends only on the seed, <paramref name="epoch"/> and the batch index.
    /// Only one epoch may be enumerated at a time.</summary>
    public BatchEnumerable Epoch(int epoch, int firstBatch = 0)
    {
        if ((uint)firstBatch > (uint)BatchesPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(firstBatch), firstBatch, $"An epoch has {BatchesPerEpoch} batches.");
        return new(this, epoch, firstBatch);
    }

    /// <summary>Stops the background thread.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_worker != null)
        {
            _stopping = true;
            _request.Release();
            _worker.Join();
        }
        _request.Dispose();
        _ready.Dispose();
    }

    internal Batch Current(int buffer) => _buffers[buffer].AsBatch();

    internal bool Prefetches => _worker != null;

    internal void Begin(int epoch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_busy) throw new InvalidOperationException("Another epoch of this DataLoader is still being enumerated; finish or dispose that foreach first.");
        _busy = true;
        _epoch = epoch;
        if (!_shuffle) return;
        // Fisher–Yates from the identity, so the order depends on (seed, epoch) only, not on earlier epochs.
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        var rng = new Rng(StreamSeed(epoch, -1));
        for (int i = _order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
    }

    internal void End() => _busy = false;

    /// <summary>Asks the worker to build <paramref name="batch"/> into buffer <paramref name="buffer"/>.</summary>
    internal void Request(int batch, int buffer)
    {
        _requestedBatch = batch;
        _requestedBuffer = buffer;
        _request.Release();
    }

    /// <summary>Waits for the requested batch; rethrows what the worker threw while building it.</summary>
    internal void WaitReady()
    {
        _ready.Wait();
        if (_error is { } error)
        {
            _error = null;
            ExceptionDispatchInfo.Throw(error);
        }
    }

    private void Work()
    {
        while (true)
        {
            _request.Wait();
            if (_stopping) return;
            try { Fill(_requestedBatch, _requestedBuffer); }
            catch (Exception e) { _error = e; }
            _ready.Release();
        }
    }

    /// <summary>Builds batch <paramref name="batch"/> of the current epoch into buffer <paramref name="buffer"/>.</summary>
    internal void Fill(int batch, int buffer)
    {
        var b = _buffers[buffer];
        int start = batch * BatchSize;
        b.Size = Math.Min(BatchSize, _data.Count - start);
        int sampleSize = _data.SampleSize, labelSize = _data.LabelSize, targetSize = _data.TargetSize;
        var features = _data.Features;
        var rng = new Rng(StreamSeed(_epoch, batch));
        for (int s = 0; s < b.Size; s++)
        {
            int index = _order[start + s];
            var source = features.Slice(index * sampleSize, sampleSize);
            var target = b.Inputs.AsSpan(s * sampleSize, sampleSize);
            if (_maxShift > 0) Shift(source, target, rng.NextInt(2 * _maxShift + 1) - _maxShift, rng.NextInt(2 * _maxShift + 1) - _maxShift);
            else source.CopyTo(target);
            _data.Labels.Slice(index * labelSize, labelSize).CopyTo(b.Labels.AsSpan(s * labelSize));
            _data.Targets.Slice(index * targetSize, targetSize).CopyTo(b.Targets.AsSpan(s * targetSize));
        }
        if (_mean != 0 || _invStd != 1) Normalise(b.Inputs.AsSpan(0, b.Size * sampleSize));
    }

    /// <summary>x ← (x − mean) / std over the batch.</summary>
    private void Normalise(Span<float> x)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (Vector<float> mean = new(_mean), scale = new(_invStd); i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
                ((new Vector<float>(x[i..]) - mean) * scale).CopyTo(x[i..]);
        for (; i < x.Length; i++) x[i] = (x[i] - _mean) * _invStd;
    }

    /// <summary>target[c, y, x] = source[c, y − dy, x − dx], zero where that falls outside the image.</summary>
    private void Shift(ReadOnlySpan<float> source, Span<float> target, int dx, int dy)
    {
        int h = _height, w = _width;
        int keep = w - Math.Abs(dx); // columns that stay inside the image (≥ 1 only when |dx| < w)
        for (int c = 0; c < _channels; c++)
            for (int y = 0; y < h; y++)
            {
                var row = target.Slice((c * h + y) * w, w);
                int sy = y - dy;
                if (sy < 0 || sy >= h || keep <= 0) { row.Clear(); continue; }
                var from = source.Slice((c * h + sy) * w, w);
                if (dx >= 0)
                {
                    row[..dx].Clear();
                    from[..keep].CopyTo(row[dx..]);
                }
                else
                {
                    from[-dx..].CopyTo(row);
                    row[keep..].Clear();
                }
            }
    }

    private ulong StreamSeed(int epoch, int batch) =>
        _seed + 0x9E3779B97F4A7C15UL * (uint)epoch + 0xD1B54A32D192ED03UL * (ulong)(uint)(batch + 1);

    private sealed class BatchBuffer(int batchSize, Dataset data)
    {
        public readonly float[] Inputs = new float[batchSize * data.SampleSize];
        public readonly int[] Labels = new int[batchSize * data.LabelSize];
        public readonly float[] Targets = new float[batchSize * data.TargetSize];
        public int Size;

        public Batch AsBatch() => new(Inputs.AsSpan(0, Size * (Inputs.Length / batchSize)), Labels.AsSpan(0, Size * (Labels.Length / batchSize)),
            Targets.AsSpan(0, Size * (Targets.Length / batchSize)), Size);
    }
}

/// <summary>One mini-batch: <see cref="Size"/> samples' inputs, labels and targets, laid out sample after sample.
/// The spans point into the <see cref="DataLoader"/>'s buffers and are valid until the next batch.</summary>
public readonly ref struct Batch
{
    internal Batch(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets, int size)
    {
        Inputs = inputs; Labels = labels; Targets = targets; Size = size;
    }

    /// <summary>Size × SampleSize inputs, normalised and augmented.</summary>
    public ReadOnlySpan<float> Inputs { get; }

    /// <summary>Size × LabelSize labels (empty when the data set has none).</summary>
    public ReadOnlySpan<int> Labels { get; }

    /// <summary>Size × TargetSize targets (empty when the data set has none).</summary>
    public ReadOnlySpan<float> Targets { get; }

    /// <summary>Number of samples (the batch size, or fewer for the last batch).</summary>
    public int Size { get; }
}

/// <summary>The batches of one epoch, for <c>foreach</c>; see <see cref="DataLoader.Epoch"/>.</summary>
public readonly struct BatchEnumerable
{
    private readonly DataLoader _loader;
    private readonly int _epoch, _firstBatch;

    internal BatchEnumerable(DataLoader loader, int epoch, int firstBatch)
    {
        _loader = loader;
        _epoch = epoch;
        _firstBatch = firstBatch;
    }

    /// <summary>Starts the epoch (shuffles) and returns its enumerator; dispose it (foreach does) before the next epoch.</summary>
    public BatchEnumerator GetEnumerator()
    {
        _loader.Begin(_epoch);
        return new BatchEnumerator(_loader, _firstBatch);
    }
}

/// <summary>Walks one epoch's batches, keeping the next one in preparation on the loader's thread.</summary>
public ref struct BatchEnumerator
{
    private readonly DataLoader _loader;
    private int _index;
    private bool _started, _pending, _done;

    internal BatchEnumerator(DataLoader loader, int firstBatch)
    {
        _loader = loader;
        _index = firstBatch - 1;
    }

    /// <summary>The current batch.</summary>
    public readonly Batch Current => _loader.Current(_loader.Prefetches ? _index & 1 : 0);

    /// <summary>Moves to the next batch, waiting for it if the worker has not finished it yet.</summary>
    public bool MoveNext()
    {
        if (_done || ++_index >= _loader.BatchesPerEpoch) return false;
        if (!_loader.Prefetches)
        {
            _loader.Fill(_index, 0);
            return true;
        }
        if (!_started)
        {
            _started = true;
            _loader.Request(_index, _index & 1);
        }
        _pending = false;
        _loader.WaitReady();
        if (_index + 1 < _loader.BatchesPerEpoch)
        {
            // The buffer the caller used for the previous batch is free again: build the next batch into it.
            _loader.Request(_index + 1, (_index + 1) & 1);
            _pending = true;
        }
        return true;
    }

    /// <summary>Waits for any batch still in preparation and releases the loader for the next epoch.</summary>
    public void Dispose()
    {
        if (_done) return;
        _done = true;
        if (_pending)
        {
            _pending = false;
            try { _loader.WaitReady(); }
            catch (Exception) { /* the consumer stopped before this batch; its error no longer matters */ }
        }
        _loader.End();
    }
}
