using PciEmu.Fabric.FirmwareTables;
using PciEmu.Firmware.SeaBios;
using PciEmu.Platform;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Firmwares.SeaBios;

/// <summary>Wires a machine to the SeaBIOS port: what the port may touch (accessors, fw_cfg, ports, phases).</summary>
public static class SeaBiosEnvironments
{
    /// <summary>
    /// Everything a <see cref="Machine"/> offers firmware: CF8/CFC, ECAM at the programmed address, its fw_cfg,
    /// port I/O and phases on its CPU bus.
    /// </summary>
    public static SeaBiosEnvironment ForMachine(Machine machine) => new()
    {
        Cf8Cfc = machine.Cf8,
        Ecam = machine.EcamAt,
        FwCfg = machine.FwCfg,
        Ports = new CpuBusPortIo(machine.Cpu),
        Phases = new CpuBusPhaseSink(machine.Cpu),
    };
}

/// <summary><c>--firmware seabios</c>: the SeaBIOS rel-1.16.2 pciinit port (firmware/PciEmu.Firmware.SeaBios).</summary>
public sealed class SeaBiosFirmwareKind : FirmwareKind
{
    public static SeaBiosFirmwareKind Instance { get; } = new();

    private SeaBiosFirmwareKind()
    {
    }

    public override string Name => "seabios";
    public override string Description => "SeaBIOS rel-1.16.2 (POST steps that touch PCI, then pci_setup)";

    public override string WindowPolicy =>
        "SeaBIOS (pci_bios_check_devices): a window is ALIGN(sum of what is behind it); a hot-plug port gets its minimum "
        + "(4K I/O, 2M mem, 2M pref) or the reservation capability's sizes; regions are placed top-down below the 32-bit "
        + "hole end, 64-bit prefetchable above 4 GiB only when the 32-bit hole is too small.";

    public override FirmwareRun? Run(Machine machine, RunRequest request)
    {
        if (machine.Kind.Architecture != TableArchitecture.X86)
            throw new TopologyException("--firmware", $"firmware seabios: SeaBIOS does not run on the {machine.Kind.Name} machine (use --firmware edk2)");
        var env = SeaBiosEnvironments.ForMachine(machine);
        if (request.Mechanism == MechanismOverride.Cf8Cfc) env = env with { Ecam = _ => machine.Cf8 };
        var result = SeaBiosFirmware.Run(env, request.SeaBiosOptions);
        return new FirmwareRun
        {
            Log = result.Log,
            E820 = result.E820,
            Failed = result.Outcome.IsFailure,
            FailureMessage = result.Outcome.IsFailure ? result.Outcome.Message : null,
            Outcome = result.Outcome.Kind switch
            {
                SeaBiosOutcomeKind.Ok => "ok",
                SeaBiosOutcomeKind.Panic => $"panic: {result.Outcome.Message}",
                SeaBiosOutcomeKind.Hung => $"hang: {result.Outcome.Message}",
                _ => $"aborted: {result.Outcome.Message}",
            },
            Result = result,
        };
    }
}
