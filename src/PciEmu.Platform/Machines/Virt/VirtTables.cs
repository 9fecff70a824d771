namespace PciEmu.Platform.Machines.Virt;

/// <summary>Which address space a host-bridge range maps.</summary>
public enum VirtRangeKind
{
    Io,
    Mem32,
    Mem64,
}

/// <summary>One entry of the pcie host's <c>ranges</c> (DT) / _CRS producer (ACPI): PCI address, CPU address, size.</summary>
public readonly record struct VirtRange(VirtRangeKind Kind, ulong PciBase, ulong CpuBase, ulong Size)
{
    public ulong PciLimit => PciBase + Size - 1;
}

/// <summary>
/// The <c>pcie@...</c> node create_pcie (hw/arm/virt.c) writes into the device tree, the part EDK2's
/// FdtPciHostBridgeLib reads: compatible "pci-host-ecam-generic", reg (ECAM), bus-range and ranges (I/O, 32-bit
/// MMIO, 64-bit MMIO, in that order).
/// </summary>
public sealed record VirtDeviceTreePci(ulong EcamBase, ulong EcamSize, int BusStart, int BusEnd, IReadOnlyList<VirtRange> Ranges)
{
    public const string Compatible = "pci-host-ecam-generic";
}

/// <summary>
/// What virt-acpi-build.c / gpex-acpi.c publish about PCI for the OS: MCFG (ECAM, bus range), PCI0's _CRS (32-bit
/// MMIO, I/O translated to the PIO window, 64-bit MMIO: acpi_dsdt_add_pci), _OSC's grants, whether _DSM has function 5
/// and what it returns, and whether the GED's ACPI PCI hot-plug describes slots.
/// </summary>
public sealed record VirtAcpiPci
{
    public required ulong McfgBase { get; init; }
    public required int BusStart { get; init; }
    public required int BusEnd { get; init; }

    /// <summary>_CRS producer ranges in DSDT order.</summary>
    public required IReadOnlyList<VirtRange> Crs { get; init; }

    /// <summary>_OSC control bits granted (AcpiFacts.Osc* bits).</summary>
    public required uint OscControls { get; init; }

    /// <summary>
    /// _DSM function 5 ("ignore boot configuration"): null when absent (gpex only adds it with cfg->preserve_config,
    /// which QEMU sets for accel SMMUv3 only), else the value it returns (0 = preserve, Linux keeps the firmware layout).
    /// </summary>
    public int? DsmFunction5 { get; init; }

    /// <summary>acpi-ged ACPI PCI hot-plug with bridge support: slots described under hot-pluggable bridges.</summary>
    public bool PciHotplug { get; init; }
}
