using PciEmu.Core;

namespace PciEmu.Firmware.Edk2;

/// <summary>What an EDK2 run leaves: the DEBUG log (lines without "\n") and whether PCI enumeration succeeded.</summary>
public sealed record Edk2Result(IReadOnlyList<string> Log, bool Succeeded, int SubordinateBus);

/// <summary>
/// ArmVirtQemu's PCI start-up through config cycles: PciHostBridgeDxe loads (root bridge from the device-tree
/// description), PciHotPlugInitDxe installs its protocol, BDS connects the root bridge and PciBusDxe enumerates the
/// whole host bridge. The accessor is the ECAM window the description names.
/// </summary>
public static class Edk2Firmware
{
    public static Edk2Result Run(IConfigAccessor ecam, HostBridgeDescription host, Edk2Options? options = null)
    {
        options ??= new Edk2Options();
        var log = new Edk2Log(options.DebugLog);
        var hostBridge = new PciHostBridge(host, log);
        hostBridge.Initialize();
        var bus = new PciBus(ecam, options, log, hostBridge);
        bus.PciEnumerator();
        return new Edk2Result(log.Lines, !bus.Failed, hostBridge.BusDecoded.End);
    }
}
