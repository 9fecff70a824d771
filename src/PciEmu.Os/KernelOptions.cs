namespace PciEmu.Os;

/// <summary>The kernel series whose PCI log wording is reproduced.</summary>
public enum KernelVersion
{
    /// <summary>Debian bookworm 6.1.1xx: no device-type suffix, bridge windows logged when the bus is fixed up.</summary>
    Linux6_1,

    /// <summary>Debian 6.12.x: device-type suffix, bridge windows logged at header read.</summary>
    Linux6_12,
}

/// <summary>pci=realloc tri-state (enum enable_type).</summary>
public enum ReallocMode
{
    Undefined,
    UserDisabled,
    UserEnabled,
}

/// <summary>The pci= kernel parameters the enumerator honours, with Linux's defaults.</summary>
public sealed record KernelOptions
{
    public const ulong DefaultHotplugIoSize = 256;
    public const ulong DefaultHotplugMmioSize = 2 * 1024 * 1024;
    public const ulong DefaultHotplugMmioPrefSize = 2 * 1024 * 1024;
    public const int DefaultHotplugBusSize = 1;

    public KernelVersion Version { get; init; } = KernelVersion.Linux6_12;

    /// <summary>pci=realloc[=on|off].</summary>
    public ReallocMode Realloc { get; init; } = ReallocMode.Undefined;

    /// <summary>pci=hpiosize: I/O window floor of a hot-plug bridge.</summary>
    public ulong HpIoSize { get; init; } = DefaultHotplugIoSize;

    /// <summary>pci=hpmmiosize: non-prefetchable window floor of a hot-plug bridge.</summary>
    public ulong HpMmioSize { get; init; } = DefaultHotplugMmioSize;

    /// <summary>pci=hpmmioprefsize: prefetchable window floor of a hot-plug bridge.</summary>
    public ulong HpMmioPrefSize { get; init; } = DefaultHotplugMmioPrefSize;

    /// <summary>pci=hpbussize.</summary>
    public int HpBusSize { get; init; } = DefaultHotplugBusSize;

    /// <summary>pci=hpmemsize sets both memory floors.</summary>
    public KernelOptions WithHpMemSize(ulong size) => this with { HpMmioSize = size, HpMmioPrefSize = size };

    public bool Is612 => Version == KernelVersion.Linux6_12;

    /// <summary>
    /// Applies the pci= parameters of a kernel command line (pci_setup): realloc[=on|off], hpiosize=, hpmmiosize=,
    /// hpmmioprefsize=, hpmemsize=, hpbussize= (sizes with memparse's K/M/G suffixes). Unknown pci= words are ignored,
    /// as the kernel only warns about them.
    /// </summary>
    public KernelOptions WithCommandLine(string cmdline)
    {
        const string prefix = "pci=";
        var o = this;
        foreach (var word in cmdline.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!word.StartsWith(prefix, StringComparison.Ordinal)) continue;
            foreach (var opt in word[prefix.Length..].Split(','))
            {
                var eq = opt.IndexOf('=', StringComparison.Ordinal);
                var (key, value) = eq < 0 ? (opt, "") : (opt[..eq], opt[(eq + 1)..]);
                o = key switch
                {
                    "realloc" => o with { Realloc = value == "off" ? ReallocMode.UserDisabled : ReallocMode.UserEnabled },
                    "hpiosize" => o with { HpIoSize = MemParse(value) },
                    "hpmmiosize" => o with { HpMmioSize = MemParse(value) },
                    "hpmmioprefsize" => o with { HpMmioPrefSize = MemParse(value) },
                    "hpmemsize" => o.WithHpMemSize(MemParse(value)),
                    "hpbussize" => o with { HpBusSize = BusSize(value) },
                    _ => o,
                };
            }
        }
        return o;
    }

    /// <summary>pci_setup's hpbussize: values above 0xff fall back to the default.</summary>
    private static int BusSize(string value)
    {
        const int maxBus = 0xff;
        var n = (int)Math.Min(MemParse(value), int.MaxValue);
        return n > maxBus ? DefaultHotplugBusSize : n;
    }

    /// <summary>memparse: decimal or 0x-hex with an optional K/M/G/T suffix.</summary>
    public static ulong MemParse(string s)
    {
        if (string.IsNullOrEmpty(s)) return 0;
        var shift = char.ToUpperInvariant(s[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
        var digits = shift == 0 ? s : s[..^1];
        var value = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? Convert.ToUInt64(digits[2..], 16)
            : ulong.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
        return value << shift;
    }
}
