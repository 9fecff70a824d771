using PciEmu.Fabric.FirmwareTables;
using PciEmu.Platform.Machines.X86;

namespace PciEmu.Platform.Machines.Pc;

/// <summary>
/// <c>-M pc</c> (hw/i386/pc_piix.c): i440FX host bridge, PIIX3 ISA bridge + IDE, PIIX4 PM with ACPI PCI hot-plug
/// (root bus and, by default, bridges); conventional PCI root bus pci.0; no _OSC.
/// </summary>
public class PcMachineKind : QemuX86MachineKind
{
    public static PcMachineKind Instance { get; } = new();

    /// <summary>pc_piix.c: default max-ram-below-4g (3.5 GiB).</summary>
    public const ulong DefaultMaxRamBelow4G = 0xe0000000;

    /// <summary>pc_piix.c gigabyte_align: the split when RAM reaches max-ram-below-4g.</summary>
    public const ulong GigabyteAlignedLowMem = 0xc0000000;

    /// <summary>PIIX3 RCR keeps bit 1 (SYS_RST).</summary>
    private const byte PiixResetKeptBits = 0x02;

    protected PcMachineKind()
    {
    }

    public override string Name => "pc";
    public override string Description => "Standard PC (i440FX + PIIX, 1996)";
    public override string? Family => "pc_piix";
    protected override string TypePrefix => "pc-i440fx-";
    protected override (int Major, int Minor) Oldest => (1, 4);
    protected override string HostBridgeType => "i440FX-pcihost";
    protected override ulong DefaultHole64Size => MemoryLayout.PcHole64Size;

    /// <summary>pc_i440fx_7_2_machine_options: m->is_default = true.</summary>
    public override bool IsDefault(MachineType type) => type == Latest;

    public override string RootBusName => "pci.0";
    public override bool RootBusIsExpress => false;
    public override bool RootBusTakesAutomaticId => true;
    public override byte? ResetControlKeptBits => PiixResetKeptBits;

    /// <summary>pc_init1: i440FX 00:00.0, PIIX3 00:01.0 (multifunction), IDE 00:01.1, PIIX4 PM 00:01.3.</summary>
    public override IReadOnlyList<DefaultDevice> DefaultDevices { get; } =
    [
        new("i440FX", 0, 0, false), new("PIIX3", 1, 0, true), new("piix3-ide", 1, 1, false), new("PIIX4_PM", 1, 3, false),
    ];

    /// <summary>pc_init1: max-ram-below-4g (default 3.5 GiB), gigabyte-aligned to 3 GiB when RAM reaches it.</summary>
    public override ulong LowMemory(MachineOptions options)
    {
        var max = options.MaxRamBelow4G != 0 ? options.MaxRamBelow4G : DefaultMaxRamBelow4G;
        var lowmem = max;
        if (options.RamSize >= max && lowmem > GigabyteAlignedLowMem) lowmem = GigabyteAlignedLowMem;
        return lowmem;
    }

    /// <summary>PIIX4_PM's acpi-pci-hotplug-with-bridge-support (off before pc-i440fx-2.0) and acpi-root-pci-hotplug.</summary>
    public override AcpiFacts ComputeAcpi(MachineType type, GlobalSet globals) => AcpiFacts.ForPiix4(
        globals.TakeBool("PIIX4_PM", "acpi-pci-hotplug-with-bridge-support") ?? type.IsAtLeast(2, 0),
        globals.TakeBool("PIIX4_PM", "acpi-root-pci-hotplug") ?? true);

    /// <summary>acpi_build for pc: PCI0's _CRS (no MCFG, no _OSC), the ACPI hot-plug slots.</summary>
    public override FirmwareTables PublishTables(Machine machine) => QemuX86Tables.Build(machine, q35: false);
}
