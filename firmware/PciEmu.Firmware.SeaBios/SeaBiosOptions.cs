namespace PciEmu.Firmware.SeaBios;

/// <summary>SeaBIOS releases whose pciinit rules the port knows.</summary>
public enum SeaBiosRelease
{
    /// <summary>rel-1.16.2 (Debian bookworm's 1.16.2-1): 64-bit window only as a fallback, just above RAM.</summary>
    Rel_1_16_2,
}

/// <summary>
/// What upstream takes from its build configuration or from globals set before pci_setup. Immutable; one record
/// per boot. Values left null are derived the way SeaBIOS derives them (fw_cfg, e820).
/// </summary>
public sealed record SeaBiosOptions
{
    public static SeaBiosOptions Default { get; } = new();

    public SeaBiosRelease Release { get; init; } = SeaBiosRelease.Rel_1_16_2;

    /// <summary>CONFIG_DEBUG_LEVEL: dprintf(n, ...) prints when n &lt;= this. Debian builds use 1.</summary>
    public int DebugLevel { get; init; } = 1;

    /// <summary>CONFIG_QEMU: pci_setup returns at once without it.</summary>
    public bool ConfigQemu { get; init; } = true;

    /// <summary>CONFIG_PMTIMER.</summary>
    public bool ConfigPmTimer { get; init; } = true;

    /// <summary>
    /// True when a timer other than the PIT was already chosen before pci_setup (KVM with invtsc/kvmclock), so
    /// pmtimer_setup is a no-op and "Using pmtimer" is not printed.
    /// </summary>
    public bool TimerAlreadySetUp { get; init; }

    /// <summary>acpi_pm_base; null derives it as qemu_platform_setup does (0x600 if etc/table-loader exists, else 0xb000).</summary>
    public ushort? AcpiPmBase { get; init; }

    /// <summary>RamSize override; null takes it from etc/e820 (qemu_early_e820).</summary>
    public uint? RamSize { get; init; }

    /// <summary>RamSizeOver4G override; null takes it from etc/e820.</summary>
    public ulong? RamSizeOver4G { get; init; }

    /// <summary>pcimem_end (BUILD_PCIMEM_END, the IOAPIC).</summary>
    public ulong PciMemEnd { get; init; } = SeaBiosDefs.BUILD_PCIMEM_END;

    /// <summary>Q35_HOST_BRIDGE_PCIEXBAR_ADDR.</summary>
    public ulong Q35MmconfigAddress { get; init; } = SeaBiosDefs.Q35_HOST_BRIDGE_PCIEXBAR_ADDR;

    /// <summary>
    /// Run the pre-pci_setup steps the port owns (qemu_early_e820, the 256 KiB BIOS reservation, the pm_base move)
    /// and log them. When false the e820 map starts empty unless <see cref="InitialE820"/> is given.
    /// </summary>
    public bool RunPreinit { get; init; } = true;

    /// <summary>An e820 map to start from instead of etc/e820 (used when <see cref="RunPreinit"/> is false).</summary>
    public IReadOnlyList<PciEmu.Platform.E820Entry>? InitialE820 { get; init; }
}
