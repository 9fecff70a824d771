namespace PciEmu.Platform.Machines.Xenfv;

/// <summary>
/// The ACPI info block hvmloader leaves at 0xFC000000 for the DSDT (acpi_info: pci_min/pci_len, pci_hi_min/pci_hi_len).
/// The _CRS of \_SB.PCI0 reads it; the platform keeps it so the guest's facts come from what the firmware wrote.
/// </summary>
public sealed record XenAcpiInfo(uint PciMin, uint PciLen, ulong PciHiMin, ulong PciHiLen)
{
    /// <summary>RESERVED_MEMBASE: the 32-bit window always ends below hvmloader's reserved area.</summary>
    public const uint ReservedMemBase = 0xFC000000;

    /// <summary>The block before hvmloader ran: pci_mem_start's initial value (HVM_BELOW_4G_MMIO_START) and no high window.</summary>
    public static XenAcpiInfo Initial { get; } = new((uint)XenMemoryLayout.Below4GMmioStart, ReservedMemBase - (uint)XenMemoryLayout.Below4GMmioStart, 0, 0);
}

/// <summary>
/// The Xen side of an xenfv machine: the xl configuration, the RAM layout libxl built, and the ACPI info block
/// (written by the firmware, read by the DSDT). Hot-plug on bus 0 is QEMU's PIIX4 ACPI hot-plug (0xAE00) that
/// hvmloader's DSDT drives through slots S1..S31.
/// </summary>
public sealed class XenfvState
{
    /// <summary>mk_dsdt.c (qemu-xen flavour): hot-plug slot objects S1..S31 on \_SB.PCI0, each with _SUN and _EJ0.</summary>
    public const int FirstHotplugSlot = 1;
    public const int LastHotplugSlot = 31;

    internal XenfvState(XlConfig config, XenMemoryLayout memory)
    {
        Config = config;
        Memory = memory;
    }

    public XlConfig Config { get; }

    /// <summary>What hvm_info says at boot; hvmloader may relocate RAM (see <see cref="RamAfterFirmware"/>).</summary>
    public XenMemoryLayout Memory { get; }

    /// <summary>The ACPI info block as the firmware left it.</summary>
    public XenAcpiInfo AcpiInfo { get; private set; } = XenAcpiInfo.Initial;

    /// <summary>RAM layout after the firmware's relocation (null until firmware reported it).</summary>
    public XenMemoryLayout? RamAfterFirmware { get; private set; }

    /// <summary>hvmloader's hand-off: the ACPI info page and hvm_info's RAM page ends after relocation.</summary>
    public void FirmwareDone(XenAcpiInfo acpi, uint lowMemPgEnd, uint highMemPgEnd)
    {
        AcpiInfo = acpi;
        RamAfterFirmware = Memory with { LowMemPgEnd = lowMemPgEnd, HighMemPgEnd = highMemPgEnd };
    }

    /// <summary>End of RAM below 4 GiB the guest's E820 shows (where Linux's PCI gap starts).</summary>
    public ulong LowRamEnd => (RamAfterFirmware ?? Memory).LowRamEnd;
}

/// <summary>
/// QEMU 7.2's xenfv machine (hw/i386/pc_piix.c pc_xen_hvm_init on pc-i440fx-4.2 options): the pc chipset, then the
/// xen-platform device at the next free slot. Names: "xenfv" (alias of "xenfv-4.2") and "xenfv-3.1".
/// This is the whole hook surface the shared files use: <see cref="Find"/>, <see cref="NameOf"/>, <see cref="Init"/>.
/// </summary>
public static class XenfvMachine
{
    public const string Alias = "xenfv";
    private const string Prefix = "xenfv-";

    public static MachineType Latest { get; } = new(MachineKind.Pc, 4, 2) { IsXenfv = true };

    /// <summary>find_machine for the xenfv names (null: not an xenfv name).</summary>
    public static MachineType? Find(string name) => name switch
    {
        Alias or "xenfv-4.2" => Latest,
        "xenfv-3.1" => new(MachineKind.Pc, 3, 1) { IsXenfv = true },
        _ => null,
    };

    public static string NameOf(MachineType type) => Prefix + $"{type.Major}.{type.Minor}";

    /// <summary>
    /// pc_xen_hvm_init after pc_init1: -usb's UHCI at 01.2 (pc_init1 with usb=on), then pci_create_simple(bus, -1,
    /// "xen-platform") unless xen_platform_pci=0 (libxl then starts "pc,accel=xen", which has no platform device).
    /// </summary>
    internal static XenfvState Init(Machine machine, XlConfig? config)
    {
        var xl = config ?? new XlConfig();
        var memoryMiB = xl.MemoryMiB ?? machine.Options.RamSize / XenMemoryLayout.MiB;
        var layout = XenMemoryLayout.Compute(memoryMiB, xl.MaxMemMiB ?? memoryMiB, xl.EffectiveVideoRamMiB, xl.MmioHoleMiB);
        if (xl.Usb) machine.AddDevice(new DeviceRequest { Driver = "piix3-usb-uhci", Properties = [new(PciCommonProperties.Addr, "01.2")] });
        if (xl.XenPlatformPci) machine.AddDevice(new DeviceRequest { Driver = "xen-platform" });
        return new XenfvState(xl, layout);
    }

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
