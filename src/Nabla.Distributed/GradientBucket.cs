using Nabla.NN;

namespace Nabla.Distributed;

/// <summary>
/// Parameters whose gradients are averaged together: one flat, pinned float32 buffer with a fixed slot per parameter.
/// Gradients are copied in as they become ready; when the last one has arrived, one non-blocking allreduce sums the
/// whole buffer over all ranks; after it completes the sums, scaled by 1/size, are copied back into the gradients.
/// </summary>
internal sealed class GradientBucket
{
    public readonly Parameter[] Parameters;
    public readonly int[] Offsets;
    public readonly float[] Buffer;   // pinned: MPI reads and writes it while backward goes on
    public readonly bool[] Filled;
    public int Ready;
    public IReduceRequest? Request;

    public GradientBucket(List<Parameter> parameters)
    {
        Parameters = [.. parameters];
        Offsets = new int[Parameters.Length];
        int n = 0;
        for (int i = 0; i < Parameters.Length; i++) { Offsets[i] = n; n += Parameters[i].Numel; }
        Buffer = GC.AllocateArray<float>(n, pinned: true);
        Filled = new bool[Parameters.Length];
    }

    public bool Complete => Ready == Parameters.Length;

    /// <summary>Copies the gradient of parameter <paramref name="slot"/> (zeros when it has none) into its slot.</summary>
    public void Fill(int slot)
    {
        var span = Buffer.AsSpan(Offsets[slot], Parameters[slot].Numel);
        if (Parameters[slot].Grad is { } g) g.AsSpan<float>().CopyTo(span);
        else span.Clear();
        Filled[slot] = true;
        Ready++;
    }

    /// <summary>After the reduction: gradient = sum / size, written into each parameter's gradient.</summary>
    public void Unpack(float scale)
    {
        var b = Buffer.AsSpan();
        for (int i = 0; i < b.Length; i++) b[i] *= scale;
        for (int i = 0; i < Parameters.Length; i++)
        {
            var g = Parameters[i].Grad;
            if (g is null) continue;   // a parameter no rank used this step keeps no gradient
            Buffer.AsSpan(Offsets[i], Parameters[i].Numel).CopyTo(g.AsSpan<float>());
        }
        Reset();
    }

    /// <summary>Empties the bucket for the next step.</summary>
    public void Reset()
    {
        Array.Clear(Filled);
        Ready = 0;
        Request = null;
    }
}
