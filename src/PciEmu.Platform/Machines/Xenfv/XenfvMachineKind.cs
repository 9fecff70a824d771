using PciEmu.Fabric.FirmwareTables;
using PciEmu.Platform.Machines.Pc;

namespace PciEmu.Platform.Machines.Xenfv;

/// <summary>
/// The ACPI info block hvmloader leaves at 0xFC000000 for the DSDT (acpi_info: pci_min/pci_len, pci_hi_min/pci_hi_len).
/// The _CRS of \_SB.PCI0 reads it (<see cref="XenfvTables"/>).
/// </summary>
public sealed record XenAcpiInfo(uint PciMin, uint PciLen, ulong PciHiMin, ulong PciHiLen)
{
    /// <summary>RESERVED_MEMBASE: the 32-bit window always ends below hvmloader's reserved area.</summary>
    public const uint ReservedMemBase = 0xFC000000;

    /// <summary>The block before hvmloader ran: pci_mem_start's initial value (HVM_BELOW_4G_MMIO_START) and no high window.</summary>
    public static XenAcpiInfo Initial { get; } = new((uint)XenMemoryLayout.Below4GMmioStart, ReservedMemBase - (uint)XenMemoryLayout.Below4GMmioStart, 0, 0);
}

/// <summary>
/// The Xen side of an xenfv machine (its <see cref="Machine.BoardState"/>): the xl configuration and the RAM layout
/// libxl built and hands hvmloader in hvm_info. What hvmloader changes reaches the OS through the firmware tables.
/// </summary>
public sealed class XenfvState
{
    internal XenfvState(XlConfig config, XenMemoryLayout memory)
    {
        Config = config;
        Memory = memory;
    }

    public XlConfig Config { get; }

    /// <summary>What hvm_info says at boot (hvmloader may relocate RAM; its result says where RAM ended up).</summary>
    public XenMemoryLayout Memory { get; }
}

/// <summary>
/// <c>-M xenfv</c>: QEMU 7.2's Xen HVM machine (hw/i386/pc_piix.c: xenfv_machine_4_2_options on
/// pc_i440fx_machine_4_2_options, pc_xen_hvm_init after pc_init1): the pc chipset and every pc rule, then the
/// xen-platform device at the next free slot. Its ACPI tables are hvmloader's (tools/libacpi), not QEMU's: the DSDT's
/// PCI0 _CRS reads the ACPI info block the firmware fills (<see cref="XenfvTables"/>).
/// </summary>
public sealed class XenfvMachineKind : PcMachineKind
{
    public static new XenfvMachineKind Instance { get; } = new();

    private XenfvMachineKind()
    {
    }

    public override string Name => "xenfv";
    public override string Description => "Xen Fully-virtualized PC";
    protected override string TypePrefix => "xenfv-";
    protected override (int Major, int Minor) Oldest => (3, 1);

    /// <summary>DEFINE_PC_MACHINE(xenfv_4_2, "xenfv-4.2") and (xenfv, "xenfv-3.1"), newest first.</summary>
    public override IReadOnlyList<MachineType> Types => _types ??= [new(this, 4, 2), new(this, 3, 1)];

    private IReadOnlyList<MachineType>? _types;

    /// <summary>xenfv_3_1_machine_options sets m->alias = "xenfv": the bare name is xenfv-3.1 (what libxl's
    /// "-machine xenfv" starts), not the newer xenfv-4.2.</summary>
    public override MachineType Latest => Types[1];

    /// <summary>Xen's SeaBIOS leaves PCI alone: hvmloader's pci_setup programs bus 0 before it.</summary>
    public override string? PciFirmware => "hvmloader";

    /// <summary>Not QEMU's default machine.</summary>
    public override bool IsDefault(MachineType type) => false;

    /// <summary>find_machine for the xenfv names: the alias, xenfv-4.2 and xenfv-3.1.</summary>
    public override MachineType? Find(string name) =>
        name == Name ? Latest : Types.FirstOrDefault(t => TypeName(t) == name);

    /// <summary>
    /// pc_xen_hvm_init after pc_init1: -usb's UHCI at 01.2 (pc_init1 with usb=on), then pci_create_simple(bus, -1,
    /// "xen-platform") unless xen_platform_pci=0 (libxl then starts "pc,accel=xen", which has no platform device).
    /// </summary>
    public override object? InitBoard(Machine machine)
    {
        var xl = machine.Options.BoardConfig as XlConfig ?? new XlConfig();
        var memoryMiB = xl.MemoryMiB ?? machine.Options.RamSize / XenMemoryLayout.MiB;
        var layout = XenMemoryLayout.Compute(memoryMiB, xl.MaxMemMiB ?? memoryMiB, xl.EffectiveVideoRamMiB, xl.MmioHoleMiB);
        if (xl.Usb) machine.AddDevice(new DeviceRequest { Driver = "piix3-usb-uhci", Properties = [new(PciCommonProperties.Addr, "01.2")] });
        if (xl.XenPlatformPci) machine.AddDevice(new DeviceRequest { Driver = "xen-platform" });
        return new XenfvState(xl, layout);
    }

    /// <summary>libxl_dm.c: xl's VGA and NIC (<see cref="LibxlDefaultDevices"/>) instead of QEMU's defaults.</summary>
    public override IReadOnlyList<DeviceRequest>? LauncherDevices(Machine machine) =>
        LibxlDefaultDevices(StateOf(machine)?.Config ?? new XlConfig());

    /// <summary>The Xen side of an xenfv machine; null for other kinds.</summary>
    public static XenfvState? StateOf(Machine machine) => machine.BoardState as XenfvState;

    /// <summary>hvmloader's DSDT as it reads before the firmware filled the ACPI info block (the firmware's Finish fills it).</summary>
    public override FirmwareTables PublishTables(Machine machine) =>
        XenfvTables.Build(XenAcpiInfo.Initial, StateOf(machine)?.Memory.LowRamEnd ?? machine.Memory.BelowFourG);

    /// <summary>
    /// The -device lines libxl puts on QEMU's command line before any passthrough device (libxl_dm.c, qemu-xen, which
    /// always passes -nodefaults): the VGA (cirrus-vga, or VGA with stdvga=1, vgamem_mb = videoram), then the NIC.
    /// </summary>
    public static IReadOnlyList<DeviceRequest> LibxlDefaultDevices(XlConfig config)
    {
        var list = new List<DeviceRequest>
        {
            new() { Driver = config.StdVga ? "VGA" : "cirrus-vga", Properties = [new("vgamem_mb", config.EffectiveVideoRamMiB.ToString(System.Globalization.CultureInfo.InvariantCulture))] },
        };
        if (config.Nic != "none") list.Add(new DeviceRequest { Driver = config.Nic });
        return list;
    }
}
