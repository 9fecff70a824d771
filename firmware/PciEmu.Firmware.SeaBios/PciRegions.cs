namespace PciEmu.Firmware.SeaBios;

/// <summary>enum pci_region_type.</summary>
internal enum PciRegionType
{
    PCI_REGION_TYPE_IO,
    PCI_REGION_TYPE_MEM,
    PCI_REGION_TYPE_PREFMEM,
}

/// <summary>struct pci_region_entry; <see cref="bar"/> is -1 for a bridge window.</summary>
internal sealed class PciRegionEntry
{
    public required PciDevice dev;
    public int bar;
    public ulong size;
    public ulong align;
    public bool is64;
    public PciRegionType type;
}

/// <summary>struct pci_region: a base and a list kept sorted by (align desc, size desc), ties in insertion order.</summary>
internal sealed class PciRegion
{
    public ulong @base;
    public readonly List<PciRegionEntry> list = [];
}

/// <summary>struct pci_bus: the three regions of one bus number and the bridge that owns it.</summary>
internal sealed class PciBusRegions
{
    public const int PCI_REGION_TYPE_COUNT = 3;

    public readonly PciRegion[] r = [new(), new(), new()];
    public PciDevice? bus_dev;
}

/// <summary>hotplug_type_t.</summary>
internal enum HotplugType
{
    HOTPLUG_NO_SUPPORTED = 0,
    HOTPLUG_PCIE,
    HOTPLUG_SHPC,
}
