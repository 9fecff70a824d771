using PciEmu.Os.Resources;
using PciEmu.Platform.Machines.Xenfv;

namespace PciEmu.Os.Platform;

/// <summary>
/// What hvmloader's DSDT (tools/libacpi/dsdt.asl + mk_dsdt.c, qemu-xen flavour; the same text in 4.5's
/// hvmloader/acpi) tells a guest on an xenfv machine: \_SB.PCI0._CRS built from the ACPI info block hvmloader filled
/// (PMIN/PLEN, and the 64-bit LMIN/HMIN/LEN pair), no _OSC, and hot-plug slots S1..S31 on bus 0 with _SUN/_EJ0.
/// </summary>
public static class XenHvmFacts
{
    private const ulong VgaStart = 0xa0000;
    private const ulong VgaEnd = 0xbffff;
    private const ulong IoLowEnd = 0x0cf7;
    private const ulong IoHighStart = 0x0d00;
    private const ulong IoEnd = 0xffff;

    public static PlatformFacts Build(XenfvState xen)
    {
        var acpi = xen.AcpiInfo;
        var windows = new List<RootWindow>
        {
            new(ResFlags.Io, 0, IoLowEnd),
            new(ResFlags.Io, IoHighStart, IoEnd),
            new(ResFlags.Mem, VgaStart, VgaEnd),
            new(ResFlags.Mem, acpi.PciMin, (ulong)acpi.PciMin + acpi.PciLen - 1),
        };
        // The QWordMemory is all zero unless hvmloader put something above 4 GiB; Linux drops the zero-length descriptor.
        if (acpi.PciHiLen != 0) windows.Add(new(ResFlags.Mem, acpi.PciHiMin, acpi.PciHiMin + acpi.PciHiLen - 1));
        var slots = new List<int>();
        for (var s = XenfvState.FirstHotplugSlot; s <= XenfvState.LastHotplugSlot; s++) slots.Add(s);
        return new PlatformFacts
        {
            Arch = PciArch.X86,
            RootWindows = windows,
            HasOsc = false,
            OscGrantsPcieHotplug = false,
            OscGrantsShpcHotplug = false,
            AcpiSlots = new Dictionary<int, IReadOnlyList<int>> { [0] = slots },
            PciMemStart = xen.LowRamEnd,
        };
    }
}
