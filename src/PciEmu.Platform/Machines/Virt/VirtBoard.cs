namespace PciEmu.Platform.Machines.Virt;

/// <summary>
/// The virt-specific half of a <see cref="Machine"/> (machvirt_init + create_pcie + the ACPI build): memory map, the
/// device-tree and ACPI views of the PCIe host, and the ACPI facts the generic hot-plug code uses. Built by the
/// machine constructor when the type's kind is <see cref="MachineKind.Virt"/>.
/// </summary>
public sealed record VirtBoard
{
    private const string GedDriver = "acpi-ged";
    private const string GedBridgeHotplug = "acpi-pci-hotplug-with-bridge-support";

    public required MachineType Type { get; init; }
    public required VirtMemoryMap Map { get; init; }
    public required VirtDeviceTreePci DeviceTree { get; init; }
    public required VirtAcpiPci AcpiPci { get; init; }
    public required AcpiFacts Acpi { get; init; }

    /// <summary>machvirt_init / create_pcie for the options; consumes acpi-ged's hot-plug global.</summary>
    internal static VirtBoard Create(MachineOptions options, GlobalSet globals)
    {
        var type = options.Type;
        var map = VirtMemoryMap.Compute(options.RamSize, options.MaxRamSize ?? options.RamSize, options.MemorySlots);
        bool acpiHotplug = false;
        if (VirtMachineTypes.HasGedPciHotplug(type))
        {
            acpiHotplug = globals.TakeBool(GedDriver, GedBridgeHotplug) ?? false;
        }
        else if (globals.For(GedDriver).Any(g => g.Property == GedBridgeHotplug))
        {
            var g = globals.For(GedDriver).First(g => g.Property == GedBridgeHotplug);
            throw new QemuException(GlobalSet.CantApply(g, $"Property '{GedDriver}.{GedBridgeHotplug}' not found"));
        }

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
        const uint baseControls = AcpiFacts.OscShpc | AcpiFacts.OscPme | AcpiFacts.OscAer | AcpiFacts.OscPcieCapability;
        var osc = acpiHotplug ? baseControls : baseControls | AcpiFacts.OscNativeHotplug;

        return new VirtBoard
        {
            Type = type,
            Map = map,
            DeviceTree = new VirtDeviceTreePci(map.EcamBase, map.EcamSize, 0, busEnd, ranges),
            AcpiPci = new VirtAcpiPci
            {
                McfgBase = map.EcamBase, BusStart = 0, BusEnd = busEnd, Crs = crs, OscControls = osc, DsmFunction5 = null,
                PciHotplug = acpiHotplug,
            },
            Acpi = new AcpiFacts
            {
                AcpiBridgeHotplug = acpiHotplug,
                AcpiRootHotplug = false,
                RootPortHotplug = acpiHotplug ? HotplugMechanism.Acpi : HotplugMechanism.NativePcie,
                PciBridgeHotplug = acpiHotplug ? HotplugMechanism.Acpi : HotplugMechanism.Shpc,
                HasOsc = true,
                OscGrantedControls = osc,
                AcpiHotplugIoBase = null,
                AcpiHotplugMmioBase = acpiHotplug ? VirtMemoryMap.AcpiPciHotplugBase : null,
            },
        };
    }
}
