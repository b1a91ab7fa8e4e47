using Nabla.NN.Recurrent;

namespace Nabla.Tests.NN.Recurrent;

/// <summary>
/// A naive, step-by-step evaluation of a recurrent module in plain double arithmetic, written directly from the gate
/// formulas (no tensors, no GEMM, no autograd). Input x[n][t][f] batch-first; returns outputs [n][t][H·dirs] and final
/// states [layer·dirs][n][H].
/// </summary>
public static class RecurrentReference
{
    public enum Cell { Tanh, ReLU, LSTM, GRU }

    public static (double[][][] Output, double[][][] Hidden, double[][][] CellState) Run(
        RecurrentLayer m, Cell cell, double[][][] x, double[][][]? h0 = null, double[][][]? c0 = null)
    {
        int n = x.Length, steps = x[0].Length, h = m.HiddenSize, dirs = m.NumDirections;
        var hidden = new double[m.NumLayers * dirs][][];
        var cells = new double[m.NumLayers * dirs][][];
        var input = x;
        for (int l = 0; l < m.NumLayers; l++)
        {
            var output = new double[n][][];
            for (int b = 0; b < n; b++) { output[b] = new double[steps][]; for (int t = 0; t < steps; t++) output[b][t] = new double[h * dirs]; }
            for (int d = 0; d < dirs; d++)
            {
                int k = l * dirs + d;
                bool rev = d == 1;
                var wih = m.WeightIh(l, rev).Data.ToDoubleArray();
                var whh = m.WeightHh(l, rev).Data.ToDoubleArray();
                var bih = m.BiasIh(l, rev).Data.ToDoubleArray();
                var bhh = m.BiasHh(l, rev).Data.ToDoubleArray();
                int xs = input[0][0].Length;
                hidden[k] = new double[n][];
                cells[k] = new double[n][];
                for (int b = 0; b < n; b++)
                {
                    var hs = h0 is null ? new double[h] : (double[])h0[k][b].Clone();
                    var cs = c0 is null ? new double[h] : (double[])c0[k][b].Clone();
                    for (int s = 0; s < steps; s++)
                    {
                        int t = rev ? steps - 1 - s : s;
                        var xt = input[b][t];
                        // Row r of W·v: Σ_j W[r, j]·v[j].
                        double Ih(int r) { double a = bih[r]; for (int j = 0; j < xs; j++) a += wih[r * xs + j] * xt[j]; return a; }
                        double Hh(int r) { double a = bhh[r]; for (int j = 0; j < h; j++) a += whh[r * h + j] * hs[j]; return a; }
                        var next = new double[h];
                        for (int u = 0; u < h; u++)
                        {
                            switch (cell)
                            {
                                case Cell.Tanh: next[u] = Math.Tanh(Ih(u) + Hh(u)); break;
                                case Cell.ReLU: next[u] = Math.Max(0, Ih(u) + Hh(u)); break;
                                case Cell.LSTM:
                                {
                                    double i = Sig(Ih(u) + Hh(u)), f = Sig(Ih(h + u) + Hh(h + u));
                                    double g = Math.Tanh(Ih(2 * h + u) + Hh(2 * h + u)), o = Sig(Ih(3 * h + u) + Hh(3 * h + u));
                                    cs[u] = f * cs[u] + i * g;
                                    next[u] = o * Math.Tanh(cs[u]);
                                    break;
                                }
                                case Cell.GRU:
                                {
                                    double r = Sig(Ih(u) + Hh(u)), z = Sig(Ih(h + u) + Hh(h + u));
                                    double nn = Math.Tanh(Ih(2 * h + u) + r * Hh(2 * h + u));
                                    next[u] = (1 - z) * nn + z * hs[u];
                                    break;
                                }
                            }
                        }
                        hs = next;
                        Array.Copy(hs, 0, output[b][t], d * h, h);
                    }
                    hidden[k][b] = hs;
                    cells[k][b] = cs;
                }
            }
            input = output;
        }
        return (input, hidden, cells);
    }

    private static double Sig(double v) => 1 / (1 + Math.Exp(-v));

    /// <summary>[a][b][c] → flat row-major.</summary>
    public static double[] Flat(double[][][] v) => v.SelectMany(a => a.SelectMany(b => b)).ToArray();

    /// <summary>A flat row-major [a, b, c] tensor's values → [a][b][c].</summary>
    public static double[][][] Nest(double[] flat, int a, int b, int c)
        => Enumerable.Range(0, a).Select(i => Enumerable.Range(0, b).Select(j => flat.AsSpan((i * b + j) * c, c).ToArray()).ToArray()).ToArray();
}
