using PciEmu.Fabric.FirmwareTables;
using PciEmu.Firmware.Slof;
using PciEmu.Platform;
using PciEmu.Platform.Machines.Pseries;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Firmwares.Slof;

/// <summary>
/// <c>--firmware slof</c>: SLOF 20220719's PCI setup (firmware/PciEmu.Firmware.Slof) on a pseries machine. QEMU builds
/// the device tree at reset (bus numbers, function nodes); SLOF walks each PHB node through RTAS config calls, assigns
/// BARs and bridge windows and adds assigned-addresses and bridge bus-ranges, which the OS then reads (<see cref="Finish"/>).
/// </summary>
public sealed class SlofFirmwareKind : FirmwareKind
{
    public static SlofFirmwareKind Instance { get; } = new();

    private SlofFirmwareKind()
    {
    }

    public override string Name => "slof";
    public override string Description => "SLOF 20220719 PCI setup (pci-phb.fs, pci-scan.fs, pci-properties.fs), -M pseries only";

    /// <summary>spapr_build_fdt at machine reset, then SLOF's phb-setup-children for every PHB node.</summary>
    public override FirmwareRun? Run(Machine machine, RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var board = PseriesMachineKind.BoardOf(machine)
            ?? throw new TopologyException("--firmware slof", "SLOF needs a PAPR machine (-M pseries)");
        var tree = board.BuildDeviceTree();
        SlofResult result;
        using (machine.Cpu.BeginPhase("slof: phb-setup-children"))
        {
            result = SlofFirmware.PciSetup(new SlofInput
            {
                Phbs = tree,
                Rtas = buid => board.FindPhb(buid)!.Accessor,
                // Without -kernel SLOF goes on to boot: disk, cdrom, then the "net" device.
                NetworkBoot = request.Kernel is null,
            });
        }
        return new FirmwareRun
        {
            Log = result.Log,
            Failed = result.Failure is not null,
            FailureMessage = result.Failure,
            Outcome = result.Failure is { } f ? $"failed: {f}" : "ok",
            Result = result,
        };
    }

    /// <summary>
    /// The tree the OS reads is SLOF's: QEMU's rebuilt nodes at CAS keep the properties only SLOF made
    /// (assigned-addresses, bridge bus-range), so the PHB hosts come from SLOF's result.
    /// </summary>
    public override FirmwareTables Finish(FirmwareTables tables, FirmwareRun? run)
    {
        ArgumentNullException.ThrowIfNull(tables);
        if (run?.Result is not SlofResult r) return tables;
        var byPath = r.Hosts.ToDictionary(h => h.NodePath, StringComparer.Ordinal);
        return tables with { DeviceTree = [.. tables.DeviceTree.Select(h => byPath.GetValueOrDefault(h.NodePath) ?? h)] };
    }
}
