using PciEmu.Core;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;

namespace PciEmu.Os;

/// <summary>drivers/pci/setup-res.c and bus.c: allocation of one resource and the BAR write-back.</summary>
internal sealed class SetupRes(PciCore core) : PciCorePart(core)
{
    private const ulong FourGiB = 0x1_0000_0000;
    private const ulong IsaAliasBits = 0x300;
    private const ulong IsaAliasAlign = 0x3ff;

    /// <summary>pci_assign_resource.</summary>
    public int AssignResource(PciDev dev, int resno)
    {
        var res = dev.Resources[resno];
        var name = PciCore.ResName(dev, resno);
        if (res.Flags.Any(ResFlags.PciFixed)) return 0;
        res.Flags |= ResFlags.Unset;
        var align = SetupBusSize.ResourceAlignment(res);
        if (align == 0)
        {
            Log.Dev(dev, $"{name} {res}: can't assign; bogus alignment");
            return Errno.EInval;
        }
        var size = res.Size;
        var ret = AssignOnBus(dev, res, size, align);
        if (ret < 0)
        {
            Log.Dev(dev, $"{name} {res}: can't assign; no space");
            ret = RevertFwAddress(dev, resno, size);
        }
        if (ret < 0)
        {
            Log.Dev(dev, $"{name} {res}: failed to assign");
            return ret;
        }
        res.Flags &= ~(ResFlags.Unset | ResFlags.StartAlign);
        Log.Dev(dev, $"{name} {res}: assigned");
        if (resno < PciDev.BridgeResources) UpdateResource(dev, resno);
        return 0;
    }

    /// <summary>pci_reassign_resource: grow an assigned resource by <paramref name="addSize"/> (reallocate_resource).</summary>
    public int ReassignResource(PciDev dev, int resno, ulong addSize, ulong minAlign)
    {
        var res = dev.Resources[resno];
        var name = PciCore.ResName(dev, resno);
        if (res.Flags.Any(ResFlags.PciFixed)) return 0;
        var flags = res.Flags;
        res.Flags |= ResFlags.Unset;
        if (!res.IsAssigned)
        {
            Log.Dev(dev, $"{name} {res}: can't reassign; unassigned resource");
            return Errno.EInval;
        }
        var newSize = res.Size + addSize;
        if (AssignOnBus(dev, res, newSize, minAlign) != 0)
        {
            res.Flags = flags;
            Log.Dev(dev, $"{name} {res}: failed to expand by 0x{ResourceFormat.Hex(addSize)}");
            return Errno.ENoSpace;
        }
        res.Flags &= ~(ResFlags.Unset | ResFlags.StartAlign);
        Log.Dev(dev, $"{name} {res}: reassigned; expanded by 0x{ResourceFormat.Hex(addSize)}");
        if (resno < PciDev.BridgeResources) UpdateResource(dev, resno);
        return 0;
    }

    /// <summary>pci_revert_fw_address: only boot-time claims that failed saved a firmware address.</summary>
    private int RevertFwAddress(PciDev dev, int resno, ulong size)
    {
        var fw = dev.FwAddr[resno];
        if (fw == 0) return Errno.ENoSpace;
        var res = dev.Resources[resno];
        Log.Dev(dev, $"{PciCore.ResName(dev, resno)}: trying firmware assignment {ResourceFormat.Format(fw, fw + size - 1, res.Flags & ~ResFlags.Unset)}");
        var saved = (res.Start, res.End);
        res.Start = fw;
        res.End = fw + size - 1;
        res.Flags &= ~ResFlags.Unset;
        var root = Survey.FindParentResource(dev, res) ?? (res.Flags.Any(ResFlags.Io) ? Core.IoPortRoot : Core.IoMemRoot);
        var conflict = ResourceTree.RequestConflict(root, res);
        if (conflict is null) return 0;
        Log.Dev(dev, $"{PciCore.ResName(dev, resno)} {res}: conflicts with {conflict.Name} {conflict}");
        res.Start = saved.Start;
        res.End = saved.End;
        res.Flags |= ResFlags.Unset;
        return Errno.EBusy;
    }

    /// <summary>_pci_assign_resource: this bus, then up through transparent bridges.</summary>
    private int AssignOnBus(PciDev dev, Resource res, ulong size, ulong align)
    {
        var bus = dev.Bus;
        while (true)
        {
            var ret = AssignInBus(bus, dev, res, size, align);
            if (ret == 0) return 0;
            if (bus.Parent is null || bus.Self is not { Transparent: true }) return ret;
            bus = bus.Parent;
        }
    }

    /// <summary>__pci_assign_resource: exact pref/64 match, then 32-bit pref window, then any non-pref window.</summary>
    private int AssignInBus(PciBusNode bus, PciDev dev, Resource res, ulong size, ulong align)
    {
        var min = res.Flags.Any(ResFlags.Io) ? PciCore.PciBiosMinIo : Facts.PciMemStart;
        if (BusAllocResource(bus, dev, res, size, align, min, ResFlags.Prefetch | ResFlags.Mem64)) return 0;
        if ((res.Flags & (ResFlags.Prefetch | ResFlags.Mem64)) == (ResFlags.Prefetch | ResFlags.Mem64)
            && BusAllocResource(bus, dev, res, size, align, min, ResFlags.Prefetch)) return 0;
        if (res.Flags.Any(ResFlags.Prefetch | ResFlags.Mem64) && BusAllocResource(bus, dev, res, size, align, min, ResFlags.None)) return 0;
        return Errno.ENoSpace;
    }

    /// <summary>pci_bus_alloc_resource: 64-bit resources try the part above 4 GiB first.</summary>
    private bool BusAllocResource(PciBusNode bus, PciDev dev, Resource res, ulong size, ulong align, ulong min, ResFlags typeMask)
    {
        if (res.Flags.Any(ResFlags.Mem64))
        {
            return BusAllocFromRegion(bus, dev, res, size, align, min, typeMask, FourGiB, ulong.MaxValue)
                || BusAllocFromRegion(bus, dev, res, size, align, min, typeMask, 0, ulong.MaxValue);
        }
        return BusAllocFromRegion(bus, dev, res, size, align, min, typeMask, 0, uint.MaxValue);
    }

    /// <summary>pci_bus_alloc_from_region.</summary>
    private bool BusAllocFromRegion(PciBusNode bus, PciDev dev, Resource res, ulong size, ulong align, ulong min,
        ResFlags typeMask, ulong regionStart, ulong regionEnd)
    {
        typeMask |= ResFlags.TypeBits;
        foreach (var r in bus.Resources)
        {
            if (r.Flags == ResFlags.None || ((res.Flags ^ r.Flags) & typeMask) != 0) continue;
            if (r.Flags.Any(ResFlags.Prefetch) && !res.Flags.Any(ResFlags.Prefetch)) continue;
            var availStart = Math.Max(r.Start, regionStart);
            var availEnd = Math.Min(r.End, regionEnd);
            if (availEnd < availStart) continue;
            var minUsed = availStart != 0 ? availStart : min;
            if (availEnd < minUsed || size - 1 > availEnd - minUsed) continue;
            if (ResourceTree.Allocate(r, res, size, minUsed, availEnd, align, (a, s, al) => AlignResource(dev, a), ArchRemoveReservations))
                return true;
        }
        return false;
    }

    /// <summary>pcibios_align_resource (x86): ISA alias avoidance for I/O, nothing below 1 MiB for memory.</summary>
    private ulong AlignResource(PciDev dev, Resource avail)
    {
        var start = avail.Start;
        if (Facts.Arch != PciArch.X86) return start;
        if (avail.Flags.Any(ResFlags.Io))
        {
            if ((start & IsaAliasBits) != 0) start = (start + IsaAliasAlign) & ~IsaAliasAlign;
        }
        else if (avail.Flags.Any(ResFlags.Mem) && start < PciCore.BiosEnd)
        {
            start = PciCore.BiosEnd;
        }
        return start;
    }

    /// <summary>arch_remove_reservations (x86): keep out of the BIOS ROM area and e820 entries.</summary>
    private void ArchRemoveReservations(Resource avail)
    {
        if (Facts.Arch != PciArch.X86 || !avail.Flags.Any(ResFlags.Mem)) return;
        ClipAround(avail, PciCore.BiosRomBase, PciCore.BiosRomEnd);
        foreach (var e in Facts.E820) ClipAround(avail, e.Start, e.End);
    }

    /// <summary>arch/x86/kernel/resource.c resource_clip: keep the larger side of the conflict.</summary>
    private static void ClipAround(Resource res, ulong start, ulong end)
    {
        if (res.End < start || res.Start > end) return;
        ulong low = 0, high = 0;
        if (res.Start < start) low = start - res.Start;
        if (res.End > end) high = res.End - end;
        if (low > high) res.End = start - 1;
        else res.Start = end + 1;
    }

    /// <summary>pci_update_resource / pci_std_update_resource: write the BAR (64-bit ones with memory decode off).</summary>
    private void UpdateResource(PciDev dev, int resno)
    {
        var res = dev.Resources[resno];
        int reg;
        uint value;
        if (resno == PciDev.RomResource)
        {
            if (!res.Flags.Any(ResFlags.RomEnable)) return;
            reg = dev.RomBaseReg;
            value = (uint)res.Start | BarBits.RomEnable;
        }
        else
        {
            reg = Type0Header.Bar(resno).Offset;
            value = res.Flags.Any(ResFlags.Io) ? (uint)res.Start | BarBits.SpaceIo
                : (uint)res.Start | (res.Flags.Any(ResFlags.Mem64) ? BarBits.MemType64 : 0) | (res.Flags.Any(ResFlags.Prefetch) ? BarBits.MemPrefetch : 0);
        }
        var disable = res.Flags.Any(ResFlags.Mem64);
        var cmd = Read16(dev, CommonHeader.Command.Offset);
        if (disable) Write16(dev, CommonHeader.Command.Offset, (ushort)(cmd & ~(ushort)CommandBits.Memory));
        Write32(dev, reg, value);
        if (res.Flags.Any(ResFlags.Mem64)) Write32(dev, reg + 4, (uint)(res.Start >> 32));
        if (disable) Write16(dev, CommonHeader.Command.Offset, cmd);
    }
}
