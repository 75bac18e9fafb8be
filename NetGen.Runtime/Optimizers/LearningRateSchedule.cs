using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

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

/// <summary>Factor γ^⌊step / stepSize⌋ (PyTorch's <c>StepLR</c>, counted in steps): multiplies the rate by
/// <paramref name="gamma"/> every <paramref name="stepSize"/> steps.</summary>
/// <param name="stepSize">Steps between decays; positive.</param>
/// <param name="gamma">The factor per decay; positive.</param>
public sealed class StepDecay(long stepSize, float gamma) : LearningRateSchedule
{
    private readonly long _stepSize = Argument.Positive(stepSize);
    private readonly float _gamma = Argument.Positive(gamma);

    /// <inheritdoc />
    public override float Factor(long step) => (float)Math.Pow(_gamma, step / _stepSize);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"step decay ×{_gamma} every {_stepSize} steps");
}

/// <summary>Cosine annealing from 1 to minFactor over T steps, then flat: f = min + (1 − min)·(1 + cos(π·min(step, T)/T))/2
/// (PyTorch's <c>CosineAnnealingLR</c> with η_min = min·η).</summary>
/// <param name="totalSteps">T, the steps to anneal over; positive.</param>
/// <param name="minFactor">The factor reached at step T, in [0, 1].</param>
public sealed class Cosine(long totalSteps, float minFactor = 0) : LearningRateSchedule
{
    private readonly long _totalSteps = Argument.Positive(totalSteps);
    private readonly float _minFactor = minFactor < 0 || minFactor > 1
        ? throw new ArgumentOutOfRangeException(nameof(minFactor), minFactor, "minFactor must be in [0, 1].")
        : minFactor;

    /// <inheritdoc />
    public override float Factor(long step) =>
        (float)(_minFactor + (1 - _minFactor) * (1 + Math.Cos(Math.PI * Math.Min(step, _totalSteps) / _totalSteps)) / 2);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"cosine to ×{_minFactor} over {_totalSteps} steps");
}

/// <summary>Linear warm-up (step + 1)/W for the first W steps, then another schedule shifted by W steps
/// (so it sees step 0 right after the warm-up).</summary>
/// <param name="warmupSteps">W, the steps to warm up over; positive.</param>
/// <param name="then">The schedule that follows.</param>
public sealed class LinearWarmup(long warmupSteps, LearningRateSchedule then) : LearningRateSchedule
{
    private readonly long _warmupSteps = Argument.Positive(warmupSteps);
    private readonly LearningRateSchedule _then = then ?? throw new ArgumentNullException(nameof(then));

    /// <inheritdoc />
    public override float Factor(long step) => step < _warmupSteps ? (float)(step + 1) / _warmupSteps : _then.Factor(step - _warmupSteps);

    /// <inheritdoc />
    public override string ToString() => $"linear warm-up over {_warmupSteps} steps, then {_then}";
}

/// <summary>Argument checks for the schedules' field initialisers.</summary>
file static class Argument
{
    /// <summary><paramref name="value"/>, after <see cref="ArgumentOutOfRangeException.ThrowIfNegativeOrZero{T}"/>.</summary>
    public static T Positive<T>(T value, [CallerArgumentExpression(nameof(value))] string? paramName = null) where T : INumberBase<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, paramName);
        return value;
    }
}
