using System.Globalization;

namespace PciEmu.Platform;

/// <summary>An error QEMU would report, in QEMU's words (the text after "qemu-system-x86_64: ...").</summary>
public sealed class QemuException : Exception
{
    public QemuException()
    {
    }

    public QemuException(string message) : base(message)
    {
    }

    public QemuException(string message, Exception inner) : base(message, inner)
    {
    }
}

/// <summary>QEMU's scalar parsers: qemu_strtosz, qapi_bool_parse and the PCI devfn property (addr=).</summary>
public static class QemuValues
{
    public const ulong KiB = 1UL << 10;
    public const ulong MiB = 1UL << 20;
    public const ulong GiB = 1UL << 30;
    private const int HexRadix = 16;
    private const int SlotShift = 3;
    private const int MaxSlot = 31;
    private const int MaxFunction = 7;

    /// <summary>suffix_mul: B, K, M, G, T, P, E (any case) in powers of <paramref name="unit"/>; 0 when not a suffix.</summary>
    private static ulong SuffixMultiplier(char c, ulong unit) => char.ToUpperInvariant(c) switch
    {
        'B' => 1,
        'K' => unit,
        'M' => unit * unit,
        'G' => unit * unit * unit,
        'T' => unit * unit * unit * unit,
        'P' => unit * unit * unit * unit * unit,
        'E' => unit * unit * unit * unit * unit * unit,
        _ => 0,
    };

    /// <summary>
    /// do_strtosz (util/cutils.c, QEMU 7.2): decimal with an optional fraction and suffix, or 0x-hex without
    /// fraction or suffix. Returns 0 on success, -EINVAL (-22) on bad syntax, -ERANGE (-34) on overflow.
    /// </summary>
    public static int TryStrToSz(string text, char defaultSuffix, out ulong value)
    {
        const int EInval = -22;
        const int ERange = -34;
        value = 0;
        var s = text.AsSpan();
        var i = 0;
        while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
        if (i < s.Length && (s[i] == '-' || s[i] == '+')) return EInval;
        var digitsStart = i;
        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        if (i == digitsStart) return EInval;
        if (!ulong.TryParse(s[digitsStart..i], NumberStyles.None, CultureInfo.InvariantCulture, out var val)) return ERange;
        double fraction = 0;
        if (val == 0 && i == digitsStart + 1 && i < s.Length && (s[i] == 'x' || s[i] == 'X'))
        {
            // Input looks like hex; reparse, and insist on no fraction or suffix.
            var hexStart = i + 1;
            i = hexStart;
            while (i < s.Length && char.IsAsciiHexDigit(s[i])) i++;
            if (i == hexStart) return EInval;
            if (!ulong.TryParse(s[hexStart..i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out val)) return ERange;
            if (i < s.Length && (s[i] == '.' || SuffixMultiplier(s[i], KiB) > 0)) return EInval;
        }
        else if (i < s.Length && s[i] == '.')
        {
            var fracStart = i;
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
            fraction = double.Parse("0" + s[fracStart..i].ToString(), CultureInfo.InvariantCulture);
        }
        var mul = i < s.Length ? SuffixMultiplier(s[i], KiB) : 0;
        if (mul > 0) i++;
        else mul = SuffixMultiplier(defaultSuffix, KiB);
        if (i != s.Length) return EInval;
        if (mul == 1)
        {
            // When a fraction is present, a scale is required.
            if (fraction != 0) return EInval;
            value = val;
            return 0;
        }
        var whole = (UInt128)val * mul;
        var frac = (UInt128)Math.Round(fraction * mul, MidpointRounding.AwayFromZero);
        var total = whole + frac;
        if (total > ulong.MaxValue) return ERange;
        value = (ulong)total;
        return 0;
    }

    /// <summary>qemu_strtosz with byte default (device properties).</summary>
    public static bool TryParseSize(string text, out ulong value) => TryStrToSz(text, 'B', out value) == 0;

    /// <summary>qapi_bool_parse (the device layer's port), failing as a <see cref="QemuException"/>.</summary>
    public static bool ParseBool(string name, string value)
    {
        try
        {
            return PciEmu.Devices.Catalog.DeviceProperties.ParseBool(name, value);
        }
        catch (PciEmu.Devices.DevicePropertyException e)
        {
            throw new QemuException(e.Message, e);
        }
    }

    /// <summary>
    /// set_pci_devfn (hw/core/qdev-properties-system.c): "slot[.fn]" in hex; a plain integer is taken as the devfn.
    /// </summary>
    public static int ParseDevFn(string driver, string value)
    {
        string Bad() => $"Property '{driver}.addr' doesn't take value '{value}'";
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        // sscanf("%x") takes an optional 0x prefix on each part.
        var slotText = StripHexPrefix(dot < 0 ? value : value[..dot]);
        var fnText = StripHexPrefix(dot < 0 ? "0" : value[(dot + 1)..]);
        if (slotText.Length == 0 || fnText.Length == 0 || !IsHex(slotText) || !IsHex(fnText)) throw new QemuException(Bad());
        var slot = long.Parse(slotText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        var fn = long.Parse(fnText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        if (slot > MaxSlot || fn > MaxFunction) throw new QemuException(Bad());
        return (int)((slot << SlotShift) | fn);
    }

    private static string StripHexPrefix(string s) =>
        s.Length > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? s[2..] : s;

    private static bool IsHex(string s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiHexDigit(c)) return false;
        }
        return s.Length <= HexRadix;
    }
}
