using System.Globalization;

namespace PciEmu.Devices.Catalog;

/// <summary>
/// The raw <c>name=value</c> pairs of one -device, with typed getters that parse like QEMU 7.2's keyval input
/// visitor (qapi/qobject-input-visitor.c, util/cutils.c qemu_strtosz/qemu_strtou64) and fail with its wording.
/// id/bus/addr belong to the topology parser and are kept but not interpreted here.
/// </summary>
public sealed class DeviceProperties
{
    /// <summary>Properties every PCI device has, handled by the core or the topology parser.</summary>
    public static readonly IReadOnlyList<string> GenericNames = ["id", "bus", "addr", "multifunction", "romfile", "rombar", "romsize", "x-pcie-ext-tag", "x-pcie-err-unc-mask"];

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public DeviceProperties(string driver, IEnumerable<KeyValuePair<string, string>>? values = null)
    {
        Driver = driver;
        foreach (var (k, v) in values ?? []) _values[k] = v;
    }

    /// <summary>Parses "driver,name=value,..." (QEMU's comma syntax; ",," escapes a comma in a value).</summary>
    public static DeviceProperties Parse(string spec)
    {
        var parts = new List<string>();
        var cur = new System.Text.StringBuilder();
        for (var i = 0; i < spec.Length; i++)
        {
            if (spec[i] == ',' && i + 1 < spec.Length && spec[i + 1] == ',') { cur.Append(','); i++; }
            else if (spec[i] == ',') { parts.Add(cur.ToString()); cur.Clear(); }
            else cur.Append(spec[i]);
        }
        parts.Add(cur.ToString());
        // qemu_opts_parse with implied "driver": the first element may also be spelled driver=NAME.
        var driver = parts.FirstOrDefault(x => x.StartsWith("driver=", StringComparison.Ordinal))?["driver=".Length..];
        var props = new DeviceProperties(driver ?? parts[0]);
        foreach (var p in parts.Skip(driver is null ? 1 : 0))
        {
            if (p.StartsWith("driver=", StringComparison.Ordinal)) continue;
            if (p.Length == 0) continue;
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0) props._values[p] = "on";
            else props._values[p[..eq]] = p[(eq + 1)..];
        }
        return props;
    }

    public string Driver { get; }
    public IReadOnlyDictionary<string, string> Values => _values;
    public bool Has(string name) => _values.ContainsKey(name);
    public string? GetString(string name) => _values.TryGetValue(name, out var v) ? v : null;
    public DeviceProperties With(string name, string value)
    {
        var copy = new DeviceProperties(Driver, _values);
        copy._values[name] = value;
        return copy;
    }

    public bool GetBool(string name, bool defaultValue) =>
        GetString(name) is { } s ? ParseBool(name, s) : defaultValue;

    /// <summary>OnOffAuto: null for auto.</summary>
    public bool? GetOnOffAuto(string name) => GetString(name) switch
    {
        null or "auto" => null,
        "on" => true,
        "off" => false,
        var s => throw new DevicePropertyException($"Parameter '{name}' does not accept value '{s}'"),
    };

    public ulong? GetSize(string name) => GetString(name) is { } s ? ParseSize(name, s) : null;
    public byte GetU8(string name, byte defaultValue) => GetString(name) is { } s ? (byte)ParseUnsigned(name, s, byte.MaxValue, "uint8_t") : defaultValue;
    public ushort GetU16(string name, ushort defaultValue) => GetString(name) is { } s ? (ushort)ParseUnsigned(name, s, ushort.MaxValue, "uint16_t") : defaultValue;
    public uint GetU32(string name, uint defaultValue) => GetString(name) is { } s ? (uint)ParseUnsigned(name, s, uint.MaxValue, "uint32_t") : defaultValue;

    /// <summary>A u32 property whose default -1 means "unset" (bus-reserve): null when absent or -1.</summary>
    public uint? GetU32OrUnset(string name)
    {
        if (GetString(name) is not { } s) return null;
        var v = (uint)ParseUnsigned(name, s, uint.MaxValue, "uint32_t");
        return v == uint.MaxValue ? null : v;
    }

    /// <summary>A size property whose default -1 means "unset" (the *-reserve sizes).</summary>
    public ulong? GetSizeOrUnset(string name) => GetSize(name) is { } v && v != ulong.MaxValue ? v : null;

    /// <summary>qapi_bool_parse.</summary>
    public static bool ParseBool(string name, string s) => s switch
    {
        "on" or "yes" or "true" or "y" => true,
        "off" or "no" or "false" or "n" => false,
        _ => throw new DevicePropertyException($"Parameter '{name}' expects 'on' or 'off'"),
    };

    /// <summary>qemu_strtou64 (base 0: 0x hex, leading-0 octal, "-N" wraps) then visit_type_uintN's range check.</summary>
    public static ulong ParseUnsigned(string name, string s, ulong max, string typeName)
    {
        var t = s.Trim();
        var negative = t.StartsWith('-');
        if (negative) t = t[1..];
        ulong v;
        bool ok;
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            ok = ulong.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out v) && t.Length > 2;
        else if (t.Length > 1 && t[0] == '0')
            ok = TryParseOctal(t[1..], out v);
        else
            ok = ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        if (!ok) throw new DevicePropertyException($"Parameter '{name}' expects integer");
        if (negative) v = unchecked(0UL - v);
        if (v > max) throw new DevicePropertyException($"Parameter '{name}' expects {typeName}");
        return v;
    }

    private static bool TryParseOctal(string s, out ulong v)
    {
        v = 0;
        foreach (var ch in s)
        {
            if (ch is < '0' or > '7' || v > ulong.MaxValue >> 3) return false;
            v = (v << 3) + (uint)(ch - '0');
        }
        return s.Length > 0;
    }

    private const string SizeSuffixes = "BKMGTPE";

    /// <summary>qemu_strtosz: decimal (fraction allowed) or 0x hex, optional B/K/M/G/T/P/E suffix (binary units).</summary>
    public static ulong ParseSize(string name, string s)
    {
        var error = new DevicePropertyException($"Parameter '{name}' expects size");
        var t = s.Trim();
        if (t.Length == 0 || t[0] == '-') throw error;
        var shift = 0;
        var last = char.ToUpperInvariant(t[^1]);
        var suffix = SizeSuffixes.IndexOf(last, StringComparison.Ordinal);
        if (suffix >= 0)
        {
            shift = 10 * suffix;
            t = t[..^1];
        }
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            if (t.Length == 2 || !ulong.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex)) throw error;
            if (shift > 0 && hex > ulong.MaxValue >> shift) throw error;
            return hex << shift;
        }
        if (!decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d)) throw error;
        if (shift == 0 && d != decimal.Truncate(d)) throw error; // no fractional bytes
        var bytes = d * (1UL << shift);
        if (bytes > ulong.MaxValue) throw error;
        return (ulong)decimal.Truncate(bytes);
    }
}
