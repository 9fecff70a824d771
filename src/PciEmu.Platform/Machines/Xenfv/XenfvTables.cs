using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Platform.Machines.Xenfv;

/// <summary>
/// The PCI part of the ACPI tables an xenfv guest reads: hvmloader's DSDT (tools/libacpi/dsdt.asl + mk_dsdt.c,
/// qemu-xen flavour; the same text in 4.5's hvmloader/acpi). \_SB.PCI0._CRS is built at run time from the ACPI info
/// block (PMIN/PLEN, and the 64-bit LMIN/HMIN/LEN pair); no MCFG, no _OSC, no _DSM; hot-plug slots S1..S31 on bus 0
/// with _SUN/_EJ0 (QEMU's PIIX4 ACPI hot-plug at 0xAE00 does the work).
/// </summary>
public static class XenfvTables
{
    /// <summary>dsdt.asl: Scope(\_SB) Device(PCI0).</summary>
    public const string Pci0Path = @"\_SB_.PCI0";

    /// <summary>mk_dsdt.c (qemu-xen): slot objects S1..S31 on \_SB.PCI0.</summary>
    public const int FirstHotplugSlot = 1;
    public const int LastHotplugSlot = 31;

    private const ulong IoLowEnd = 0x0cf7;
    private const ulong IoHighStart = 0x0d00;
    private const ulong IoEnd = 0xffff;
    private const ulong VgaStart = 0xa0000;
    private const ulong VgaEnd = 0xbffff;

    /// <summary>
    /// The tables with the ACPI info block <paramref name="acpi"/> and Linux's PCI gap above the e820's low RAM ending
    /// at <paramref name="lowRamEnd"/> (hvmloader's e820 is not modelled: no E820 entries).
    /// </summary>
    public static FirmwareTables Build(XenAcpiInfo acpi, ulong lowRamEnd)
    {
        var slots = new List<AcpiHotplugSlot>();
        for (var s = FirstHotplugSlot; s <= LastHotplugSlot; s++) slots.Add(new AcpiHotplugSlot(0, s, $"{Pci0Path}.{AcpiName(s)}"));
        return new FirmwareTables
        {
            Architecture = TableArchitecture.X86,
            Acpi = new AcpiTables
            {
                HostBridges = [new HostBridgeTable { Path = Pci0Path, Windows = Crs(acpi) }],
                HotplugSlots = slots,
            },
            PciGapStart = lowRamEnd,
        };
    }

    /// <summary>
    /// The same tables after the firmware wrote the ACPI info block and relocated RAM: PCI0's _CRS and the PCI gap
    /// change, everything else stays as published.
    /// </summary>
    public static FirmwareTables WithAcpiInfo(FirmwareTables tables, XenAcpiInfo acpi, ulong lowRamEnd)
    {
        ArgumentNullException.ThrowIfNull(tables);
        if (tables.Acpi is not { HostBridges.Count: > 0 } a) return tables with { PciGapStart = lowRamEnd };
        return tables with
        {
            Acpi = a with { HostBridges = [a.HostBridges[0] with { Windows = Crs(acpi) }, .. a.HostBridges.Skip(1)] },
            PciGapStart = lowRamEnd,
        };
    }

    /// <summary>
    /// dsdt.asl PCI0._CRS: the I/O ranges split around CF8/CFC, the VGA window, DWordMemory [PMIN, PMIN+PLEN-1]; the
    /// QWordMemory is all zero unless hvmloader put something above 4 GiB (Linux drops the zero-length descriptor).
    /// </summary>
    private static List<AddressWindow> Crs(XenAcpiInfo acpi)
    {
        var windows = new List<AddressWindow>
        {
            new(WindowSpace.Io, 0, IoLowEnd),
            new(WindowSpace.Io, IoHighStart, IoEnd),
            new(WindowSpace.Memory, VgaStart, VgaEnd),
            new(WindowSpace.Memory, acpi.PciMin, (ulong)acpi.PciMin + acpi.PciLen - 1),
        };
        if (acpi.PciHiLen != 0) windows.Add(new(WindowSpace.Memory, acpi.PciHiMin, acpi.PciHiMin + acpi.PciHiLen - 1));
        return windows;
    }

    /// <summary>mk_dsdt.c push_block("Device", "S%i", slot), padded to the four characters of an ACPI name segment.</summary>
    private static string AcpiName(int slot) => $"S{slot}".PadRight(4, '_');
}
