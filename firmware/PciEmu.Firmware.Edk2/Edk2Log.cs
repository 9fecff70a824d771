using System.Globalization;

namespace PciEmu.Firmware.Edk2;

/// <summary>
/// DEBUG((DEBUG_INFO, ...)) output as BasePrintLib formats it: %x/%lx upper-case hex without leading zeros unless a
/// width is given, %s of the BAR type table padded to six characters, tabs literal.
/// </summary>
internal sealed class Edk2Log(bool enabled)
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines => _lines;

    public bool Enabled => enabled;

    /// <summary>One DEBUG line (text without the trailing "\n").</summary>
    public void Debug(string line)
    {
        if (enabled) _lines.Add(line);
    }

    /// <summary>%x / %lx: upper-case hex, minimum <paramref name="width"/> digits zero-padded.</summary>
    public static string X(ulong v, int width = 0) => v.ToString("X" + width.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>mBarTypeStr (PciLib.c): the six-character type names.</summary>
    public static string TypeStr(PciBarType t) => t switch
    {
        PciBarType.Io16 => "  Io16",
        PciBarType.Io32 => "  Io32",
        PciBarType.Mem32 => " Mem32",
        PciBarType.PMem32 => "PMem32",
        PciBarType.Mem64 => " Mem64",
        PciBarType.PMem64 => "PMem64",
        PciBarType.OpRom => " OpRom",
        PciBarType.Io => "    Io",
        PciBarType.Mem => "   Mem",
        _ => "Unknow",
    };

    /// <summary>[%02x|%02x|%02x].</summary>
    public static string Bdf(PciEmu.Core.Bdf b) => $"[{X((ulong)b.Bus, 2)}|{X((ulong)b.Device, 2)}|{X((ulong)b.Function, 2)}]";
}
