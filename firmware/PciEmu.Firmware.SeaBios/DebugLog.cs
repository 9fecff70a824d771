using System.Globalization;
using System.Text;

namespace PciEmu.Firmware.SeaBios;

/// <summary>
/// The debug output (src/output.c): dprintf(level, ...) keeps a line when level &lt;= CONFIG_DEBUG_LEVEL. The
/// helpers reproduce bvprintf's conversions the port needs (%x/%llx with width and pad, %d/%u, %pP).
/// </summary>
internal sealed class DebugLog(int debugLevel)
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines => _lines;
    public int Count => _lines.Count;

    /// <summary>dprintf: one "\n"-terminated message (the port passes the text without the newline).</summary>
    public void Dprintf(int level, string line)
    {
        if (level <= debugLevel) _lines.Add(line);
    }

    /// <summary>True when dprintf(level) prints; lets callers skip building a message.</summary>
    public bool Enabled(int level) => level <= debugLevel;

    /// <summary>
    /// %[0][width]x / %[0][width]llx: lowercase hex with a minimum width. For a 64-bit argument with a non-zero
    /// upper half, the upper half is printed with width-8 and the lower half as exactly 8 digits.
    /// </summary>
    public static string Hex(ulong value, int width = 0, bool zeroPad = false)
    {
        var sb = new StringBuilder();
        var pad = zeroPad ? '0' : ' ';
        var upper = (uint)(value >> 32);
        if (upper != 0)
        {
            PutPrettyHex(sb, upper, width - 8, pad);
            sb.Append(((uint)value).ToString("x8", CultureInfo.InvariantCulture));
            return sb.ToString();
        }
        PutPrettyHex(sb, (uint)value, width, pad);
        return sb.ToString();
    }

    /// <summary>%x on a 32-bit argument (only the low 32 bits are taken).</summary>
    public static string Hex32(uint value, int width = 0, bool zeroPad = false)
    {
        var sb = new StringBuilder();
        PutPrettyHex(sb, value, width, zeroPad ? '0' : ' ');
        return sb.ToString();
    }

    private static void PutPrettyHex(StringBuilder sb, uint value, int width, char pad)
    {
        var digits = value.ToString("x", CultureInfo.InvariantCulture);
        for (var w = width - digits.Length; w > 0; w--) sb.Append(pad);
        sb.Append(digits);
    }

    /// <summary>%d / %lld: the low 32 bits, signed.</summary>
    public static string Dec(long value)
    {
        var v = unchecked((int)value);
        return v < 0 ? "-" + ((uint)(-(long)v)).ToString(CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>%u: the low 32 bits, unsigned.</summary>
    public static string Unsigned(long value) => unchecked((uint)value).ToString(CultureInfo.InvariantCulture);

    /// <summary>%pP: bus:dev.fn as "%02x:%02x.%x".</summary>
    public static string Pp(ushort bdf) =>
        string.Create(CultureInfo.InvariantCulture, $"{bdf >> 8:x2}:{(bdf >> 3) & 0x1f:x2}.{bdf & 7:x1}");
}
