using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Firmware.SeaBios;

/// <summary>How pci_setup ended.</summary>
public enum SeaBiosOutcomeKind
{
    Ok,

    /// <summary>panic(): the text was printed and the CPU halted.</summary>
    Panic,

    /// <summary>
    /// SeaBIOS never finishes: its stack overflowed (a bridge loop in pci_bios_init_bus_rec) or it spins; the log
    /// stops there and nothing else runs. The message (not printed by SeaBIOS) names the loop.
    /// </summary>
    Hung,

    /// <summary>pci_setup returned early (non-PCI system, !CONFIG_QEMU, allocation failure).</summary>
    Aborted,
}

public sealed record SeaBiosOutcome(SeaBiosOutcomeKind Kind, string? Message = null)
{
    public static SeaBiosOutcome Ok { get; } = new(SeaBiosOutcomeKind.Ok);
    public bool IsOk => Kind == SeaBiosOutcomeKind.Ok;

    /// <summary>The firmware stopped the machine (panic or hang): no OS boots.</summary>
    public bool IsFailure => Kind is SeaBiosOutcomeKind.Panic or SeaBiosOutcomeKind.Hung;
}

/// <summary>The 64-bit window pci_bios_map_devices chose (pcimem64_start/end); Start 0 means none.</summary>
public readonly record struct PciWindows(ulong PciMemStart, ulong PciMemEnd, ulong PciMem64Start, ulong PciMem64End, ulong? IoBase, ulong IoSum);

/// <summary>What a SeaBIOS run leaves: its debug log (lines without "\n"), the final e820 map and the outcome.</summary>
public sealed record SeaBiosResult(
    IReadOnlyList<string> Log,
    IReadOnlyList<E820Entry> E820,
    SeaBiosOutcome Outcome,
    PciWindows Windows,
    int MaxPciBus,
    IReadOnlyList<SeaBiosPciDevice> Devices)
{
    /// <summary>The lines printed while pci_setup ran: "=== PCI bus &amp; bridge init ===" (preceded only by level-3 or 1.17 romfile_loadbool lines) to its last line or the panic.</summary>
    public IReadOnlyList<string> PciSetupLog { get; init; } = [];

    /// <summary>
    /// Bridges whose QEMU bus reservation (no larger than the buses below) rewound pci_bios_init_bus_rec's bus counter,
    /// as upstream does: the bridges numbered afterwards overlap earlier ones (or loop, see <see cref="SeaBiosOutcomeKind.Hung"/>).
    /// </summary>
    public IReadOnlyList<string> BusCounterRewinds { get; init; } = [];

    /// <summary>
    /// The functions (BB:DD.F) the modelled boot ROM (the first BEV: an iPXE build) bound its driver to and
    /// adjusted (bus mastering); empty when no NIC ROM was deployed (<see cref="IpxeBoot"/>).
    /// </summary>
    public IReadOnlyList<string> BootRomDevices { get; init; } = [];
}

/// <summary>struct pci_device as pci_probe_devices filled it (a snapshot for callers).</summary>
public sealed record SeaBiosPciDevice(ushort Bdf, ushort Vendor, ushort Device, ushort Class, byte HeaderType, byte SecondaryBus, ushort? ParentBdf, byte RootBus);
