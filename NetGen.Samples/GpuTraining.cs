using NetGen.Checkpoints;
using NetGen.Data;
using NetGen.Gpu;
using NetGen.Optimizers;
using NetGen.Training;

namespace NetGen.Samples;

/// <summary>
/// <c>train --device gpu</c>: the same run as the CPU trainer (data loader, shuffling, schedule, per-epoch evaluation
/// and checkpoints), with each step on the network's generated device twin (<c>FashionMlp.Gpu</c>). The CPU network
/// stays the master copy: after every epoch the parameters and optimizer state are downloaded into it, evaluated
/// there and saved, so checkpoints are the same files as a CPU run's.
/// </summary>
internal static class GpuTraining
{
    /// <summary>The <c>--device</c> values.</summary>
    public static readonly string[] Devices = ["cpu", "gpu", "gpu-emulator"];

    /// <summary>
    /// The device for <paramref name="device"/>: null for <c>cpu</c>, and for <c>gpu</c> when ILGPU finds no CUDA device
    /// (after a one-line notice, the run continues on the CPU); ILGPU's CPU accelerator for <c>gpu-emulator</c> (slow;
    /// runs the GPU code path without a GPU).
    /// </summary>
    public static GpuDevice? Open(string device)
    {
        switch (device)
        {
            case "cpu":
                return null;
            case "gpu-emulator":
                return Announce(new GpuDevice(GpuDeviceKind.Cpu));
            case "gpu":
                var opened = new GpuDevice(GpuDeviceKind.Auto);
                if (opened.IsCuda) return Announce(opened);
                opened.Dispose();
                Console.WriteLine("device: no CUDA device found (no NVIDIA GPU, or libcuda.so.1 could not be loaded); training on the CPU " +
                                  "(--device gpu-emulator runs the GPU code on ILGPU's CPU accelerator instead)");
                return null;
            default:
                throw new ArgumentException($"--device '{device}' is not one of {string.Join(", ", Devices)}.");
        }
    }

    private static GpuDevice Announce(GpuDevice device)
    {
        Console.WriteLine($"device: {device.Name}");
        return device;
    }

    /// <summary>
    /// Trains <paramref name="network"/> on <paramref name="device"/> as <see cref="Trainer.Fit"/> does on the CPU
    /// (same options, resume position, progress, epoch event and cancellation), returning the same result.
    /// </summary>
    public static TrainingResult Fit(GpuDevice device, INetwork network, Optimizer optimizer, TrainerOptions options, Dataset train, Dataset test,
        TrainingPosition? resumeFrom, IProgress<TrainingProgress> progress, Action<EpochMetrics> epochCompleted, CancellationToken cancellationToken)
    {
        if (network is not IGpuTrainable trainable)
            throw new NotSupportedException($"Network {network.Name} has no GPU code (see the NG0300 note from the build); train it with --device cpu.");
        if (network.Loss != Loss.SoftmaxCrossEntropy)
            throw new NotSupportedException($"The GPU path of the samples trains classifiers; {network.Name} uses {network.Loss}. Use --device cpu.");
        using var gpu = trainable.CreateGpu(device, options.BatchSize, optimizer);
        using var loader = new DataLoader(train, options.BatchSize, shuffle: true, seed: options.Seed, maxShift: options.MaxShift);
        int batches = loader.BatchesPerEpoch;
        int startEpoch = resumeFrom?.Epoch ?? 0;
        long step = resumeFrom?.Step ?? 0;
        int skip = (int)(step - (long)startEpoch * batches);
        if (skip < 0 || skip > batches)
            throw new ArgumentException($"Resume position (epoch {startEpoch}, step {step}) does not fit {batches} batches per epoch: was the checkpoint made with another batch size or data set?");

        float baseRate = optimizer.LearningRate;
        var outputs = new float[options.BatchSize * network.OutputSize];
        var epochs = new List<EpochMetrics>();
        long samples = 0;
        double trainSeconds = 0;
        for (int epoch = startEpoch; epoch < options.Epochs; epoch++)
        {
            var tally = new EpochTally(epoch, options.Epochs, skip, batches);
            foreach (var batch in loader.Epoch(epoch, firstBatch: skip))
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    Save(gpu, network, optimizer, options, new TrainingPosition(epoch, step, default));
                    return new TrainingResult(TrainingOutcome.Cancelled, epochs, trainSeconds + tally.Seconds, step, samples);
                }
                optimizer.LearningRate = baseRate * (options.Schedule?.Factor(step) ?? 1f);
                float loss = gpu.TrainStep(batch.Inputs, batch.Labels, batch.Size);
                if (!float.IsFinite(loss))
                    throw new TrainingDivergedException($"Training diverged on {device.Name}: the loss became {loss} at epoch {epoch + 1}, step {step}. " +
                                                        "The last checkpoint was kept unchanged; try a lower learning rate.");
                gpu.CopyOutput(batch.Size, outputs);
                step++;
                tally.Add(loss, batch.Size, Metrics.CountCorrect(outputs, batch.Labels, batch.Size, network.OutputSize), progress);
            }
            skip = 0;
            trainSeconds += tally.Stop();
            samples += tally.Seen;
            Save(gpu, network, optimizer, options, new TrainingPosition(epoch + 1, step, default));
            var evaluation = Trainer.Evaluate(network, test, network.MaxBatch);
            var metrics = tally.Metrics(optimizer.LearningRate, evaluation);
            epochs.Add(metrics);
            epochCompleted(metrics);
        }
        return new TrainingResult(TrainingOutcome.Completed, epochs, trainSeconds, step, samples);
    }

    /// <summary>Downloads parameters and optimizer state into the CPU copies, then writes the checkpoint from them.</summary>
    private static void Save(IGpuNetwork gpu, INetwork network, Optimizer optimizer, TrainerOptions options, TrainingPosition position)
    {
        gpu.DownloadParameters(network);
        if (options.CheckpointPath is not null) Checkpoint.Save(options.CheckpointPath, network, optimizer, position);
    }
}
