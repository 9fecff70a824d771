using PciEmu.Fabric.FirmwareTables;
using PciEmu.Firmware.Hvmloader;
using PciEmu.Platform;
using PciEmu.Platform.Machines.Xenfv;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Firmwares.Hvmloader;

/// <summary>
/// <c>--firmware hvmloader[,version=4.5|4.20]</c>: Xen's hvmloader pci_setup (firmware/PciEmu.Firmware.Hvmloader) on
/// an xenfv machine. It reads hvm_info and the xenstore keys libxl wrote (the machine's <see cref="XenfvState"/>),
/// programs bus 0 through CF8/CFC, and its ACPI info block (pci_min/len, pci_hi_min/len) and RAM relocation change
/// the tables the guest reads (<see cref="Finish"/>).
/// </summary>
public sealed class HvmloaderFirmwareKind : FirmwareKind
{
    private const int PageShift = 12;

    public static HvmloaderFirmwareKind Instance { get; } = new(HvmloaderVersion.V4_20);

    private HvmloaderFirmwareKind(HvmloaderVersion version)
    {
        Version = version;
    }

    /// <summary>Which pci_setup generation runs (version=4.5, or 4.20 = 4.19, the default).</summary>
    public HvmloaderVersion Version { get; }

    public override string Name => "hvmloader";
    public override string Description => "Xen hvmloader pci_setup (4.20; version=4.5 for Xen 4.5), -M xenfv only";

    /// <summary>version=4.5 | version=4.20 (version=4.19: the same pci_setup).</summary>
    public override FirmwareKind Configure(string option, string token) => option switch
    {
        "version=4.5" => Version == HvmloaderVersion.V4_5 ? this : new HvmloaderFirmwareKind(HvmloaderVersion.V4_5),
        "version=4.20" or "version=4.19" => Instance,
        _ => throw new TopologyException(token, $"hvmloader: unknown option '{option}' (version=4.5 or version=4.20)"),
    };

    /// <summary>pci_setup over CF8/CFC with hvm_info and the xenstore keys libxl wrote; ELCR writes reach the ports.</summary>
    public override FirmwareRun? Run(Machine machine, RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var xen = XenfvMachineKind.StateOf(machine)
            ?? throw new TopologyException("--firmware hvmloader", "hvmloader needs a Xen HVM guest (-M xenfv)");
        var input = new HvmloaderInput
        {
            Version = Version,
            LowMemPgEnd = xen.Memory.LowMemPgEnd,
            HighMemPgEnd = xen.Memory.HighMemPgEnd,
            MmioHoleSize = xen.Memory.MmioHoleSize,
            AllowMemoryRelocate = xen.Config.EffectiveAllowMemoryRelocate,
            OutB = (port, value) => machine.Cpu.Out(port, 1, value),
        };
        HvmloaderResult result;
        using (machine.Cpu.BeginPhase("hvmloader: pci_setup"))
        {
            result = HvmloaderFirmware.PciSetup(machine.Cf8, input);
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
    /// The DSDT's PCI0._CRS reads the ACPI info block hvmloader filled; Linux's PCI gap starts above the low RAM that
    /// remains after hvmloader's relocation. (hvmloader's e820 is not modelled: the tables keep none.)
    /// </summary>
    public override FirmwareTables Finish(FirmwareTables tables, FirmwareRun? run)
    {
        if (run?.Result is not HvmloaderResult r) return tables;
        var acpi = r.AcpiInfo;
        return XenfvTables.WithAcpiInfo(tables, new XenAcpiInfo(acpi.PciMin, acpi.PciLen, acpi.PciHiMin, acpi.PciHiLen), (ulong)r.LowMemPgEnd << PageShift);
    }
}
