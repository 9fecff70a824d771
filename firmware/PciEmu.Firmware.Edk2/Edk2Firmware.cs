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

    /// <summary>
    /// x86 OVMF: PlatformPei decides the apertures from fw_cfg and CPUID (and maps MMCONFIG on q35 through CF8/CFC),
    /// PciHostBridgeLib hands them to PciHostBridgeDxe, PciBusDxe enumerates through MMCONFIG (q35) or CF8/CFC (i440fx)
    /// with OVMF's PCDs (PcdPciMmio64Size from PEI, option-ROM degrade on, IncompatiblePciDeviceSupportDxe when a
    /// 64-bit aperture exists), then BDS enables every function and writes interrupt lines.
    /// </summary>
    public static OvmfResult RunOvmf(OvmfEnvironment env, Edk2Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        options ??= new Edk2Options { Version = Edk2Version.Stable202211 };
        // InitializePlatform (PlatformPei/Platform.c): the host bridge's device ID decides the board.
        var hostBridgeDevId = env.Cf8Cfc.Read16(new Bdf(0, 0, 0), CommonHeader.DeviceId.Offset);
        if (hostBridgeDevId is not (OvmfPlatform.IntelQ35MchDeviceId or OvmfPlatform.Intel82441DeviceId))
        {
            var msg = $"Unknown Host Bridge Device ID: 0x{hostBridgeDevId:x4}";
            return new OvmfResult(new Edk2Result([msg], false, 0), new OvmfPlatformInfo(), null) { FailureMessage = msg };
        }
        var isQ35 = hostBridgeDevId == OvmfPlatform.IntelQ35MchDeviceId;
        var platform = new OvmfPlatform(env.FwCfg, env.Cpu, hostBridgeDevId, options.Version);
        var info = platform.Initialize();
        platform.PlatformMiscInitialization(env.Cf8Cfc);
        var host = platform.PciHostBridgeGetRootBridges(info);
        var accessor = isQ35 ? env.Ecam(info.PciExpressBaseAddress) : env.Cf8Cfc;
        options = options with
        {
            PcdPciMmio64Size = info.PcdPciMmio64Size,
            PcdPciDegradeResourceForOptionRom = true,
            IncompatiblePciDeviceSupport = info.PcdPciMmio64Size != 0,
            Bds = new OvmfBds(isQ35),
        };
        var log = new Edk2Log(options.DebugLog);
        foreach (var line in info.Log) log.Debug(line);
        var hostBridge = new PciHostBridge(host, log);
        hostBridge.Initialize();
        var bus = new PciBus(accessor, options, log, hostBridge);
        bus.PciEnumerator();
        if (!bus.Failed) bus.PlatformBds(options.Bds);
        return new OvmfResult(new Edk2Result(log.Lines, !bus.Failed, hostBridge.BusDecoded.End), info, host);
    }
}

/// <summary>What x86 OVMF reaches: CF8/CFC, MMCONFIG at the base it programs, QEMU's fw_cfg, CPUID, the host bridge's device ID.</summary>
public sealed record OvmfEnvironment
{
    public required IConfigAccessor Cf8Cfc { get; init; }
    public required Func<ulong, IConfigAccessor> Ecam { get; init; }
    public required PciEmu.Fabric.FirmwareTables.IFwCfg FwCfg { get; init; }
    public OvmfCpuId Cpu { get; init; } = new();
}

/// <summary>An OVMF run: the PCI result, the platform's apertures, the root bridge it described.</summary>
public sealed record OvmfResult(Edk2Result Pci, OvmfPlatformInfo Platform, HostBridgeDescription? Host)
{
    /// <summary>Why OVMF stopped before PCI enumeration (an unknown host bridge), else null.</summary>
    public string? FailureMessage { get; init; }
}
