using PciEmu.Fabric.FirmwareTables;
using PciEmu.Platform.Machines.X86;

namespace PciEmu.Platform.Machines.Q35;

/// <summary>
/// <c>-M q35</c> (hw/i386/pc_q35.c): Q35 MCH with PCIEXBAR (ECAM), ICH9 LPC + AHCI + SMBus, PCIe root bus
/// pcie.0 without hot-plug, ACPI PCI hot-plug on bridges from pc-q35-6.1 (else native PCIe), _OSC on PCI0.
/// </summary>
public sealed class Q35MachineKind : QemuX86MachineKind
{
    public static Q35MachineKind Instance { get; } = new();

    /// <summary>pc_q35.c: RAM at or above this moves everything above 2 GiB to 4 GiB.</summary>
    public const ulong LowMemLimit = 0xb0000000;
    public const ulong LowMemSplit = 0x80000000;

    /// <summary>ICH9 RST_CNT keeps bits 3 (FULL_RST) and 1.</summary>
    private const byte Ich9ResetKeptBits = 0x0a;

    private Q35MachineKind()
    {
    }

    public override string Name => "q35";
    public override string Description => "Standard PC (Q35 + ICH9, 2009)";
    public override string? Family => "pc_q35";
    protected override string TypePrefix => "pc-q35-";
    protected override (int Major, int Minor) Oldest => (2, 4);
    protected override string HostBridgeType => "q35-pcihost";
    protected override ulong DefaultHole64Size => MemoryLayout.Q35Hole64Size;

    public override string RootBusName => "pcie.0";
    public override bool RootBusIsExpress => true;
    public override byte? ResetControlKeptBits => Ich9ResetKeptBits;
    public override bool HasEcam => true;
    public override string DefaultNic => "e1000e";

    /// <summary>pc_q35_init: MCH 00:00.0, ICH9 LPC 00:1f.0 (multifunction), AHCI 00:1f.2, SMBus 00:1f.3.</summary>
    public override IReadOnlyList<DefaultDevice> DefaultDevices { get; } =
    [
        new("mch", 0, 0, false), new("ICH9-LPC", 0x1f, 0, true), new("ich9-ahci", 0x1f, 2, false), new("ICH9-SMB", 0x1f, 3, false),
    ];

    /// <summary>pc_q35_init: 2 GiB low when RAM reaches 0xb0000000, else 0xb0000000; max-ram-below-4g only lowers it.</summary>
    public override ulong LowMemory(MachineOptions options)
    {
        var lowmem = options.RamSize >= LowMemLimit ? LowMemSplit : LowMemLimit;
        if (options.MaxRamBelow4G != 0 && lowmem > options.MaxRamBelow4G) lowmem = options.MaxRamBelow4G;
        return lowmem;
    }

    /// <summary>ICH9-LPC's acpi-pci-hotplug-with-bridge-support: on from pc-q35-6.1.</summary>
    public override AcpiFacts ComputeAcpi(MachineType type, GlobalSet globals) => AcpiFacts.ForIch9(
        globals.TakeBool("ICH9-LPC", "acpi-pci-hotplug-with-bridge-support") ?? type.IsAtLeast(6, 1));

    /// <summary>acpi_build for q35: MCFG, PCI0's _CRS, _OSC, the ACPI hot-plug slots.</summary>
    public override FirmwareTables PublishTables(Machine machine) => QemuX86Tables.Build(machine, q35: true);
}
