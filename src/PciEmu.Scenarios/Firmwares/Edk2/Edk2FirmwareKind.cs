using PciEmu.Fabric.FirmwareTables;
using PciEmu.Firmware.Edk2;
using PciEmu.Platform;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Firmwares.Edk2;

/// <summary>
/// <c>--firmware edk2[,version=2026.08|2022.11][,debug=on|off]</c>: the ArmVirtQemu PCI port (PciHostBridgeDxe,
/// PciHotPlugInitDxe, PciBusDxe; firmware/PciEmu.Firmware.Edk2). It finds the host bridge in the device tree the
/// machine publishes (FdtPciHostBridgeLib) and makes its config cycles through that ECAM window; a machine without a
/// device-tree PCI host (pc, q35: OVMF is not modelled) is refused.
/// </summary>
public sealed class Edk2FirmwareKind : FirmwareKind
{
    public static Edk2FirmwareKind Instance { get; } = new();

    private Edk2FirmwareKind()
    {
    }

    public override string Name => "edk2";
    public override string Description => "EDK2 ArmVirtQemu (PciHostBridgeDxe, PciHotPlugInitDxe, PciBusDxe; 2026.08, 2022.11)";

    public override FirmwareRun? Run(Machine machine, RunRequest request)
    {
        if (machine.PublishTables().DeviceTree is not [var dt, ..])
            throw new TopologyException("--firmware", $"firmware edk2: only the arm virt machine is modelled (OVMF on {machine.Kind.Name} is not)");
        var host = Describe(dt);
        Edk2Result result;
        using (machine.Cpu.BeginPhase("edk2: PciBusDxe"))
        {
            result = Edk2Firmware.Run(machine.EcamAt(dt.Ecam.Base), host, request.Edk2Options);
        }
        return new FirmwareRun
        {
            Log = result.Log,
            Outcome = result.Succeeded ? "ok" : "PCI enumeration failed",
            Result = result,
        };
    }

    /// <summary>
    /// FdtPciHostBridgeLib's ProcessPciHost: reg (ECAM), bus-range, and the ranges by space code (I/O with its CPU
    /// translation, 32-bit MMIO, 64-bit MMIO).
    /// </summary>
    public static HostBridgeDescription Describe(DeviceTreePciHost dt)
    {
        ArgumentNullException.ThrowIfNull(dt);
        var io = dt.Ranges.First(r => r.Space == WindowSpace.Io);
        var mem32 = dt.Ranges.First(r => r.Space == WindowSpace.Memory);
        var mem64 = dt.Ranges.FirstOrDefault(r => r.Space == WindowSpace.Memory64);
        return new HostBridgeDescription
        {
            EcamBase = dt.Ecam.Base, EcamSize = (ulong)(dt.Ecam.EndBus - dt.Ecam.StartBus + 1) * PciEmu.Fabric.EcamHost.BytesPerBus,
            BusStart = dt.Ecam.StartBus, BusEnd = dt.Ecam.EndBus,
            IoBase = io.Start, IoSize = io.End - io.Start + 1, IoCpuBase = io.Start + io.Translation,
            Mem32Base = mem32.Start, Mem32Size = mem32.End - mem32.Start + 1,
            Mem64Base = mem64.Start, Mem64Size = mem64.Space == WindowSpace.Memory64 ? mem64.End - mem64.Start + 1 : 0,
        };
    }

    /// <summary>edk2[,version=2026.08|2022.11][,debug=on|off]: the words after the name.</summary>
    public static Edk2Options ParseOptions(IReadOnlyList<string> parts, string token)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var o = new Edk2Options();
        foreach (var p in parts.Skip(1))
        {
            var kv = p.Split('=', 2);
            o = kv[0] switch
            {
                "version" when kv.Length == 2 && Edk2Options.ParseVersion(kv[1]) is { } v => o with { Version = v },
                "debug" when kv.Length == 2 && kv[1] is "on" or "off" => o with { DebugLog = kv[1] == "on" },
                _ => throw new TopologyException(token, $"firmware edk2: bad option '{p}' (version=2026.08|2022.11, debug=on|off)"),
            };
        }
        return o;
    }
}
