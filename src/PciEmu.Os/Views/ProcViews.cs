using System.Globalization;
using System.Text;
using PciEmu.Os.Resources;

namespace PciEmu.Os.Views;

/// <summary>kernel/resource.c r_show: the /proc/iomem and /proc/ioports renderings of the PCI resource tree.</summary>
public static class ProcViews
{
    private const int IoWidth = 4;
    private const int MemWidth = 8;
    private const int MaxDepth = 8;

    /// <summary>Renders the children of <paramref name="root"/>, two spaces of indent per level.</summary>
    public static string Render(Resource root)
    {
        var width = root.End < 0x10000 ? IoWidth : MemWidth;
        var sb = new StringBuilder();
        Walk(root, 0, width, sb);
        return sb.ToString();
    }

    private static void Walk(Resource r, int depth, int width, StringBuilder sb)
    {
        if (depth >= MaxDepth) return;
        foreach (var c in r.Children)
        {
            sb.Append(' ', depth * 2)
              .Append(c.Start.ToString("x" + width, CultureInfo.InvariantCulture)).Append('-')
              .Append(c.End.ToString("x" + width, CultureInfo.InvariantCulture)).Append(" : ")
              .Append(c.Name).Append('\n');
            Walk(c, depth + 1, width, sb);
        }
    }
}
