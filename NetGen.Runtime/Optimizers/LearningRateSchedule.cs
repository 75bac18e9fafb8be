using System.Globalization;

namespace NetGen.Optimizers;

/// <summary>
/// A learning-rate multiplier as a function of the step: the trainer sets
/// <c>optimizer.LearningRate = baseRate × schedule.Factor(optimizer.StepCount)</c> before each step.
/// Factors depend only on the step, so a resumed run continues the same curve.
/// Implementations: <see cref="Constant"/>, <see cref="StepDecay"/>, <see cref="Cosine"/>, <see cref="LinearWarmup"/>.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The multiplier for the step that follows <paramref name="step"/> completed steps (0-based).</summary>
    public abstract float Factor(long step);
}

/// <summary>Factor 1 at every step.</summary>
public sealed class Constant : LearningRateSchedule
{
    /// <inheritdoc />
    public override float Factor(long step) => 1f;

    /// <inheritdoc />
    public override string ToString() => "constant";
}

/// <summary>Factor γ^⌊step / stepSize⌋ (PyTorch's <c>StepLR</c>, counted in steps).</summary>
public sealed class StepDecay : LearningRateSchedule
{
    private readonly long _stepSize;
    private readonly float _gamma;

    /// <summary>Multiplies the rate by <paramref name="gamma"/> every <paramref name="stepSize"/> steps.</summary>
    public StepDecay(long stepSize, float gamma)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gamma);
        _stepSize = stepSize;
        _gamma = gamma;
    }

    /// <inheritdoc />
    public override float Factor(long step) => (float)Math.Pow(_gamma, step / _stepSize);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"step decay ×{_gamma} every {_stepSize} steps");
}

/// <summary>Cosine annealing from 1 to minFactor over T steps, then flat: f = min + (1 − min)·(1 + cos(π·min(step, T)/T))/2
/// (PyTorch's <c>CosineAnnealingLR</c> with η_min = min·η).</summary>
public sealed class Cosine : LearningRateSchedule
{
    private readonly long _totalSteps;
    private readonly float _minFactor;

    /// <summary>Anneals over <paramref name="totalSteps"/> steps down to <paramref name="minFactor"/> in [0, 1].</summary>
    public Cosine(long totalSteps, float minFactor = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        if (minFactor < 0 || minFactor > 1) throw new ArgumentOutOfRangeException(nameof(minFactor), minFactor, "minFactor must be in [0, 1].");
        _totalSteps = totalSteps;
        _minFactor = minFactor;
    }

    /// <inheritdoc />
    public override float Factor(long step) =>
        (float)(_minFactor + (1 - _minFactor) * (1 + Math.Cos(Math.PI * Math.Min(step, _totalSteps) / _totalSteps)) / 2);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"cosine to ×{_minFactor} over {_totalSteps} steps");
}

/// <summary>Linear warm-up (step + 1)/W for the first W steps, then another schedule shifted by W steps
/// (so it sees step 0 right after the warm-up).</summary>
public sealed class LinearWarmup : LearningRateSchedule
{
    private readonly long _warmupSteps;
    private readonly LearningRateSchedule _then;

    /// <summary>Warms up over <paramref name="warmupSteps"/> steps, then follows <paramref name="then"/>.</summary>
    public LinearWarmup(long warmupSteps, LearningRateSchedule then)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(warmupSteps);
        ArgumentNullException.ThrowIfNull(then);
        _warmupSteps = warmupSteps;
        _then = then;
    }

    /// <inheritdoc />
    public override float Factor(long step) => step < _warmupSteps ? (float)(step + 1) / _warmupSteps : _then.Factor(step - _warmupSteps);

    /// <inheritdoc />
    public override string ToString() => $"linear warm-up over {_warmupSteps} steps, then {_then}";
}
