using System.Globalization;

namespace PciEmu.Os.Resources;

/// <summary>lib/vsprintf.c resource_string: the %pR rendering.</summary>
public static class ResourceFormat
{
    private const int IoDigits = 4;
    private const int MemDigits = 8;
    private const int BusDigits = 2;

    public static string Format(Resource r) => Format(r.Start, r.End, r.Flags);

    public static string Format(ulong start, ulong end, ResFlags flags)
    {
        var type = flags.Type();
        string word;
        int digits;
        var prefix = "0x";
        if (type == ResFlags.Io) { word = "io  "; digits = IoDigits; }
        else if (type == ResFlags.Mem) { word = "mem "; digits = MemDigits; }
        else if (type == ResFlags.Bus) { word = "bus "; digits = BusDigits; prefix = ""; }
        else return $"[??? 0x{start.ToString("x" + MemDigits, CultureInfo.InvariantCulture)}-0x{end.ToString("x" + MemDigits, CultureInfo.InvariantCulture)} flags 0x{(uint)flags:x}]";
        var s = new System.Text.StringBuilder("[").Append(word);
        string Num(ulong v) => prefix + v.ToString("x" + digits, CultureInfo.InvariantCulture);
        if (flags.Any(ResFlags.Unset)) s.Append("size ").Append(Num(end - start + 1));
        else
        {
            s.Append(Num(start));
            if (start != end) s.Append('-').Append(Num(end));
        }
        if (type != ResFlags.Bus)
        {
            if (flags.Any(ResFlags.Mem64)) s.Append(" 64bit");
            if (flags.Any(ResFlags.Prefetch)) s.Append(" pref");
            if (flags.Any(ResFlags.Window)) s.Append(" window");
            if (flags.Any(ResFlags.Disabled)) s.Append(" disabled");
        }
        return s.Append(']').ToString();
    }

    /// <summary>%llx.</summary>
    public static string Hex(ulong v) => v.ToString("x", CultureInfo.InvariantCulture);
}
