using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Firmware.SeaBios;

/// <summary>How pci_setup ended.</summary>
public enum SeaBiosOutcomeKind
{
    Ok,

    /// <summary>panic(): the text was printed and the CPU halted.</summary>
    Panic,

    /// <summary>pci_setup returned early (non-PCI system, !CONFIG_QEMU, allocation failure).</summary>
    Aborted,
}

public sealed record SeaBiosOutcome(SeaBiosOutcomeKind Kind, string? Message = null)
{
    public static SeaBiosOutcome Ok { get; } = new(SeaBiosOutcomeKind.Ok);
    public bool IsOk => Kind == SeaBiosOutcomeKind.Ok;
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
}

/// <summary>struct pci_device as pci_probe_devices filled it (a snapshot for callers).</summary>
public sealed record SeaBiosPciDevice(ushort Bdf, ushort Vendor, ushort Device, ushort Class, byte HeaderType, byte SecondaryBus, ushort? ParentBdf, byte RootBus);
