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
}
