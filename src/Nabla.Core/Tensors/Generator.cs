namespace Nabla.Tensors;

/// <summary>
/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64). The same seed gives the
/// same numbers on every machine and .NET version, which <see cref="System.Random"/> does not promise.
/// Its whole state can be saved and restored (<see cref="StateDict"/>), so training resumes bit-identically.
/// </summary>
/// <remarks>
/// Every method is thread-safe: draws are serialized by a lock, so two threads sharing a generator (the
/// <see cref="Default"/> one, typically) never corrupt it, though which thread gets which numbers then depends on
/// timing. For reproducible parallel work give each consumer its own generator (<see cref="Spawn"/>). The bulk methods
/// (<see cref="Fill(Span{double})"/>, <see cref="FillNormal"/>) take the lock once for the whole span.
/// </remarks>
public sealed class Generator : IStateful
{
    private readonly Lock _sync = new();
    private Xoshiro _state;
    private double _spareNormal;
    private bool _hasSpare;

    /// <summary>
    /// The process-wide generator. Whatever is not given a generator of its own draws from it (initial weights) or is
    /// seeded from it when created (a dropout layer's masks, a data loader's shuffling, an augmentation): one
    /// <see cref="ManualSeed"/> before building the model and the loaders makes a whole run reproducible.
    /// </summary>
    public static Generator Default { get; } = new(0);

    /// <summary>Creates a generator from a seed.</summary>
    public Generator(ulong seed) => Reseed(seed);

    /// <summary>Re-seeds the default generator (like <c>torch.manual_seed</c>).</summary>
    public static void ManualSeed(ulong seed) => Default.Reseed(seed);

    /// <summary>Resets this generator to the state a new one with <paramref name="seed"/> would have.</summary>
    public void Reseed(ulong seed)
    {
        lock (_sync)
        {
            ulong x = seed;
            _state = new Xoshiro { S0 = SplitMix(ref x), S1 = SplitMix(ref x), S2 = SplitMix(ref x), S3 = SplitMix(ref x) };
            _hasSpare = false;
            _spareNormal = 0;
        }
    }

    /// <summary>A new generator seeded from this one's next 64 bits: independent, reproducible streams for consumers (a layer, a loader).</summary>
    public Generator Spawn() => new(NextUInt64());

    /// <summary>The generator to use when a consumer was given <paramref name="generator"/> (itself) or none (a new one spawned from <see cref="Default"/>).</summary>
    public static Generator OwnOrSpawn(Generator? generator) => generator ?? Default.Spawn();

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        lock (_sync) return Next();
    }

    private ulong Next() => _state.Next();

    // The xoshiro256** state and step. A struct, so that bulk draws run on a local copy the JIT keeps in registers (the
    // class's fields were loaded and stored on every draw: Fill took 3 ns per number instead of about 1).
    private struct Xoshiro
    {
        public ulong S0, S1, S2, S3;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public ulong Next()
        {
            ulong result = ulong.RotateLeft(S1 * 5, 7) * 9;
            ulong t = S1 << 17;
            S2 ^= S0; S3 ^= S1; S1 ^= S2; S0 ^= S3;
            S2 ^= t;
            S3 = ulong.RotateLeft(S3, 45);
            return result;
        }
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => ToDouble(NextUInt64());

    // The 53-bit integer converted as signed (one instruction; the same value as the unsigned conversion).
    private static double ToDouble(ulong bits) => (long)(bits >> 11) * (1.0 / (1UL << 53));

    /// <summary>Fills <paramref name="values"/> with uniform doubles in [0, 1): the numbers <see cref="NextDouble"/> would give one by one, drawn under one lock.</summary>
    public void Fill(Span<double> values)
    {
        lock (_sync)
        {
            var state = _state;
            for (int i = 0; i < values.Length; i++) values[i] = ToDouble(state.Next());
            _state = state;
        }
    }

    /// <summary>Fills <paramref name="values"/> with standard normal samples: the numbers <see cref="NextNormal"/> would give one by one, drawn under one lock.</summary>
    public void FillNormal(Span<double> values)
    {
        lock (_sync)
            for (int i = 0; i < values.Length; i++) values[i] = Normal();
    }

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>) without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "Generator.NextInt: the bound must be positive.");
        lock (_sync) return NextIntUnlocked(maxExclusive);
    }

    private int NextIntUnlocked(int maxExclusive)
    {
        ulong bound = (ulong)maxExclusive;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = Next();
            if (r >= threshold) return (int)(r % bound);
        }
    }

    /// <summary>A standard normal sample (mean 0, variance 1) by the Box–Muller transform.</summary>
    public double NextNormal()
    {
        lock (_sync) return Normal();
    }

    private double Normal()
    {
        if (_hasSpare) { _hasSpare = false; return _spareNormal; }
        double u1 = 1.0 - ToDouble(Next()); // (0, 1]: log is finite
        double u2 = ToDouble(Next());
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spareNormal = r * Math.Sin(2 * Math.PI * u2);
        _hasSpare = true;
        return r * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        lock (_sync)
            for (int i = items.Length - 1; i > 0; i--)
            {
                int j = NextIntUnlocked(i + 1);
                (items[i], items[j]) = (items[j], items[i]);
            }
    }

    /// <summary>A random permutation of 0..n-1.</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle<int>(p);
        return p;
    }

    /// <summary>The whole state (six 64-bit words).</summary>
    public ulong[] GetState()
    {
        lock (_sync) return [_state.S0, _state.S1, _state.S2, _state.S3, _hasSpare ? 1UL : 0UL, BitConverter.DoubleToUInt64Bits(_spareNormal)];
    }

    /// <summary>Restores a state returned by <see cref="GetState"/>.</summary>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 6) throw new Errors.ValueException($"Generator: expected 6 state words, got {state.Length}");
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new Errors.ValueException("Generator: the all-zero state is invalid for xoshiro256**");
        lock (_sync)
        {
            _state = new Xoshiro { S0 = state[0], S1 = state[1], S2 = state[2], S3 = state[3] };
            _hasSpare = state[4] != 0;
            _spareNormal = BitConverter.UInt64BitsToDouble(state[5]);
        }
    }

    /// <summary>The state as <c>words</c>: the six words of <see cref="GetState"/>.</summary>
    public StateDict StateDict() => new StateDict().Set("words", GetState());

    /// <summary>Restores a state from <see cref="StateDict"/>.</summary>
    public void LoadStateDict(StateDict state) => SetState(state.GetWords("words"));
}
