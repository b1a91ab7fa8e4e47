using Nabla.Kernels;
using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The Vector128 float packer (<see cref="GemmPacking128"/>) against the scalar <see cref="GemmPacking"/>, bit for bit:
/// both layouts of each operand, full and partial panels, depths that are and are not multiples of 4, offsets into
/// the matrix and padded leading dimensions. The packers are called directly, so these run on any hardware (AVX2
/// included, where GEMM itself would not pick this packer); whole GEMMs through it are in <see cref="GemmTests"/>.
/// </summary>
public unsafe class GemmPacking128Tests
{
    private const int Mr = GemmPacking128.Mr, Nr = GemmPacking128.Nr;
    // Sentinel slack past the packed block: the packer must write nothing there.
    private const int Slack = 64;

    // Both layouts × panel widths (full and partial panels) × depths (with and without a transpose tail) × no offset
    // and a tight leading dimension, or an offset block and a padded one.
    private static TheoryData<bool, int, int, int, int> Blocks(int[] widths, int[] depths, int offset, int pad)
    {
        var data = new TheoryData<bool, int, int, int, int>();
        foreach (bool trans in new[] { false, true })
            foreach (int width in widths)
                foreach (int kc in depths)
                {
                    data.Add(trans, width, kc, 0, 0);
                    data.Add(trans, width, kc, offset, pad);
                }
        return data;
    }

    public static TheoryData<bool, int, int, int, int> APanels() => Blocks([1, 3, 4, 8, 13, 64], [1, 3, 4, 7, 16, 257], offset: 5, pad: 3);

    public static TheoryData<bool, int, int, int, int> BPanels() => Blocks([1, 5, 8, 16, 19, 64], [1, 3, 4, 9, 16, 259], offset: 6, pad: 2);

    [Theory]
    [MemberData(nameof(APanels))]
    public void PackAMatchesTheScalarPacker(bool trans, int mc, int kc, int offset, int pad)
    {
        // op(A) is [rows, depth] with the block at (i0, p0); stored [rows, depth] or, transposed, [depth, rows].
        int i0 = offset, p0 = offset + 1, rows = i0 + mc + 1, depth = p0 + kc + 2;
        int lda = (trans ? rows : depth) + pad;
        float[] a = Sequence((trans ? depth : rows) * lda);
        int packed = (mc + Mr - 1) / Mr * Mr * kc;
        float[] expected = Sentinels(packed + Slack), actual = Sentinels(packed + Slack);
        fixed (float* pa = a, pe = expected, pv = actual)
        {
            GemmPacking.PackA(trans, pa, lda, i0, mc, p0, kc, Mr, pe);
            GemmPacking128.PackA(trans, pa, lda, i0, mc, p0, kc, pv);
        }
        AssertBitIdentical(expected, actual);
    }

    [Theory]
    [MemberData(nameof(BPanels))]
    public void PackBMatchesTheScalarPacker(bool trans, int nc, int kc, int offset, int pad)
    {
        // op(B) is [depth, cols] with the block at (p0, j0); stored [depth, cols] or, transposed, [cols, depth].
        int p0 = offset, j0 = offset + 3, depth = p0 + kc + 1, cols = j0 + nc + 2;
        int ldb = (trans ? depth : cols) + pad;
        float[] b = Sequence((trans ? cols : depth) * ldb);
        // Panels further apart than kc · nr (as in the GEMM driver when a depth block is the short last one): the gaps stay untouched.
        nint panelStride = (nint)kc * Nr + 8;
        int panels = (nc + Nr - 1) / Nr;
        int packed = (int)(panels * panelStride);
        float[] expected = Sentinels(packed + Slack), actual = Sentinels(packed + Slack);
        fixed (float* pb = b, pe = expected, pv = actual)
        {
            GemmPacking.PackB(trans, pb, ldb, p0, kc, j0, nc, Nr, panelStride, pe);
            GemmPacking128.PackB(trans, pb, ldb, p0, kc, j0, nc, panelStride, pv);
        }
        AssertBitIdentical(expected, actual);
    }

    // Distinct values, negative zero and a NaN payload among them: a copy must keep every bit.
    private static float[] Sequence(int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = i + 0.25f;
        if (length > 1) x[1] = -0f;
        if (length > 2) x[2] = BitConverter.Int32BitsToSingle(0x7FC0_1234);
        return x;
    }

    private static float[] Sentinels(int length) => Enumerable.Repeat(BitConverter.Int32BitsToSingle(0x7F80_0ABC), length).ToArray();

    private static void AssertBitIdentical(float[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            int e = BitConverter.SingleToInt32Bits(expected[i]), v = BitConverter.SingleToInt32Bits(actual[i]);
            if (e != v) Assert.Fail($"element {i}: 0x{v:X8}, expected 0x{e:X8}");
        }
    }
}
