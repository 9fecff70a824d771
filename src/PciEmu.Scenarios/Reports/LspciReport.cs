using System.Globalization;
using System.Text;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Reports;

/// <summary>lspci's one-line listing (-nn) and its -xxxx hex dump, the format "lspci -F FILE" reads back.</summary>
public static class LspciReport
{
    private const int BytesPerLine = 16;

    /// <summary>"00:00.0 Host bridge [0600]: Intel Corporation ... [8086:29c0] (rev 02)" (show_device_name, -nn).</summary>
    public static string Render(PciSnapshot snapshot, bool numeric = true)
    {
        var sb = new StringBuilder();
        foreach (var s in LspciScan.Scan(snapshot)) sb.Append(Line(s, numeric)).Append('\n');
        return sb.ToString();
    }

    /// <summary>show_device's first line.</summary>
    public static string Line(ScannedFunction s, bool numeric)
    {
        var f = s.Function;
        var line = $"{s.Bdf} {PciNames.Class(f.ClassDevice, numeric)}: {PciNames.VendorDevice(f.VendorId, f.DeviceId, numeric)}";
        if (f.Revision != 0) line += string.Create(CultureInfo.InvariantCulture, $" (rev {f.Revision:x2})");
        return line;
    }

    /// <summary>lspci -xxxx: the device line, then 16 bytes a line ("%02x:" offsets, three digits from 0x100), then a blank line.</summary>
    public static string RenderDump(PciSnapshot snapshot)
    {
        var sb = new StringBuilder();
        foreach (var s in LspciScan.Scan(snapshot))
        {
            sb.Append(Line(s, numeric: false)).Append('\n');
            AppendHex(sb, s.Function.Config);
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>show_hex_dump.</summary>
    public static void AppendHex(StringBuilder sb, ReadOnlySpan<byte> config)
    {
        for (var off = 0; off < config.Length; off += BytesPerLine)
        {
            sb.Append(off.ToString("x2", CultureInfo.InvariantCulture)).Append(':');
            for (var i = 0; i < BytesPerLine && off + i < config.Length; i++)
                sb.Append(' ').Append(config[off + i].ToString("x2", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
    }
}
