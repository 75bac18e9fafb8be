namespace NetGen;

/// <summary>
/// A small, fast, reproducible random generator (xoshiro128**, seeded through SplitMix64). Its whole state is four
/// integers, so it is saved in checkpoints and gives the same stream on every platform and .NET version.
/// </summary>
public struct Rng
{
    private uint _s0, _s1, _s2, _s3;

    /// <summary>Seeds the generator; equal seeds give equal streams.</summary>
    public Rng(ulong seed)
    {
        ulong z = seed;
        ulong a = SplitMix(ref z), b = SplitMix(ref z);
        _s0 = (uint)a; _s1 = (uint)(a >> 32); _s2 = (uint)b; _s3 = (uint)(b >> 32);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1;
    }

    /// <summary>The full state, for checkpoints.</summary>
    public readonly (uint, uint, uint, uint) State => (_s0, _s1, _s2, _s3);

    /// <summary>Restores a state captured with <see cref="State"/>.</summary>
    public static Rng FromState((uint, uint, uint, uint) state)
    {
        var r = new Rng { _s0 = state.Item1, _s1 = state.Item2, _s2 = state.Item3, _s3 = state.Item4 };
        if ((r._s0 | r._s1 | r._s2 | r._s3) == 0) r._s0 = 1;
        return r;
    }

    private static ulong SplitMix(ref ulong z)
    {
        ulong x = z += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>Next 32 random bits.</summary>
    public uint NextUInt32()
    {
        uint result = uint.RotateLeft(_s1 * 5, 7) * 9;
        uint t = _s1 << 9;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = uint.RotateLeft(_s3, 11);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 bits of precision.</summary>
    public float NextFloat() => (NextUInt32() >> 8) * (1f / 16777216f);

    /// <summary>Uniform integer in [0, <paramref name="n"/>).</summary>
    public int NextInt(int n) => (int)(((ulong)NextUInt32() * (uint)n) >> 32);

    /// <summary>Standard normal sample (Box–Muller).</summary>
    public float NextGaussian()
    {
        float u1 = 1f - NextFloat(); // (0, 1]
        float u2 = NextFloat();
        return MathF.Sqrt(-2f * MathF.Log(u1)) * MathF.Cos(2f * MathF.PI * u2);
    }
}
