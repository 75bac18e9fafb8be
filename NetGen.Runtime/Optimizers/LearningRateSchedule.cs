using System.Globalization;

namespace NetGen.Optimizers;

/// <summary>
/// A learning-rate multiplier as a function of the step: the trainer sets
/// <c>optimizer.LearningRate = baseRate × schedule.Factor(optimizer.StepCount)</c> before each step.
/// Factors depend only on the step, so a resumed run continues the same curve.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The multiplier for the step that follows <paramref name="step"/> completed steps (0-based).</summary>
    public abstract float Factor(long step);

    /// <summary>Factor 1 at every step.</summary>
    public static LearningRateSchedule Constant() => new ConstantSchedule();

    /// <summary>Factor γ^⌊step / stepSize⌋ (PyTorch's <c>StepLR</c>, counted in steps).</summary>
    public static LearningRateSchedule StepDecay(long stepSize, float gamma)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gamma);
        return new StepDecaySchedule(stepSize, gamma);
    }

    /// <summary>Cosine annealing from 1 to <paramref name="minFactor"/> over <paramref name="totalSteps"/>, then flat:
    /// f = min + (1 − min)·(1 + cos(π·min(step, T)/T))/2 (PyTorch's <c>CosineAnnealingLR</c> with η_min = min·η).</summary>
    public static LearningRateSchedule Cosine(long totalSteps, float minFactor = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        if (minFactor < 0 || minFactor > 1) throw new ArgumentOutOfRangeException(nameof(minFactor), minFactor, "minFactor must be in [0, 1].");
        return new CosineSchedule(totalSteps, minFactor);
    }

    /// <summary>Linear warm-up (step + 1)/W for the first W steps, then <paramref name="then"/> shifted by W steps
    /// (so <paramref name="then"/> sees step 0 right after the warm-up).</summary>
    public static LearningRateSchedule LinearWarmup(long warmupSteps, LearningRateSchedule then)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(warmupSteps);
        ArgumentNullException.ThrowIfNull(then);
        return new LinearWarmupSchedule(warmupSteps, then);
    }

    private sealed class ConstantSchedule : LearningRateSchedule
    {
        public override float Factor(long step) => 1f;
        public override string ToString() => "constant";
    }

    private sealed class StepDecaySchedule(long stepSize, float gamma) : LearningRateSchedule
    {
        public override float Factor(long step) => (float)Math.Pow(gamma, step / stepSize);
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"step decay ×{gamma} every {stepSize} steps");
    }

    private sealed class CosineSchedule(long totalSteps, float minFactor) : LearningRateSchedule
    {
        public override float Factor(long step) =>
            (float)(minFactor + (1 - minFactor) * (1 + Math.Cos(Math.PI * Math.Min(step, totalSteps) / totalSteps)) / 2);
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"cosine to ×{minFactor} over {totalSteps} steps");
    }

    private sealed class LinearWarmupSchedule(long warmupSteps, LearningRateSchedule then) : LearningRateSchedule
    {
        public override float Factor(long step) => step < warmupSteps ? (float)(step + 1) / warmupSteps : then.Factor(step - warmupSteps);
        public override string ToString() => $"linear warm-up over {warmupSteps} steps, then {then}";
    }
}
