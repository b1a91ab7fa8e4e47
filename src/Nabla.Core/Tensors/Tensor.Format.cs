using System.Globalization;
using System.Text;

namespace Nabla.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// A readable rendering: nested brackets for tensors of up to 1,000 elements (edges elided for bigger ones),
    /// followed by the shape, type and, if any, the producing operation, e.g.
    /// <c>tensor([[1.0000, 2.0000], [3.0000, 4.0000]], shape=[2,2], Float32)</c>.
    /// </summary>
    public override string ToString()
    {
        var sb = new StringBuilder("tensor(");
        if (Rank == 0) sb.Append(Fmt(GetFlat(0)));
        else Append(sb, 0, 0, Numel > 1000);
        sb.Append(", shape=").Append(Shape).Append(", ").Append(DType);
        if (Node != null) sb.Append(", grad_fn=").Append(Node.Op);
        else if (RequiresGrad) sb.Append(", requires_grad");
        return sb.Append(')').ToString();
    }

    private void Append(StringBuilder sb, int axis, int offset, bool elide)
    {
        int n = Shape.Dims[axis], stride = Shape.Product(axis + 1, Rank);
        sb.Append('[');
        for (int i = 0; i < n; i++)
        {
            if (elide && n > 6 && i == 3) { sb.Append("..., "); i = n - 3; }
            if (axis == Rank - 1) sb.Append(Fmt(GetFlat(offset + i)));
            else Append(sb, axis + 1, offset + i * stride, elide);
            if (i < n - 1) sb.Append(", ");
        }
        sb.Append(']');
    }

    private static string Fmt(double v) => Math.Abs(v) >= 1e5 || (v != 0 && Math.Abs(v) < 1e-4)
        ? v.ToString("0.####e+0", CultureInfo.InvariantCulture)
        : v.ToString("0.0000", CultureInfo.InvariantCulture);
}
