using System.Diagnostics;
using Nabla.Errors;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Reliability;

/// <summary>
/// Mutation fuzzing of file readers: random truncations, byte flips and header edits of a valid file.
/// Every mutated input must either parse or raise the documented <see cref="DataFormatException"/>
/// (never IndexOutOfRange, OutOfMemory, InvalidCast, ... and never hang: each case is timed).
/// </summary>
internal static class Fuzzer
{
    public static int Run(byte[] valid, Action<byte[]> parse, int cases, ulong seed, int headerBytes = 64, Func<byte[], byte[]>? fixup = null)
    {
        var g = new Generator(seed);
        int rejected = 0;
        var sw = new Stopwatch();
        for (int i = 0; i < cases; i++)
        {
            var input = Mutate(valid, g, headerBytes);
            if (fixup is not null && g.NextInt(2) == 0) input = fixup(input);
            sw.Restart();
            try { parse(input); }
            catch (DataFormatException) { rejected++; }
            catch (Exception e)
            {
                Assert.Fail($"case {i}: {e.GetType().Name} instead of DataFormatException: {e.Message}\ninput ({input.Length} bytes): {Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 96)))}");
            }
            // Catches a hang or a blow-up, not slowness: a full GC or a descheduled thread on a busy CI machine is fine.
            Assert.True(sw.ElapsedMilliseconds < 30_000, $"case {i} took {sw.ElapsedMilliseconds} ms");
        }
        return rejected;
    }

    private static byte[] Mutate(byte[] valid, Generator g, int headerBytes)
    {
        switch (g.NextInt(4))
        {
            case 0: // truncation
                return valid.AsSpan(0, g.NextInt(valid.Length)).ToArray();
            case 1: // random byte flips anywhere
            {
                var b = (byte[])valid.Clone();
                int n = 1 + g.NextInt(8);
                for (int k = 0; k < n; k++) b[g.NextInt(b.Length)] ^= (byte)(1 + g.NextInt(255));
                return b;
            }
            case 2: // header edits with extreme values
            {
                var b = (byte[])valid.Clone();
                int n = 1 + g.NextInt(4);
                byte[] extremes = [0x00, 0xFF, 0x7F, 0x80, 0x01];
                for (int k = 0; k < n; k++) b[g.NextInt(Math.Min(headerBytes, b.Length))] = g.NextInt(2) == 0 ? extremes[g.NextInt(extremes.Length)] : (byte)g.NextInt(256);
                return b;
            }
            default: // garbage appended or random bytes
            {
                if (g.NextInt(2) == 0)
                {
                    var b = new byte[g.NextInt(256)];
                    for (int k = 0; k < b.Length; k++) b[k] = (byte)g.NextInt(256);
                    return b;
                }
                var tail = new byte[1 + g.NextInt(64)];
                for (int k = 0; k < tail.Length; k++) tail[k] = (byte)g.NextInt(256);
                return [.. valid, .. tail];
            }
        }
    }
}
