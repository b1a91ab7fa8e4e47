using System.Globalization;
using System.Net;
using System.Text;
using Nabla.IO;

namespace Nabla.Lessons.Svg;

/// <summary>
/// Small images in a grid, each with a caption, as one SVG document. The pixels travel inside the SVG as PNG data
/// (encoded by <see cref="Png"/>), drawn without smoothing. Grey images show ink in [0, 1] as black on white; signed
/// images (filters, feature maps) are blue for negative, white for 0 and red for positive, scaled per image.
/// </summary>
public static class ImageGrid
{
    /// <summary>Renders <paramref name="images"/> (each height·width values, row-major) in <paramref name="columns"/> columns.</summary>
    public static string ToSvg(string title, IReadOnlyList<float[]> images, int height, int width, IReadOnlyList<string> captions,
        int columns, int scale = 3, bool signed = false)
    {
        int cellW = Math.Max(width * scale, 8 * captions.DefaultIfEmpty("").Max(c => c.Length)) + 12, cellH = height * scale + 26;
        int rows = (images.Count + columns - 1) / columns;
        int svgW = Math.Max(columns * cellW + 12, 9 * title.Length + 20), svgH = 36 + rows * cellH + 6;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{svgW}\" height=\"{svgH}\" viewBox=\"0 0 {svgW} {svgH}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{svgW}\" height=\"{svgH}\" fill=\"white\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{svgW / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{WebUtility.HtmlEncode(title)}</text>\n");
        for (int i = 0; i < images.Count; i++)
        {
            int x = 6 + (i % columns) * cellW + (cellW - width * scale) / 2, y = 34 + (i / columns) * cellH;
            string png = Convert.ToBase64String(signed ? SignedPng(images[i], height, width) : Png.EncodeGray(new GrayImage(width, height, images[i].Select(p => 1 - Math.Clamp(p, 0f, 1f)).ToArray())));
            sb.Append(CultureInfo.InvariantCulture, $"<image x=\"{x}\" y=\"{y}\" width=\"{width * scale}\" height=\"{height * scale}\" style=\"image-rendering:pixelated\" preserveAspectRatio=\"none\" href=\"data:image/png;base64,{png}\"/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y}\" width=\"{width * scale}\" height=\"{height * scale}\" fill=\"none\" stroke=\"#999\"/>\n");
            if (i < captions.Count)
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + width * scale / 2}\" y=\"{y + height * scale + 16}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(captions[i])}</text>\n");
        }
        return sb.Append("</svg>\n").ToString();
    }

    private static byte[] SignedPng(float[] v, int height, int width)
    {
        float max = Math.Max(1e-12f, v.Max(Math.Abs));
        var rgb = new float[3 * height * width];
        for (int p = 0; p < height * width; p++)
        {
            float t = v[p] / max; // -1 .. 1
            float r = t < 0 ? 1 + t : 1, g = 1 - Math.Abs(t), b = t > 0 ? 1 - t : 1;
            rgb[p] = r; rgb[height * width + p] = g; rgb[2 * height * width + p] = b;
        }
        return Png.EncodeRgb(new RgbImage(width, height, rgb));
    }
}
