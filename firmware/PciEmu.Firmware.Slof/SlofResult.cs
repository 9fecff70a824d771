using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Firmware.Slof;

/// <summary>The window variables of slof/fs/pci-scan.fs after a PHB (PCI bus addresses).</summary>
public sealed record SlofPciVars(ulong NextIo, ulong MaxIo, ulong NextMem, ulong MaxMem, ulong NextMmio, ulong MaxMmio, ulong NextMem64, ulong MaxMem64);

/// <summary>What SLOF's PCI setup left behind: its console lines, the PHB nodes with its properties, how it ended.</summary>
public sealed record SlofResult
{
    /// <summary>SLOF's console lines from the PCI setup, verbatim.</summary>
    public required IReadOnlyList<string> Log { get; init; }

    /// <summary>The PHB nodes with the properties SLOF (re)generated: node names, assigned-addresses, bridge bus-range.</summary>
    public required IReadOnlyList<DeviceTreePciHost> Hosts { get; init; }

    /// <summary>The variables after each PHB, in PHB order.</summary>
    public IReadOnlyList<SlofPciVars> Vars { get; init; } = [];

    /// <summary>Null when setup finished; otherwise the ABORT SLOF stopped at.</summary>
    public string? Failure { get; init; }
}
