using PciEmu.Core.Tracing;
using PciEmu.Fabric;
using PciEmu.Firmware.SeaBios;
using PciEmu.Os;
using PciEmu.Platform;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Running;

/// <summary>Which config mechanism drivers use (for profiling the same enumeration both ways).</summary>
public enum MechanismOverride
{
    /// <summary>As the real software does: SeaBIOS switches to ECAM on q35, Linux uses MCFG where it exists.</summary>
    Native,

    /// <summary>
    /// Everything through CF8/CFC: SeaBIOS still programs PCIEXBAR but keeps using ports, Linux ignores MCFG.
    /// (There is no "ECAM only": firmware must first map the window, and SeaBIOS clears PCIEXBAR while moving it.)
    /// </summary>
    Cf8Cfc,
}

/// <summary>What to run: a parsed topology, the firmware, the kernel and how to account for cycles.</summary>
public sealed record RunRequest
{
    public required Scenario Scenario { get; init; }
    public FirmwareKind Firmware { get; init; } = FirmwareKind.None;

    /// <summary>Null: no kernel. Otherwise the Linux-like enumerator runs after firmware with these options.</summary>
    public KernelOptions? Kernel { get; init; }

    public ICostModel Cost { get; init; } = CostProfiles.BareMetal;
    public MechanismOverride Mechanism { get; init; } = MechanismOverride.Native;
    /// <summary>Creates the trace sink once the machine exists (so it can name registers and phases); null: no trace.</summary>
    public Func<Machine, ITraceSink>? Trace { get; init; }
    public SeaBiosOptions? SeaBiosOptions { get; init; }

    /// <summary>The device models; defaults to PciEmu.Devices through the platform adapter.</summary>
    public IDeviceCatalog? Catalog { get; init; }
}

/// <summary>What one step after boot did.</summary>
public sealed record StepResult(ScenarioStep Step, string Summary)
{
    public HotplugVerdict? Verdict { get; init; }
    public IReadOnlyList<string> Output { get; init; } = [];
    public bool? Passed { get; init; }
}
