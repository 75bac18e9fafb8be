using NetGen.Optimizers;

namespace NetGen.Gpu;

/// <summary>
/// The device side of a CPU <see cref="Optimizer"/> (<see cref="Sgd"/> or <see cref="Adam"/>): the same
/// hyper-parameters and update rule (<see cref="GpuOptimizers"/>), its state buffers in
/// <see cref="GpuNetworkState.OptimizerState"/> (slot i = <c>Host.State[i]</c>). The host optimizer stays the master
/// of the learning rate and the step count: each <see cref="Step"/> reads <see cref="Optimizer.LearningRate"/> (so a
/// schedule that sets it keeps working) and advances <see cref="Optimizer.StepCount"/>, so checkpoints and schedules
/// see the steps taken on the device.
/// </summary>
public sealed class GpuOptimizer
{
    /// <summary>Wraps <paramref name="host"/>, created for <paramref name="parameterCount"/> parameters.</summary>
    /// <exception cref="ArgumentException">The optimizer was created for another parameter count.</exception>
    /// <exception cref="NotSupportedException">The optimizer is neither <see cref="Sgd"/> nor <see cref="Adam"/>.</exception>
    public GpuOptimizer(Optimizer host, int parameterCount)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (host is not (Sgd or Adam))
            throw new NotSupportedException(
                $"Optimizer '{host.Kind}' ({host.GetType().Name}) has no GPU update; use NetGen.Optimizers.Sgd or Adam (adam, adamw).");
        if (host.ParameterCount != parameterCount)
            throw new ArgumentException(
                $"The {host.Kind} optimizer was created for {host.ParameterCount} parameters but the network has {parameterCount}; " +
                "create it with the network's Parameters.Length.", nameof(host));
        Host = host;
        Slots = host.State.Count;
    }

    /// <summary>The CPU optimizer: hyper-parameters, learning rate, step count, and the host copy of the state.</summary>
    public Optimizer Host { get; }

    /// <summary>Parameter-sized state blocks on the device: 0 for plain SGD, 1 for SGD momentum, 2 for Adam.</summary>
    public int Slots { get; }

    /// <summary>Floats of <see cref="GpuNetworkState.OptimizerState"/> this optimizer needs for <paramref name="parameterCount"/> parameters.</summary>
    public int StateLength(int parameterCount) => checked(Slots * parameterCount);

    /// <summary>
    /// Launches one update of <paramref name="state"/>'s parameters from its gradients on the device stream (no
    /// synchronisation), with step t = <c>Host.StepCount + 1</c> and η = <c>Host.LearningRate</c>; then counts the step
    /// on the host.
    /// </summary>
    public void Step(GpuNetworkState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        long next = Host.StepCount + 1;
        int step = next <= int.MaxValue ? (int)next
            : throw new InvalidOperationException($"The optimizer has taken {Host.StepCount} steps; GPU updates count steps in 32 bits.");
        var p = state.Parameters.View;
        var g = state.Gradients.View;
        switch (Host)
        {
            case Sgd sgd:
                GpuOptimizers.Sgd(state.Device, p, g, sgd.Momentum == 0 ? default : state.OptimizerSlot(0), step, sgd.LearningRate,
                    sgd.Momentum, dampening: 0f, sgd.WeightDecay, sgd.Nesterov);
                break;
            case Adam adam:
                GpuOptimizers.Adam(state.Device, p, g, state.OptimizerSlot(0), state.OptimizerSlot(1), step, adam.LearningRate,
                    adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay, adam.DecoupledWeightDecay);
                break;
        }
        Host.RestoreStepCount(next);
    }

    /// <summary>Copies the host optimizer's state buffers to the device (after construction or after loading a checkpoint).</summary>
    public void UploadState(GpuNetworkState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        for (int i = 0; i < Slots; i++) state.OptimizerState.CopyFrom(Host.State[i].Values, i * Host.ParameterCount);
    }

    /// <summary>Copies the device state buffers into the host optimizer (waits for pending work); do this before saving a checkpoint.</summary>
    public void DownloadState(GpuNetworkState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        for (int i = 0; i < Slots; i++) state.OptimizerState.CopyTo(Host.State[i].Values, i * Host.ParameterCount);
    }
}
