namespace PciEmu.Fabric.FirmwareTables;

/// <summary>The CPU architecture whose PCI glue an OS runs on the tables (x86 claims firmware's layout, arm64 reassigns).</summary>
public enum TableArchitecture
{
    X86,
    Arm64,
    Ppc64,
}

/// <summary>A _CRS producer range type (or a device-tree "ranges" space).</summary>
public enum WindowSpace
{
    Io,
    Memory,

    /// <summary>A device-tree 64-bit memory range (ranges space code 0b11); ACPI windows use <see cref="Memory"/> whatever their width.</summary>
    Memory64,
}

/// <summary>
/// One host-bridge aperture, inclusive end (ACPI _CRS WordIO/DWordMemory/QWordMemory, DT ranges): Start/End in bus
/// (PCI) addresses; <paramref name="Translation"/> = CPU address - bus address (ACPI _TRA, DT ranges' parent - child),
/// 0 where the two are the same (x86, arm's memory windows; arm's I/O window is bus 0.. at the PIO CPU address).
/// </summary>
public readonly record struct AddressWindow(WindowSpace Space, ulong Start, ulong End, ulong Translation = 0);

/// <summary>One MCFG allocation (ECAM base for a segment's bus range).</summary>
public readonly record struct EcamAllocation(ulong Base, int Segment, int StartBus, int EndBus);

/// <summary>_OSC control bits (PCI Firmware Specification 3.3, table 4-5).</summary>
[Flags]
public enum OscControls : uint
{
    None = 0,
    NativeHotplug = 1u << 0,
    Shpc = 1u << 1,
    Pme = 1u << 2,
    Aer = 1u << 3,
    PcieCapability = 1u << 4,
}

/// <summary>One PCI host bridge as firmware describes it (an ACPI PNP0A03/PNP0A08 device, or a DT pci node).</summary>
public sealed record HostBridgeTable
{
    /// <summary>The bridge's ACPI path (e.g. \_SB_.PCI0) or DT node path.</summary>
    public required string Path { get; init; }

    public int Segment { get; init; }

    /// <summary>_CRS / bus-range bus numbers.</summary>
    public int BusStart { get; init; }
    public int BusEnd { get; init; } = 0xff;

    /// <summary>_CRS windows in table order.</summary>
    public IReadOnlyList<AddressWindow> Windows { get; init; } = [];

    /// <summary>The controls _OSC grants the OS; null when the bridge has no _OSC.</summary>
    public OscControls? Osc { get; init; }

    /// <summary>The integer _DSM function 5 ("ignore PCI boot configuration") returns; null when absent.</summary>
    public int? DsmFunction5 { get; init; }
}

/// <summary>
/// A slot the DSDT describes as hot-pluggable (a device with _SUN and _EJ0 under a bus with BSEL): the bus number
/// firmware gave the bus, the slot number and the slot device's full ACPI path (e.g. \_SB_.PCI0.S18_.S00_).
/// </summary>
public readonly record struct AcpiHotplugSlot(int Bus, int Slot, string Path);

/// <summary>An ACPI device object with _ADR (device, function) below a PCI bus's ACPI companion; <paramref name="Ejectable"/>:
/// it has _SUN (= the device number) and _EJ0, i.e. it is an ACPI hot-plug slot; <paramref name="Children"/>: the
/// objects of the bridge's secondary bus when the DSDT describes them.</summary>
public sealed record AcpiPciObject(int Device, int Function, string Path, bool Ejectable, AcpiPciScope? Children = null);

/// <summary>The ACPI companion of a PCI bus (the host bridge for the root bus, the bridge's own object otherwise) and its
/// _ADR children in namespace order.</summary>
public sealed record AcpiPciScope(string Path, IReadOnlyList<AcpiPciObject> Objects);

/// <summary>A legacy INTx route (_PRT entry): device slot and pin to a GSI.</summary>
public readonly record struct PciInterruptRoute(int Bus, int Slot, int Pin, int Gsi);

/// <summary>The ACPI tables a guest reads about PCI: MCFG, the host bridges' _CRS/_OSC/_DSM, hot-plug slots, _PRT.</summary>
public sealed record AcpiTables
{
    public IReadOnlyList<EcamAllocation> Mcfg { get; init; } = [];
    public IReadOnlyList<HostBridgeTable> HostBridges { get; init; } = [];
    public IReadOnlyList<AcpiHotplugSlot> HotplugSlots { get; init; } = [];

    /// <summary>The ACPI namespace below the (first) host bridge as the DSDT describes it: Linux finds a bus's ACPI
    /// companion through its bridge's _ADR in the parent's scope, not by bus number. Null: not described.</summary>
    public AcpiPciScope? PciNamespace { get; init; }

    /// <summary>_PRT entries where the OS needs them (empty: the enumerator does not route INTx).</summary>
    public IReadOnlyList<PciInterruptRoute> InterruptRouting { get; init; } = [];
}

/// <summary>A device-tree PCI host (pci-host-ecam-generic and friends), for machines that describe PCI that way.</summary>
public sealed record DeviceTreePciHost
{
    public required string NodePath { get; init; }
    public required string Compatible { get; init; }

    /// <summary>"reg": the ECAM window.</summary>
    public EcamAllocation Ecam { get; init; }

    /// <summary>"ranges": bus addresses with their CPU translation, in node order.</summary>
    public IReadOnlyList<AddressWindow> Ranges { get; init; } = [];

    /// <summary>"linux,pci-probe-only" (keep firmware's assignment).</summary>
    public bool ProbeOnly { get; init; }

    /// <summary>A PAPR PHB's "reg": its BUID, which RTAS config calls name (null for ECAM hosts).</summary>
    public ulong? Buid { get; init; }

    /// <summary>"qemu,phb-enumerated": the machine numbered the buses and built the function nodes itself.</summary>
    public bool PhbEnumerated { get; init; }

    /// <summary>The PCI function nodes under the host, in node order (empty when the tree lists none).</summary>
    public IReadOnlyList<DeviceTreePciNode> Nodes { get; init; } = [];
}

/// <summary>
/// One PCI function node of a device tree (PCI Bus Binding to IEEE 1275): its config address (bus, devfn), the
/// "reg" entries the machine wrote (config entry first, then one per region: phys.hi, size), the
/// "assigned-addresses" firmware added (phys.hi, PCI address, size), a bridge's "bus-range", and its children.
/// </summary>
public sealed record DeviceTreePciNode
{
    public required string Name { get; init; }
    public required int Bus { get; init; }
    public required int DevFn { get; init; }
    public IReadOnlyList<(uint PhysHi, ulong Size)> Reg { get; init; } = [];
    public IReadOnlyList<(uint PhysHi, ulong Address, ulong Size)>? AssignedAddresses { get; init; }
    public (int First, int Last)? BusRange { get; init; }

    /// <summary>"ibm,my-drc-index" (PAPR dynamic reconfiguration connector of the slot), when the machine has DRCs.</summary>
    public uint? DrcIndex { get; init; }

    public IReadOnlyList<DeviceTreePciNode> Children { get; init; } = [];
}

/// <summary>
/// Everything a guest learns about PCI from firmware rather than from config cycles, published host-side by the
/// machine (and changed where the firmware changes it): ACPI or a device tree, the memory map, and where x86 Linux
/// starts allocating PCI memory (pci_mem_start from the e820 gap). The drivers read these; they never see the machine.
/// </summary>
public sealed record FirmwareTables
{
    public TableArchitecture Architecture { get; init; } = TableArchitecture.X86;

    /// <summary>Null on machines without ACPI.</summary>
    public AcpiTables? Acpi { get; init; }

    /// <summary>PCI hosts of the device tree, when the machine describes PCI that way.</summary>
    public IReadOnlyList<DeviceTreePciHost> DeviceTree { get; init; } = [];

    /// <summary>The memory map the OS receives (from the firmware that ran; the machine's own before that).</summary>
    public IReadOnlyList<E820Entry>? E820 { get; init; }

    /// <summary>x86: the start of the gap above low RAM (e820__setup_pci_gap, Linux's pci_mem_start).</summary>
    public ulong PciGapStart { get; init; }

    /// <summary>No ACPI, no device tree: an OS finds nothing but config space.</summary>
    public static FirmwareTables Empty { get; } = new();

    /// <summary>The host bridges of either description (ACPI first, else the device tree's hosts).</summary>
    public IReadOnlyList<HostBridgeTable> HostBridges => Acpi?.HostBridges
        ?? DeviceTree.Select(h => new HostBridgeTable { Path = h.NodePath, Segment = h.Ecam.Segment, BusStart = h.Ecam.StartBus, BusEnd = h.Ecam.EndBus, Windows = h.Ranges }).ToArray();
}
