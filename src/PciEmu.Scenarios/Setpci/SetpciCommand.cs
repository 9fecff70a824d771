using System.Globalization;
using PciEmu.Core;

namespace PciEmu.Scenarios.Setpci;

/// <summary>A setpci parse or execution error, worded as setpci words it (without the "setpci: " prefix).</summary>
public sealed class SetpciException(string message) : Exception(message);

/// <summary>One value of a write: <c>value</c> or <c>value:mask</c> (read-modify-write of the mask bits).</summary>
public readonly record struct SetpciValue(uint Value, uint Mask);

/// <summary>One parsed setpci operation: <c>&lt;base&gt;[+&lt;offset&gt;][.(B|W|L)][@&lt;number&gt;][=&lt;values&gt;]</c>.</summary>
public sealed record SetpciOperation(
    string Text,
    SetpciCapType CapType,
    ushort CapId,
    int Address,
    int Width,
    int Number,
    int HeaderTypeMask,
    string? Name,
    IReadOnlyList<SetpciValue> Values)
{
    public bool IsWrite => Values.Count > 0;

    private static readonly uint[] MaxValues = [0, 0xff, 0xffff, 0, 0xffffffff];

    /// <summary>parse_x32: -1 = empty or overflow, 1 = whole string is hex, 0 = stopped early (rest in <paramref name="rest"/>).</summary>
    private static int ParseX32(string s, out uint value, out string rest)
    {
        value = 0;
        rest = string.Empty;
        if (s.Length == 0) return -1;
        var i = 0;
        if (s.Length >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s.Length > 2 && Uri.IsHexDigit(s[2])) i = 2;
        var start = i;
        ulong v = 0;
        while (i < s.Length && Uri.IsHexDigit(s[i]))
        {
            v = v * 16 + (ulong)Convert.ToInt32(s[i].ToString(), 16);
            if (v > uint.MaxValue) return -1;
            i++;
        }
        if (i == start)
        {
            rest = s;
            return 0;
        }
        value = (uint)v;
        rest = s[i..];
        return rest.Length == 0 ? 1 : 0;
    }

    /// <summary>parse_op from setpci.c.</summary>
    public static SetpciOperation Parse(string text)
    {
        var b = text;
        string? value = null, number = null, width = null, offset = null;
        var eq = b.IndexOf('=', StringComparison.Ordinal);
        if (eq >= 0) { value = b[(eq + 1)..]; b = b[..eq]; }
        var at = b.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0) { number = b[(at + 1)..]; b = b[..at]; }
        var dot = b.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0) { width = b[(dot + 1)..]; b = b[..dot]; }
        var plus = b.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0) { offset = b[(plus + 1)..]; b = b[..plus]; }

        var n = 0;
        if (value is not null)
        {
            if (value.Length == 0) throw new SetpciException("Missing value");
            n = 1 + value.Count(c => c == ',');
        }

        var w = 0;
        if (width is not null)
        {
            if (width.Length != 1) throw new SetpciException($"Invalid width \"{width}\"");
            w = char.ToUpperInvariant(width[0]) switch
            {
                'B' => 1,
                'W' => 2,
                'L' => 4,
                _ => throw new SetpciException($"Invalid width \"{width[0]}\""),
            };
        }

        var num = 0;
        if (number is not null)
        {
            if (ParseX32(number, out var nv, out _) <= 0 || (int)nv < 0) throw new SetpciException($"Invalid number \"{number}\"");
            num = (int)nv;
        }

        // parse_register
        var capType = SetpciCapType.None;
        ushort capId = 0;
        int addr;
        var hdrMask = 0;
        string? name = null;
        if (ParseX32(b, out var a, out _) > 0)
        {
            addr = (int)Math.Min(a, int.MaxValue);
        }
        else if (SetpciRegisterNames.Find(b) is { } r)
        {
            capType = r.CapType;
            capId = r.CapId;
            addr = r.Offset;
            hdrMask = r.HeaderTypeMask;
            name = r.Name;
            if (r.Width != 0 && w == 0) w = r.Width;
        }
        else if (b.StartsWith("ECAP", StringComparison.OrdinalIgnoreCase) && ParseX32(b[4..], out var ec, out _) > 0 && ec < 0x1000)
        {
            capType = SetpciCapType.Extended;
            capId = (ushort)ec;
            addr = 0;
        }
        else if (b.StartsWith("CAP", StringComparison.OrdinalIgnoreCase) && !b.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase)
                 && ParseX32(b[3..], out var cc, out _) > 0 && cc < 0x100)
        {
            capType = SetpciCapType.Normal;
            capId = (ushort)cc;
            addr = 0;
        }
        else
        {
            throw new SetpciException($"Unknown register \"{b}\"");
        }
        if (w == 0) throw new SetpciException("Missing width");

        if (offset is not null)
        {
            if (ParseX32(offset, out var off, out _) <= 0 || off >= 0x1000) throw new SetpciException($"Invalid offset \"{offset}\"");
            addr += (int)off;
        }

        if (addr >= 0x1000 || addr + w * (n == 0 ? 1 : n) > 0x1000)
            throw new SetpciException(string.Create(CultureInfo.InvariantCulture, $"Register number {addr:x2} out of range"));
        if ((addr & (w - 1)) != 0)
            throw new SetpciException(string.Create(CultureInfo.InvariantCulture, $"Unaligned register address {addr:x2}"));

        var values = new List<SetpciValue>(n);
        if (value is not null)
        {
            foreach (var part in value.Split(','))
            {
                var rc = ParseX32(part, out var v, out var rest);
                if (rc < 0 || (rc == 0 && !rest.StartsWith(':'))) throw new SetpciException($"Invalid value \"{part}\"");
                var lim = MaxValues[w];
                if (v > lim && v < ~0u - lim) throw new SetpciException($"Value \"{part}\" is out of range");
                var mask = uint.MaxValue;
                if (rc == 0)
                {
                    var ms = rest[1..];
                    if (ParseX32(ms, out mask, out _) <= 0) throw new SetpciException($"Invalid mask \"{ms}\"");
                    if (mask > lim && mask < ~0u - lim) throw new SetpciException($"Mask \"{ms}\" is out of range");
                    v &= mask;
                }
                values.Add(new SetpciValue(v, mask));
            }
        }
        return new SetpciOperation(text, capType, capId, addr, w, num, hdrMask, name, values);
    }

    /// <summary>exec_op: resolves the capability through config reads, then reads or writes.</summary>
    public IReadOnlyList<string> Execute(IConfigAccessor accessor, Bdf bdf)
    {
        var slot = bdf.ToString("D", null);
        var addr = 0;
        if (CapType != SetpciCapType.None)
        {
            var found = 0;
            int? capAddr = null;
            foreach (var (id, at) in WalkCapabilities(accessor, bdf, CapType == SetpciCapType.Extended))
            {
                if (id != CapId) continue;
                if (found == Number) { capAddr = at; break; }
                found++;
            }
            var kind = CapType == SetpciCapType.Normal ? "Capability" : "Extended capability";
            if (capAddr is null)
            {
                throw new SetpciException(found == 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{slot}: Instance #{Number} of {kind} {CapId:x4} not found - there are no capabilities with that id.")
                    : string.Create(CultureInfo.InvariantCulture, $"{slot}: Instance #{Number} of {kind} {CapId:x4} not found - there {(found == 1 ? "is" : "are")} only {found} {(found == 1 ? "capability" : "capabilities")} with that id."));
            }
            addr = capAddr.Value;
        }
        addr += Address;
        if ((addr & (Width - 1)) != 0)
            throw new SetpciException(string.Create(CultureInfo.InvariantCulture, $"{slot}: Unaligned access of width {Width} to register {addr:x4}"));
        if (addr + Width > 0x1000)
            throw new SetpciException(string.Create(CultureInfo.InvariantCulture, $"{slot}: Access of width {Width} to register {addr:x4} out of range"));
        if (HeaderTypeMask != 0)
        {
            var hdr = accessor.Read8(bdf, CommonHeader.HeaderType.Offset) & CommonHeader.HeaderTypeMask;
            if (hdr > 2 || ((1 << hdr) & HeaderTypeMask) == 0) throw new SetpciException($"{slot}: Does not have register {Name}.");
        }
        var output = new List<string>();
        if (Values.Count == 0)
        {
            output.Add(accessor.Read(bdf, addr, Width).ToString("x" + (Width * 2), CultureInfo.InvariantCulture));
            return output;
        }
        var full = MaxValues[Width];
        foreach (var v in Values)
        {
            var x = v.Value;
            if ((v.Mask & full) != full)
            {
                var y = accessor.Read(bdf, addr, Width);
                x = (y & ~v.Mask) | v.Value;
            }
            accessor.Write(bdf, addr, Width, x & full);
            addr += Width;
        }
        return output;
    }

    /// <summary>The capability list as lspci reads it (pci_scan_caps): standard from 0x34, extended from 0x100.</summary>
    private static IEnumerable<(ushort Id, int At)> WalkCapabilities(IConfigAccessor a, Bdf bdf, bool extended)
    {
        if (!extended)
        {
            if ((a.Read16(bdf, CommonHeader.Status.Offset) & (ushort)StatusBits.CapList) == 0) yield break;
            int ptr = a.Read8(bdf, CommonHeader.CapabilityList.Offset) & 0xfc;
            for (var guard = 0; ptr >= CommonHeader.Size && guard < 48; guard++)
            {
                yield return (a.Read8(bdf, ptr), ptr);
                ptr = a.Read8(bdf, ptr + 1) & 0xfc;
            }
            yield break;
        }
        if (a.AddressableSize <= ExtCapabilityId.ExtendedStart) yield break;
        var off = ExtCapabilityId.ExtendedStart;
        for (var guard = 0; off >= ExtCapabilityId.ExtendedStart && guard < 960; guard++)
        {
            var h = a.Read32(bdf, off);
            if (h == 0 || h == uint.MaxValue) yield break;
            yield return ((ushort)(h & ExtCapabilityId.HeaderIdMask), off);
            off = (int)(h >> ExtCapabilityId.HeaderNextShift) & 0xffc;
        }
    }
}
