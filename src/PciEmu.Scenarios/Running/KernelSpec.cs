using System.Globalization;
using PciEmu.Os;

using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Running;

/// <summary>Parses <c>--kernel linux[,realloc][,hpmmioprefsize=SIZE]…[,v6.1]</c> (Linux's memparse for sizes).</summary>
public static partial class KernelSpec
{
    public static KernelOptions Parse(string text)
    {
        var parts = text.Split(',');
        if (parts[0] != "linux") throw new TopologyException(text, $"kernel: unknown kernel '{parts[0]}' (only 'linux')");
        var o = new KernelOptions();
        foreach (var p in parts.Skip(1))
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? p : p[..eq];
            var value = eq < 0 ? null : p[(eq + 1)..];
            o = key switch
            {
                "realloc" => o with { Realloc = value is null or "on" ? ReallocMode.UserEnabled : value == "off" ? ReallocMode.UserDisabled : throw Bad(p) },
                "v6.1" or "6.1" => o with { Version = KernelVersion.Linux6_1 },
                "v6.12" or "6.12" => o with { Version = KernelVersion.Linux6_12 },
                "hpiosize" => o with { HpIoSize = MemParse(p, value) },
                "hpmmiosize" => o with { HpMmioSize = MemParse(p, value) },
                "hpmmioprefsize" => o with { HpMmioPrefSize = MemParse(p, value) },
                "hpmemsize" => o.WithHpMemSize(MemParse(p, value)),
                "hpbussize" => o with { HpBusSize = value is not null && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 255 ? n : throw Bad(p) },
                _ => throw new TopologyException(p, $"kernel: unknown option '{key}' (realloc, hpiosize, hpmmiosize, hpmmioprefsize, hpmemsize, hpbussize, v6.1)"),
            };
        }
        return o;
    }

    private static TopologyException Bad(string p) => new(p, $"kernel: bad value in '{p}'");

    /// <summary>Checks the value is what lib/cmdline.c memparse reads (a 0x-hex or decimal number with an optional
    /// K/M/G/T suffix), then parses it with the kernel model's own memparse.</summary>
    public static ulong MemParse(string token, string? value)
    {
        if (string.IsNullOrEmpty(value) || !MemParseSyntax().IsMatch(value)) throw Bad(token);
        return KernelOptions.MemParse(value);
    }

    [System.Text.RegularExpressions.GeneratedRegex("^(0[xX][0-9a-fA-F]+|[0-9]+)[KkMmGgTt]?$")]
    private static partial System.Text.RegularExpressions.Regex MemParseSyntax();
}
