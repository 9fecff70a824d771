using PciEmu.Core;

namespace PciEmu.Os;

/// <summary>The hot-plug drivers the enumerator models.</summary>
public enum HotplugDriver
{
    Acpiphp,
    Pciehp,
    Shpchp,

    /// <summary>No hot-plug driver owns the slot (the platform signals, Linux does not react).</summary>
    None,
}

/// <summary>One BAR of a hot-added function after the driver ran: whether Linux assigned it, and where.</summary>
public sealed record BarVerdict(int Index, string Type, ulong Size, bool Prefetch, bool Mem64, bool Assigned, ulong? Start);

/// <summary>A hot-added function and its BARs.</summary>
public sealed record DeviceVerdict(Bdf Bdf, IReadOnlyList<BarVerdict> Bars)
{
    public bool AllAssigned => Bars.All(b => b.Assigned);
}

/// <summary>The outcome of one hot-plug event: the new functions, the log lines it produced, success overall.</summary>
public sealed record HotplugVerdict(IReadOnlyList<DeviceVerdict> Devices, IReadOnlyList<string> Log)
{
    public bool AllBarsAssigned => Devices.Count > 0 && Devices.All(d => d.AllAssigned);
    public bool NoSpaceSeen => Log.Any(l => l.Contains("can't assign; no space", StringComparison.Ordinal));
    public bool RetrySeen => Log.Any(l => l.Contains("try to assign unassigned res", StringComparison.Ordinal));
}

/// <summary>The outcome of an unplug request: the functions Linux removed (last first) and the lines it printed.</summary>
public sealed record HotplugRemoval(IReadOnlyList<Bdf> Removed, IReadOnlyList<string> Log);
