using PciEmu.Os.Model;
using PciEmu.Os.Resources;
using PciEmu.Os.Setup;

namespace PciEmu.Os;

/// <summary>drivers/pci/setup-bus.c: bridge window sizing.</summary>
internal sealed class SetupBusSize(PciCore core) : PciCorePart(core)
{
    /// <summary>PCI_P2P_DEFAULT_MEM_ALIGN / PCI_P2P_DEFAULT_IO_ALIGN.</summary>
    private const ulong P2PMemAlign = 0x100000;
    private const ulong P2PIoAlign = 0x1000;
    private const int MemOrderShift = 20;

    /// <summary>Alignment buckets of pbus_size_mem (6.1–6.14: 1 MiB … 8 TiB).</summary>
    private const int AlignOrders = 24;

    private const ulong IsaAliasLimit = 0x400;

    /// <summary>__pci_bus_size_bridges: children first, then this bus's windows (I/O, pref, non-pref).</summary>
    public void SizeBridges(PciBusNode bus, List<DevResEntry>? realloc)
    {
        foreach (var dev in bus.Devices)
        {
            if (dev.Subordinate is { } b) SizeBridges(b, realloc);
        }
        if (bus.Self is not { } bridge) return;
        BridgeCheckRanges(bus);
        ulong addIo = 0, addMmio = 0, addPref = 0;
        if (bridge.IsHotplugBridge)
        {
            addIo = Options.HpIoSize;
            addMmio = Options.HpMmioSize;
            addPref = Options.HpMmioPrefSize;
        }
        PbusSizeIo(bus, realloc is null ? addIo : 0, addIo, realloc);
        var pref = bridge.Resources[PciDev.BridgePrefWindow];
        var mask = ResFlags.Mem;
        var prefmask = ResFlags.Mem | ResFlags.Prefetch;
        ResFlags type2 = ResFlags.None, type3 = ResFlags.None;
        if (pref.Flags.Any(ResFlags.Mem64))
        {
            prefmask |= ResFlags.Mem64;
            if (PbusSizeMem(bus, prefmask, prefmask, prefmask, prefmask, realloc is null ? addPref : 0, addPref, realloc) == 0)
            {
                mask = prefmask;
                type2 = prefmask & ~ResFlags.Mem64;
                type3 = prefmask & ~ResFlags.Prefetch;
            }
        }
        if (type2 == ResFlags.None)
        {
            prefmask &= ~ResFlags.Mem64;
            if (PbusSizeMem(bus, prefmask, prefmask, prefmask, prefmask, realloc is null ? addPref : 0, addPref, realloc) == 0)
                mask = prefmask;
            else
                addMmio += addPref;
            type2 = type3 = ResFlags.Mem;
        }
        PbusSizeMem(bus, mask, ResFlags.Mem, type2, type3, realloc is null ? addMmio : 0, addMmio, realloc);
    }

    /// <summary>pci_bridge_check_ranges: the window types the bridge implements.</summary>
    private static void BridgeCheckRanges(PciBusNode bus)
    {
        var b = bus.Self!;
        b.Resources[PciDev.BridgeMemWindow].Flags |= ResFlags.Mem;
        if (b.IoWindow) b.Resources[PciDev.BridgeIoWindow].Flags |= ResFlags.Io;
        if (!b.PrefWindow) return;
        b.Resources[PciDev.BridgePrefWindow].Flags |= ResFlags.Mem | ResFlags.Prefetch;
        if (b.Pref64Window) b.Resources[PciDev.BridgePrefWindow].Flags |= ResFlags.Mem64;
    }

    /// <summary>find_bus_resource_of_type: prefer an unassigned window of the type.</summary>
    private static Resource? FindBusResourceOfType(PciBusNode bus, ResFlags typeMask, ResFlags type)
    {
        Resource? assigned = null;
        foreach (var r in bus.Resources)
        {
            if ((r.Flags & typeMask) != type) continue;
            if (!r.IsAssigned) return r;
            assigned ??= r;
        }
        return assigned;
    }

    /// <summary>pci_resource_alignment / resource_alignment.</summary>
    public static ulong ResourceAlignment(Resource r) =>
        r.Flags.Any(ResFlags.SizeAlign) ? r.Size : r.Flags.Any(ResFlags.StartAlign) ? r.Start : 0;

    /// <summary>pbus_size_io.</summary>
    private void PbusSizeIo(PciBusNode bus, ulong minSize, ulong addSize, List<DevResEntry>? realloc)
    {
        var b = FindBusResourceOfType(bus, ResFlags.Io, ResFlags.Io);
        if (b is null || b.IsAssigned) return;
        ulong size = 0, size1 = 0, childrenAdd = 0, minAlign = P2PIoAlign;
        foreach (var dev in bus.Devices)
        {
            foreach (var r in dev.Resources)
            {
                if (r.IsAssigned || !r.Flags.Any(ResFlags.Io)) continue;
                if (r.Size < IsaAliasLimit) size += r.Size;
                else size1 += r.Size;
                minAlign = Math.Max(minAlign, ResourceAlignment(r));
                if (realloc is not null) childrenAdd += DevResList.AddSize(realloc, r);
            }
        }
        var oldSize = b.Size;
        var size0 = CalculateIoSize(size, minSize, size1, 0, 0, oldSize, minAlign);
        var sizeAdd = realloc is null || (addSize == 0 && childrenAdd == 0) ? size0
            : CalculateIoSize(size, minSize, size1, addSize, childrenAdd, oldSize, minAlign);
        if (size0 == 0 && sizeAdd == 0)
        {
            if (b.Start != 0 || b.End != 0) Log.Dev(bus.Self!, $"disabling bridge window {b} to {bus.Busn} (unused)");
            b.Flags = ResFlags.None;
            return;
        }
        b.Start = minAlign;
        b.End = b.Start + size0 - 1;
        b.Flags |= ResFlags.StartAlign;
        if (sizeAdd > size0 && realloc is not null)
        {
            DevResList.AddToList(realloc, new DevResEntry(bus.Self!, b, sizeAdd - size0, minAlign));
            Log.Dev(bus.Self!, $"bridge window {b} to {bus.Busn} add_size {ResourceFormat.Hex(sizeAdd - size0)}");
        }
    }

    /// <summary>pbus_upstream_space_available (≈6.12+): every assigned window of the type on non-root buses above must
    /// still have an aligned gap of <paramref name="size"/>.</summary>
    private bool UpstreamSpaceAvailable(PciBusNode downstream, ResFlags mask, ResFlags type, ulong size, ulong align)
    {
        for (var bus = downstream.Parent; bus is not null && !bus.IsRoot; bus = bus.Parent)
        {
            foreach (var r in bus.Resources)
            {
                if (!r.IsAssigned || (r.Flags & mask) != type) continue;
                if (r.Size >= size && ResourceTree.HasSpace(r, size, align)) return true;
                Log.Dev(bus.Self!, $"Assigned bridge window {r} to {bus.Busn} cannot fit 0x{ResourceFormat.Hex(size)} required for {downstream.Self!.Name} bridging to {downstream.Busn}");
                return false;
            }
        }
        return true;
    }

    /// <summary>calculate_iosize (no CONFIG_ISA on x86_64).</summary>
    private static ulong CalculateIoSize(ulong size, ulong minSize, ulong size1, ulong addSize, ulong childrenAdd, ulong oldSize, ulong align)
    {
        if (size < minSize) size = minSize;
        if (oldSize == 1) oldSize = 0;
        size += size1;
        if (size < oldSize) size = oldSize;
        return ResourceTree.AlignUp(Math.Max(size, addSize) + childrenAdd, align);
    }

    /// <summary>calculate_memsize.</summary>
    private static ulong CalculateMemSize(ulong size, ulong minSize, ulong addSize, ulong childrenAdd, ulong oldSize, ulong align)
    {
        if (size < minSize) size = minSize;
        if (oldSize == 1) oldSize = 0;
        size = Math.Max(size, addSize) + childrenAdd;
        return ResourceTree.AlignUp(Math.Max(size, oldSize), align);
    }

    /// <summary>calculate_mem_align: a window may be aligned to half its largest BAR when smaller BARs fill the rest.</summary>
    internal static ulong CalculateMemAlign(ulong[] aligns, int maxOrder)
    {
        ulong align = 0, minAlign = 0;
        for (var order = 0; order <= maxOrder; order++)
        {
            var align1 = 1UL << (order + MemOrderShift);
            if (align == 0) minAlign = align1;
            else if (ResourceTree.AlignUp(align + minAlign, minAlign) < align1) minAlign = align1 >> 1;
            align += aligns[order];
        }
        return minAlign;
    }

    /// <summary>pbus_size_mem; returns -ENOSPC when the bridge has no window of the type.</summary>
    private int PbusSizeMem(PciBusNode bus, ResFlags mask, ResFlags type, ResFlags type2, ResFlags type3,
        ulong minSize, ulong addSize, List<DevResEntry>? realloc)
    {
        var b = FindBusResourceOfType(bus, mask | ResFlags.Prefetch, type);
        if (b is null) return Errno.ENoSpace;
        if (b.IsAssigned) return 0;
        var aligns = new ulong[AlignOrders];
        var maxOrder = 0;
        ulong size = 0, childrenAdd = 0, addAlign = 0;
        foreach (var dev in bus.Devices)
        {
            for (var i = 0; i < PciDev.NumResources; i++)
            {
                var r = dev.Resources[i];
                var f = r.Flags & mask;
                if (r.IsAssigned || r.Flags.Any(ResFlags.PciFixed) || (f != type && f != type2 && f != type3)) continue;
                var rSize = r.Size;
                var align = ResourceAlignment(r);
                var order = align == 0 ? 0 : System.Numerics.BitOperations.TrailingZeroCount(align) - MemOrderShift;
                if (order < 0) order = 0;
                if (order >= AlignOrders)
                {
                    Log.Dev(dev, $"disabling {PciCore.ResName(dev, i)} {r} (bad alignment 0x{ResourceFormat.Hex(align)})");
                    r.Flags = ResFlags.None;
                    continue;
                }
                size += Math.Max(rSize, align);
                if (rSize <= align) aligns[order] += align;
                if (order > maxOrder) maxOrder = order;
                if (realloc is not null)
                {
                    childrenAdd += DevResList.AddSize(realloc, r);
                    addAlign = Math.Max(addAlign, DevResList.AddAlign(realloc, r));
                }
            }
        }
        var oldSize = b.Size;
        var minAlign = Math.Max(CalculateMemAlign(aligns, maxOrder), P2PMemAlign);
        var size0 = CalculateMemSize(size, minSize, 0, 0, oldSize, minAlign);
        var relaxedAlign = Math.Max(1UL << (maxOrder + MemOrderShift), P2PMemAlign);
        if (Is612 && bus.Self is not null && size0 != 0 && !UpstreamSpaceAvailable(bus, mask | ResFlags.Prefetch, type, size0, minAlign))
        {
            minAlign = relaxedAlign;
            size0 = CalculateMemSize(size, minSize, 0, 0, oldSize, P2PMemAlign);
            Log.Dev(bus.Self, $"bridge window {b} to {bus.Busn} requires relaxed alignment rules");
        }
        addAlign = Math.Max(minAlign, addAlign);
        var size1 = size0;
        if (realloc is not null && (addSize != 0 || childrenAdd != 0))
        {
            size1 = CalculateMemSize(size, minSize, addSize, childrenAdd, oldSize, addAlign);
            if (Is612 && bus.Self is not null && size1 != 0 && !UpstreamSpaceAvailable(bus, mask | ResFlags.Prefetch, type, size1, addAlign))
            {
                minAlign = relaxedAlign;
                size1 = CalculateMemSize(size, minSize, addSize, childrenAdd, oldSize, P2PMemAlign);
                Log.Dev(bus.Self, $"bridge window {b} to {bus.Busn} requires relaxed alignment rules");
            }
        }
        if (size0 == 0 && size1 == 0)
        {
            if (b.Start != 0 || b.End != 0) Log.Dev(bus.Self!, $"disabling bridge window {b} to {bus.Busn} (unused)");
            b.Flags = ResFlags.None;
            return 0;
        }
        b.Start = minAlign;
        b.End = size0 + minAlign - 1;
        b.Flags |= ResFlags.StartAlign;
        if (size1 > size0 && realloc is not null)
        {
            DevResList.AddToList(realloc, new DevResEntry(bus.Self!, b, size1 - size0, addAlign));
            Log.Dev(bus.Self!, $"bridge window {b} to {bus.Busn} add_size {ResourceFormat.Hex(size1 - size0)} add_align {ResourceFormat.Hex(addAlign)}");
        }
        return 0;
    }
}
