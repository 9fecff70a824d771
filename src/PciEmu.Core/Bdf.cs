using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace PciEmu.Core;

/// <summary>A PCI bus/device/function address, formatted as lspci does ("00:1c.0" or "0000:00:1c.0").</summary>
public readonly record struct Bdf : IComparable<Bdf>, ISpanFormattable
{
    public const int DeviceCount = 32;
    public const int FunctionCount = 8;
    public const int DevFnCount = 256;

    private const int DeviceShift = 3;
    private const int FunctionMask = 0x7;
    private const int DeviceMask = 0x1f;

    public Bdf(int bus, int device, int function)
    {
        if ((uint)bus > byte.MaxValue) throw new ArgumentOutOfRangeException(nameof(bus));
        if ((uint)device >= DeviceCount) throw new ArgumentOutOfRangeException(nameof(device));
        if ((uint)function >= FunctionCount) throw new ArgumentOutOfRangeException(nameof(function));
        Bus = (byte)bus;
        DevFn = (byte)((device << DeviceShift) | function);
    }

    private Bdf(byte bus, byte devFn)
    {
        Bus = bus;
        DevFn = devFn;
    }

    public byte Bus { get; }
    public byte DevFn { get; }
    public int Device => DevFn >> DeviceShift;
    public int Function => DevFn & FunctionMask;

    /// <summary>SeaBIOS's 16-bit bdf encoding: bus &lt;&lt; 8 | devfn.</summary>
    public ushort Value => (ushort)((Bus << 8) | DevFn);

    public static Bdf FromDevFn(int bus, int devFn) => new((byte)bus, (byte)devFn);
    public static Bdf FromValue(int value) => new((byte)(value >> 8), (byte)value);

    public Bdf WithFunction(int function) => new(Bus, Device, function);

    public static Bdf Parse(string s) =>
        TryParse(s, out var bdf) ? bdf : throw new FormatException($"invalid PCI address '{s}' (expected [dddd:]bb:dd.f)");

    /// <summary>Parses "bb:dd.f" or "dddd:bb:dd.f" (hex), the forms lspci and setpci print.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, out Bdf bdf)
    {
        bdf = default;
        if (string.IsNullOrEmpty(s)) return false;
        var parts = s.Split(':');
        if (parts.Length == 3)
        {
            if (!uint.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var dom) || dom != 0)
                return false;
            parts = [parts[1], parts[2]];
        }
        if (parts.Length != 2) return false;
        var df = parts[1].Split('.');
        if (df.Length != 2) return false;
        if (!byte.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bus)) return false;
        if (!byte.TryParse(df[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var dev) || dev > DeviceMask) return false;
        if (!byte.TryParse(df[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var fn) || fn > FunctionMask) return false;
        bdf = new Bdf(bus, dev, fn);
        return true;
    }

    public int CompareTo(Bdf other) => Value.CompareTo(other.Value);

    public override string ToString() => ToString(null, null);

    /// <summary>Format "S" gives "00:1c.0" (the default), "D" gives "0000:00:1c.0".</summary>
    public string ToString(string? format, IFormatProvider? formatProvider)
    {
        Span<char> buf = stackalloc char[12];
        return TryFormat(buf, out var n, format, formatProvider) ? new string(buf[..n]) : string.Empty;
    }

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        var withDomain = format.Length == 1 && format[0] == 'D';
        return withDomain
            ? destination.TryWrite(CultureInfo.InvariantCulture, $"0000:{Bus:x2}:{Device:x2}.{Function:x1}", out charsWritten)
            : destination.TryWrite(CultureInfo.InvariantCulture, $"{Bus:x2}:{Device:x2}.{Function:x1}", out charsWritten);
    }

    public static bool operator <(Bdf left, Bdf right) => left.CompareTo(right) < 0;
    public static bool operator >(Bdf left, Bdf right) => left.CompareTo(right) > 0;
    public static bool operator <=(Bdf left, Bdf right) => left.CompareTo(right) <= 0;
    public static bool operator >=(Bdf left, Bdf right) => left.CompareTo(right) >= 0;
}
