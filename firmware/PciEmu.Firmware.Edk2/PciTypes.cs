namespace PciEmu.Firmware.Edk2;

/// <summary>PCI_BAR_TYPE (PciBus.h), in EDK2's order (the log's type table is indexed by it).</summary>
internal enum PciBarType
{
    Unknown,
    Io16,
    Io32,
    Mem32,
    PMem32,
    Mem64,
    PMem64,
    OpRom,
    Io,
    Mem,
}

/// <summary>PCI_RESOURCE_USAGE.</summary>
internal enum PciResourceUsage
{
    Typical,
    Padding,
}

/// <summary>EFI_BRIDGE_*_DECODE_SUPPORTED (PciBus.h).</summary>
[Flags]
internal enum BridgeDecodes
{
    None = 0,
    Io16 = 1 << 0,
    Io32 = 1 << 1,
    Mem32 = 1 << 2,
    PMem32 = 1 << 3,
    PMem64 = 1 << 4,
    Mem64 = 1 << 5,
    PMemMemCombine = 1 << 6,
}

/// <summary>PCI_BAR: one probed BAR of a device.</summary>
internal sealed class PciBar
{
    public ulong BaseAddress { get; set; }
    public ulong Length { get; set; }
    public ulong Alignment { get; set; }
    public PciBarType BarType { get; set; }
    public bool BarTypeFixed { get; set; }
    public int Offset { get; set; }
}

/// <summary>An ACPI QWORD address-space descriptor as GetResourcePadding returns it (EFI_ACPI_ADDRESS_SPACE_DESCRIPTOR).</summary>
internal sealed record PaddingDescriptor(PaddingResourceType ResType, int Granularity, byte SpecificFlag, ulong AddrRangeMax, ulong AddrLen)
{
    /// <summary>EFI_ACPI_MEMORY_RESOURCE_SPECIFIC_FLAG_CACHEABLE_PREFETCHABLE.</summary>
    public const byte Prefetchable = 0x06;
}

/// <summary>ACPI_ADDRESS_SPACE_TYPE_MEM / IO / BUS.</summary>
internal enum PaddingResourceType
{
    Mem = 0,
    Io = 1,
    Bus = 2,
}
