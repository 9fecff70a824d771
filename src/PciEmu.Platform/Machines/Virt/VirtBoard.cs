namespace PciEmu.Platform.Machines.Virt;

/// <summary>
/// The virt-specific description of a machine's PCIe host (machvirt_init + create_pcie + the ACPI build): memory map,
/// the device-tree and ACPI views of the host. Computed from the options (<see cref="VirtMachineKind.BoardOf"/>).
/// </summary>
public sealed record VirtBoard
{
    public required MachineType Type { get; init; }
    public required VirtMemoryMap Map { get; init; }
    public required VirtDeviceTreePci DeviceTree { get; init; }
    public required VirtAcpiPci AcpiPci { get; init; }

    /// <summary>acpi_dsdt_add_pci's _OSC (gpex-acpi.c): SHPC, PME, AER, PCIe capability; native hot-plug unless acpi-ged's PCI hot-plug.</summary>
    public static uint OscControls(bool acpiHotplug)
    {
        const uint baseControls = AcpiFacts.OscShpc | AcpiFacts.OscPme | AcpiFacts.OscAer | AcpiFacts.OscPcieCapability;
        return acpiHotplug ? baseControls : baseControls | AcpiFacts.OscNativeHotplug;
    }

    /// <summary>machvirt_init / create_pcie for the options, with acpi-ged's PCI hot-plug on or off.</summary>
    internal static VirtBoard Create(MachineOptions options, bool acpiHotplug)
    {
        var map = VirtMachineKind.MemoryMap(options);

        // create_pcie: ranges = I/O (PCI 0 at PIO), 32-bit MMIO 1:1, then high MMIO 1:1 when present.
        var ranges = new List<VirtRange>
        {
            new(VirtRangeKind.Io, 0, VirtMemoryMap.PioBase, VirtMemoryMap.PioSize),
            new(VirtRangeKind.Mem32, VirtMemoryMap.LowMmioBase, VirtMemoryMap.LowMmioBase, VirtMemoryMap.LowMmioSize),
        };
        if (map.HighMmioBase is { } hi) ranges.Add(new(VirtRangeKind.Mem64, hi, hi, map.HighMmioSize));
        var busEnd = map.BusCount - 1;

        // acpi_dsdt_add_pci (gpex-acpi.c): _CRS lists 32-bit MMIO, I/O, then 64-bit MMIO.
        var crs = new List<VirtRange> { ranges[1], ranges[0] };
        if (ranges.Count > 2) crs.Add(ranges[2]);

        return new VirtBoard
        {
            Type = options.Type,
            Map = map,
            DeviceTree = new VirtDeviceTreePci(map.EcamBase, map.EcamSize, 0, busEnd, ranges),
            AcpiPci = new VirtAcpiPci
            {
                McfgBase = map.EcamBase, BusStart = 0, BusEnd = busEnd, Crs = crs, OscControls = OscControls(acpiHotplug), DsmFunction5 = null,
                PciHotplug = acpiHotplug,
            },
        };
    }
}
