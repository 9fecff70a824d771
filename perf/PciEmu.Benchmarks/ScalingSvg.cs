using System.Globalization;
using System.Text;

namespace PciEmu.Benchmarks;

/// <summary>One point of the scaling curve.</summary>
public readonly record struct ScalePoint(int Functions, double SeaBiosMs, double LinuxMs)
{
    public double TotalMs => SeaBiosMs + LinuxMs;
    public double MicrosecondsPerFunction => TotalMs * 1000 / Functions;
}

/// <summary>
/// A small SVG writer for the scaling curve: time (ms, log scale) against functions (log scale) for SeaBIOS, Linux
/// and both, plus µs per function on a second panel; a straight 45° line on the first panel is linear scaling.
/// </summary>
public static class ScalingSvg
{
    private const int Width = 720;
    private const int Height = 360;
    private const int Margin = 56;
    private const int PanelGap = 72;
    private const int PanelWidth = (Width - 2 * Margin - PanelGap) / 2;
    private const int PanelHeight = Height - 2 * Margin;

    private static readonly (string Name, string Color, Func<ScalePoint, double> Value)[] Series =
    [
        ("SeaBIOS", "#1f77b4", p => p.SeaBiosMs),
        ("Linux", "#ff7f0e", p => p.LinuxMs),
        ("SeaBIOS + Linux", "#2ca02c", p => p.TotalMs),
    ];

    public static string Render(IReadOnlyList<ScalePoint> points, string title)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"13\">{title}</text>\n");
        var xMin = points.Min(p => p.Functions);
        var xMax = points.Max(p => p.Functions);
        var yMin = points.Min(p => Math.Min(p.SeaBiosMs, p.LinuxMs));
        var yMax = points.Max(p => p.TotalMs);
        Panel(sb, Margin, "time (ms, log)", points, xMin, xMax, yMin, yMax, true, Series);
        var perFn = points.Select(p => p.MicrosecondsPerFunction).ToArray();
        Panel(sb, Margin + PanelWidth + PanelGap, "µs per function (SeaBIOS + Linux)", points, xMin, xMax, 0, perFn.Max() * 1.2, false,
            [("µs/function", "#d62728", p => p.MicrosecondsPerFunction)]);
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static void Panel(StringBuilder sb, int left, string yLabel, IReadOnlyList<ScalePoint> points, double xMin, double xMax,
        double yMin, double yMax, bool logY, (string Name, string Color, Func<ScalePoint, double> Value)[] series)
    {
        var top = Margin;
        double X(double v) => left + (Math.Log10(v) - Math.Log10(xMin)) / (Math.Log10(xMax) - Math.Log10(xMin)) * PanelWidth;
        double Y(double v) => logY
            ? top + PanelHeight - (Math.Log10(v) - Math.Log10(yMin)) / (Math.Log10(yMax) - Math.Log10(yMin)) * PanelHeight
            : top + PanelHeight - (v - yMin) / (yMax - yMin) * PanelHeight;
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{PanelWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#888\"/>\n");
        foreach (var p in points)
        {
            var x = X(p.Functions);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:F1}\" y1=\"{top}\" x2=\"{x:F1}\" y2=\"{top + PanelHeight}\" stroke=\"#eee\"/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:F1}\" y=\"{top + PanelHeight + 14}\" text-anchor=\"middle\">{p.Functions}</text>\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + PanelWidth / 2}\" y=\"{top + PanelHeight + 30}\" text-anchor=\"middle\">functions (log)</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{top - 8}\">{yLabel}</text>\n");
        foreach (var tick in Ticks(yMin, yMax, logY))
        {
            var y = Y(tick);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{y:F1}\" x2=\"{left + PanelWidth}\" y2=\"{y:F1}\" stroke=\"#eee\"/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 4}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{tick:G3}</text>\n");
        }
        var legendY = top + 14;
        foreach (var (name, color, value) in series)
        {
            var path = string.Join(' ', points.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? 'M' : 'L')}{X(p.Functions):F1},{Y(value(p)):F1}")));
            sb.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>\n");
            foreach (var p in points)
                sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(p.Functions):F1}\" cy=\"{Y(value(p)):F1}\" r=\"3\" fill=\"{color}\"/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + 8}\" y=\"{legendY}\" fill=\"{color}\">{name}</text>\n");
            legendY += 14;
        }
    }

    private static IEnumerable<double> Ticks(double min, double max, bool log)
    {
        const int LinearTicks = 5;
        if (!log)
        {
            for (var i = 0; i <= LinearTicks; i++) yield return min + (max - min) * i / LinearTicks;
            yield break;
        }
        for (var d = Math.Pow(10, Math.Floor(Math.Log10(min))); d <= max; d *= 10)
        {
            if (d >= min) yield return d;
        }
    }
}
