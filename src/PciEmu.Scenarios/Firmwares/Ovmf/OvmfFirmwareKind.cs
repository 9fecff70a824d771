using PciEmu.Fabric.FirmwareTables;
using PciEmu.Firmware.Edk2;
using PciEmu.Platform;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Firmwares.Ovmf;

/// <summary>
/// <c>--firmware ovmf[,version=2022.11|2026.08][,debug=on|off]</c>: x86 OVMF's PCI start-up on pc and q35 (PlatformPei's
/// apertures from fw_cfg and CPUID, PciHostBridgeLib, the shared PciHostBridgeDxe / PciHotPlugInitDxe / PciBusDxe port,
/// BDS's command and interrupt-line writes; firmware/PciEmu.Firmware.Edk2). The default release is Debian 12's
/// OVMF 2022.11 (edk2-stable202211), the one the project's recordings use.
/// </summary>
public sealed class OvmfFirmwareKind : FirmwareKind
{
    public static OvmfFirmwareKind Instance { get; } = new(new Edk2Options { Version = Edk2Version.Stable202211, DebugLog = false });

    private OvmfFirmwareKind(Edk2Options options)
    {
        Options = options;
    }

    /// <summary>The release and DEBUG switch this kind runs with.</summary>
    public Edk2Options Options { get; }

    public override string Name => "ovmf";
    public override string Description => "OVMF x86 (PlatformPei apertures, PciBusDxe, PciHotPlugInitDxe, BDS; 2022.11 default, 2026.08)";

    public override string WindowPolicy =>
        "OVMF (PciHotPlugInitDxe, PciBusDxe): a hot-plug port is padded to at least 2M mem, 512 B I/O (2022.11 only) and, "
        + "when the 64-bit aperture exceeds 32 GiB (CPU phys-bits), aperture/256 of 64-bit prefetchable (512M with "
        + "TCG's 40 bits); the reservation capability replaces the defaults; placement is bottom-up from each aperture's "
        + "base, 64-bit prefetchable in the 64-bit aperture.";

    /// <summary>version=2022.11|2026.08, debug=on|off (a DEBUG build's log; Debian's RELEASE build prints none).</summary>
    public override FirmwareKind Configure(string option, string token)
    {
        var kv = option.Split('=', 2);
        return kv[0] switch
        {
            "version" when kv.Length == 2 && Edk2Options.ParseVersion(kv[1]) is { } v => new OvmfFirmwareKind(Options with { Version = v }),
            "debug" when kv.Length == 2 && kv[1] is "on" or "off" => new OvmfFirmwareKind(Options with { DebugLog = kv[1] == "on" }),
            _ => throw new TopologyException(token, $"firmware ovmf: bad option '{option}' (version=2022.11|2026.08, debug=on|off)"),
        };
    }

    public override FirmwareRun? Run(Machine machine, RunRequest request)
    {
        if (machine.Kind.Architecture != TableArchitecture.X86 || !machine.Kind.HasCf8Cfc)
            throw new TopologyException("--firmware", $"firmware ovmf: OVMF runs on pc and q35, not on {machine.Kind.Name} (use --firmware edk2 on arm virt)");
        var cpu = machine.Options.Cpu ?? X86Cpu.Default;
        var env = new OvmfEnvironment
        {
            Cf8Cfc = machine.Cf8,
            Ecam = request.Mechanism == MechanismOverride.Cf8Cfc ? _ => machine.Cf8 : machine.EcamAt,
            FwCfg = machine.FwCfg,
            Cpu = new OvmfCpuId { Vendor = cpu.Vendor, PhysBits = cpu.PhysBits, Page1GSupport = cpu.Page1G },
        };
        OvmfResult result;
        using (machine.Cpu.BeginPhase("ovmf: PciBusDxe"))
        {
            result = Edk2Firmware.RunOvmf(env, Options);
        }
        var failed = result.FailureMessage is not null;
        return new FirmwareRun
        {
            Log = result.Pci.Log,
            E820 = failed ? null : E820For(machine, result.Platform),
            Failed = failed,
            FailureMessage = result.FailureMessage,
            Outcome = failed ? $"halted: {result.FailureMessage}" : result.Pci.Succeeded ? "ok" : "PCI enumeration failed",
            Result = result,
        };
    }

    /// <summary>
    /// The memory map the kernel gets from OVMF (the UEFI memory map as e820): QEMU's etc/e820 entries, plus the
    /// MMCONFIG area OVMF reserves on q35 (PlatformMemMapInitialization: "Linux insists that the MMCONFIG area be
    /// marked in the E820 or UEFI memory map as reserved memory").
    /// </summary>
    private static IReadOnlyList<E820Entry> E820For(Machine machine, OvmfPlatformInfo info)
    {
        var e820 = machine.Memory.E820.ToList();
        if (info.PciExpressBaseAddress != 0) e820.Add(new E820Entry(info.PciExpressBaseAddress, PciEmu.Fabric.EcamHost.BytesPerBus * 256, E820Type.Reserved));
        return e820.OrderBy(e => e.Start).ToArray();
    }
}
