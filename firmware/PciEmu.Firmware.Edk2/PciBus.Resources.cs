using PciEmu.Core;

namespace PciEmu.Firmware.Edk2;

internal sealed partial class PciBus
{
    /// <summary>Initial alignments of a root bridge's / PPB's window nodes.</summary>
    private const ulong IoWindowAlignment = 0xfff;
    private const ulong MemWindowAlignment = 0xfffff;

    /// <summary>The five per-bridge lists: I/O, Mem32, PMem32, Mem64, PMem64 (window node per list).</summary>
    private sealed record ResourceLists(PciResourceNode Io, PciResourceNode Mem32, PciResourceNode PMem32, PciResourceNode Mem64, PciResourceNode PMem64)
    {
        public IEnumerable<PciResourceNode> All => [Io, Mem32, PMem32, Mem64, PMem64];
    }

    private static ResourceLists CreateLists(PciIoDevice owner, ulong ioAlignment, bool root) => new(
        new PciResourceNode(owner, 0, ioAlignment, root ? 0 : PciIoDevice.PpbIoRange, PciBarType.Io16, PciResourceUsage.Typical),
        new PciResourceNode(owner, 0, MemWindowAlignment, root ? 0 : PciIoDevice.PpbMem32Range, PciBarType.Mem32, PciResourceUsage.Typical),
        new PciResourceNode(owner, 0, MemWindowAlignment, root ? 0 : PciIoDevice.PpbPMem32Range, PciBarType.PMem32, PciResourceUsage.Typical),
        new PciResourceNode(owner, 0, MemWindowAlignment, root ? 0 : PciIoDevice.PpbMem64Range, PciBarType.Mem64, PciResourceUsage.Typical),
        new PciResourceNode(owner, 0, MemWindowAlignment, root ? 0 : PciIoDevice.PpbPMem64Range, PciBarType.PMem64, PciResourceUsage.Typical));

    /// <summary>
    /// PciHostBridgeResourceAllocator (PciLib.c): the root's resource map (with the option-ROM shadow node), submit,
    /// allocate, then rebuild the map and program it with the bases the host bridge returned; dump the map.
    /// </summary>
    private bool PciHostBridgeResourceAllocator()
    {
        var root = RootBridge!;
        ResourceLists lists;
        while (true)
        {
            lists = BuildRootMap(root);
            var requests = new List<(HostResourceType, ulong, ulong)>();
            void Add(HostResourceType t, PciResourceNode n)
            {
                if (n.Length != 0) requests.Add((t, n.Length, n.Alignment));
            }
            Add(HostResourceType.Io, lists.Io);
            Add(HostResourceType.Mem, lists.Mem32);
            Add(HostResourceType.PMem, lists.PMem32);
            Add(HostResourceType.Mem64, lists.Mem64);
            Add(HostResourceType.PMem64, lists.PMem64);
            _host.SubmitResources(requests);
            if (_host.NotifyPhaseAllocateResources()) break;
            if (!_options.PcdPciBusHotplugDeviceSupport || !PciHostBridgeAdjustAllocation(lists)) return false;
            _host.NotifyPhaseFreeResources();
        }

        var ioBase = _host.ProposedBase(HostResourceType.Io) ?? 0;
        var mem32Base = _host.ProposedBase(HostResourceType.Mem) ?? 0;
        var pmem32Base = _host.ProposedBase(HostResourceType.PMem) ?? 0;
        var mem64Base = _host.ProposedBase(HostResourceType.Mem64) ?? 0;
        var pmem64Base = _host.ProposedBase(HostResourceType.PMem64) ?? 0;
        _log.Debug($"Process Option ROM: BAR Base/Length = {Edk2Log.X(root.RomSize != 0 ? mem32Base : 0)}/{Edk2Log.X(root.RomSize)}");
        lists = BuildRootMap(root);
        ProgramResource(ioBase, lists.Io);
        ProgramResource(mem32Base, lists.Mem32);
        ProgramResource(pmem32Base, lists.PMem32);
        ProgramResource(mem64Base, lists.Mem64);
        ProgramResource(pmem64Base, lists.PMem64);
        lists.Io.Offset = ioBase;
        lists.Mem32.Offset = mem32Base;
        lists.PMem32.Offset = pmem32Base;
        lists.Mem64.Offset = mem64Base;
        lists.PMem64.Offset = pmem64Base;
        if (_log.Enabled) DumpResourceMap(root, lists);
        return true;
    }

    /// <summary>
    /// PciHostBridgeAdjustAllocation (PciLib.c): for each type the host bridge could not satisfy, the largest consumer
    /// in that pool (GetMaxResourceConsumerDevice) is rejected: a bridge's padding is dropped as a whole, a device is
    /// removed with its BARs written all ones. False when nothing could be rejected.
    /// </summary>
    private bool PciHostBridgeAdjustAllocation(ResourceLists lists)
    {
        var adjusted = false;
        var pools = new[] { (HostResourceType.Io, lists.Io), (HostResourceType.Mem, lists.Mem32), (HostResourceType.PMem, lists.PMem32),
            (HostResourceType.Mem64, lists.Mem64), (HostResourceType.PMem64, lists.PMem64) };
        var rejected = new HashSet<PciIoDevice>();
        foreach (var (type, pool) in pools)
        {
            var n = _host.Nodes[(int)type];
            if (!n.Submitted || n.Allocated) continue;
            PciResourceNode? max = null;
            GetMaxResourceConsumerDevice(pool, ref max);
            if (max is null || !rejected.Add(max.PciDev)) continue;
            RejectPciDevice(max);
            adjusted = true;
        }
        return adjusted;
    }

    /// <summary>GetMaxResourceConsumerDevice: endpoint BARs and padding nodes below the root bus, the largest (last on ties).</summary>
    private static void GetMaxResourceConsumerDevice(PciResourceNode pool, ref PciResourceNode? max)
    {
        foreach (var t in pool.ChildList)
        {
            if (t.ResType == PciBarType.OpRom || t.PciDev.IsRootBridge) continue;
            var isWindow = t.PciDev.IsPciBridge && t.Bar > PciIoDevice.PpbBar1 && t.ResourceUsage == PciResourceUsage.Typical;
            if (isWindow)
            {
                GetMaxResourceConsumerDevice(t, ref max);
                continue;
            }
            if (t.PciDev.Parent is { IsRootBridge: true } && t.ResourceUsage == PciResourceUsage.Typical) continue;
            if (max is null || t.Length >= max.Length) max = t;
        }
    }

    /// <summary>RejectPciDevice: drop a bridge's padding, or remove a device (BARs all ones, no longer in the tree).</summary>
    private void RejectPciDevice(PciResourceNode node)
    {
        var dev = node.PciDev;
        _log.Debug($"PciBus: {Edk2Log.Bdf(dev.Bdf)} was rejected due to resource confliction.");
        if (node.ResourceUsage == PciResourceUsage.Padding)
        {
            dev.ResourcePaddingDescriptors = [];
            return;
        }
        for (var i = 0; i < PciIoDevice.PciMaxBar; i++)
        {
            var bar = dev.PciBar[i];
            if (bar.BarType == PciBarType.Unknown || (dev.IsPciBridge && i > PciIoDevice.PpbBar1)) continue;
            _cfg.Write32(dev.Bdf, bar.Offset, AllOnes);
            if (bar.BarType is PciBarType.Mem64 or PciBarType.PMem64) _cfg.Write32(dev.Bdf, bar.Offset + BarSize, AllOnes);
        }
        dev.Parent?.ChildList.Remove(dev);
    }

    /// <summary>The root bridge's five lists, the OpRom shadow node first (GetMaxOptionRomSize), then CreateResourceMap.</summary>
    private ResourceLists BuildRootMap(PciIoDevice root)
    {
        var lists = CreateLists(root, IoWindowAlignment, root: true);
        root.RomSize = GetMaxOptionRomSize(root);
        if (root.RomSize != 0)
        {
            InsertResourceNode(lists.Mem32, new PciResourceNode(root, root.RomSize, root.RomSize - 1, 0, PciBarType.OpRom, PciResourceUsage.Typical));
        }
        CreateResourceMap(root, lists);
        return lists;
    }

    /// <summary>GetMaxOptionRomSize: the largest ROM below a bridge.</summary>
    private static ulong GetMaxOptionRomSize(PciIoDevice bridge)
    {
        ulong max = 0;
        foreach (var c in bridge.ChildList)
        {
            max = Math.Max(max, c.RomSize);
            if (c.ChildList.Count > 0) max = Math.Max(max, GetMaxOptionRomSize(c));
        }
        return max;
    }

    /// <summary>
    /// CreateResourceMap (PciResourceSupport.c): each child's BARs, then for a PPB its own five window nodes built
    /// recursively and inserted into this bridge's lists when they request anything; then padding, degrade, apertures.
    /// </summary>
    private void CreateResourceMap(PciIoDevice bridge, ResourceLists lists)
    {
        foreach (var temp in bridge.ChildList)
        {
            GetResourceFromDevice(temp, lists);
            if (!temp.IsPciBridge) continue;
            var child = CreateLists(temp, temp.BridgeIoAlignment, root: false);
            CreateResourceMap(temp, child);
            foreach (var (parentList, node) in lists.All.Zip(child.All))
            {
                if (ResourceRequestExisted(node)) InsertResourceNode(parentList, node);
            }
        }
        ResourcePaddingPolicy(bridge, lists);
        DegradeResource(bridge, lists);
        CalculateApertureIo16(lists.Io);
        CalculateResourceAperture(lists.Mem32);
        CalculateResourceAperture(lists.PMem32);
        CalculateResourceAperture(lists.Mem64);
        CalculateResourceAperture(lists.PMem64);
    }

    /// <summary>ResourceRequestExisted: the node has children (BARs, windows or padding).</summary>
    private static bool ResourceRequestExisted(PciResourceNode node) => node.ChildList.Count > 0;

    /// <summary>GetResourceFromDevice: one Typical node per probed BAR in the list of its type.</summary>
    private static void GetResourceFromDevice(PciIoDevice dev, ResourceLists lists)
    {
        var count = dev.IsPciBridge ? PciIoDevice.PpbBar1 + 1 : PciIoDevice.PciMaxBar;
        for (var index = 0; index < count; index++)
        {
            var bar = dev.PciBar[index];
            var target = bar.BarType switch
            {
                PciBarType.Mem32 => lists.Mem32,
                PciBarType.PMem32 => lists.PMem32,
                PciBarType.Mem64 => lists.Mem64,
                PciBarType.PMem64 => lists.PMem64,
                PciBarType.Io16 or PciBarType.Io32 => lists.Io,
                _ => null,
            };
            if (target is null) continue;
            var type = bar.BarType is PciBarType.Io32 ? PciBarType.Io16 : bar.BarType;
            InsertResourceNode(target, new PciResourceNode(dev, bar.Length, bar.Alignment, index, type, PciResourceUsage.Typical));
        }
    }

    /// <summary>
    /// InsertResourceNode: at the head, then moved forward past every node with a larger alignment, and past an
    /// equal-alignment node only when its own length is not a multiple of the alignment and its remainder is smaller.
    /// </summary>
    private static void InsertResourceNode(PciResourceNode bridge, PciResourceNode node)
    {
        var list = bridge.ChildList;
        list.Insert(0, node);
        var i = 0;
        while (i + 1 < list.Count)
        {
            var t = list[i + 1];
            if (node.Alignment > t.Alignment) break;
            if (node.Alignment == t.Alignment)
            {
                var rn = node.Length & node.Alignment;
                var rt = t.Length & t.Alignment;
                if (rn == 0 || rn >= rt) break;
            }
            list[i] = t;
            list[i + 1] = node;
            i++;
        }
    }

    /// <summary>MergeResourceTree: every child of <paramref name="res"/> re-inserted into <paramref name="dst"/> (retyped when asked).</summary>
    private static void MergeResourceTree(PciResourceNode dst, PciResourceNode res, bool typeMerge)
    {
        while (res.ChildList.Count > 0)
        {
            var temp = res.ChildList[0];
            if (typeMerge) temp.ResType = dst.ResType;
            res.ChildList.RemoveAt(0);
            InsertResourceNode(dst, temp);
        }
    }

    /// <summary>ResourcePaddingPolicy / ApplyResourcePadding: the bridge's padding descriptors as Padding nodes.</summary>
    private static void ResourcePaddingPolicy(PciIoDevice bridge, ResourceLists lists)
    {
        if (bridge.ResourcePaddingDescriptors is not { } descriptors) return;
        foreach (var d in descriptors)
        {
            if (d.AddrLen == 0) continue;
            var type = PaddingType(d);
            var target = type switch
            {
                PciBarType.Io16 => lists.Io,
                PciBarType.Mem32 => lists.Mem32,
                PciBarType.PMem32 => lists.PMem32,
                PciBarType.Mem64 => lists.Mem64,
                PciBarType.PMem64 => lists.PMem64,
                _ => null,
            };
            if (target is null) continue;
            InsertResourceNode(target, new PciResourceNode(bridge, d.AddrLen, d.AddrRangeMax, 0, type, PciResourceUsage.Padding));
        }
    }

    /// <summary>
    /// DegradeResource: (option-ROM degrade when the PCD asks), MEM64 → MEM32 and PMEM64 → PMEM32 where not decoded,
    /// PMEM32 → MEM32 on a PPB that also has PMEM64 or lacks PMEM32, and the root's COMBINE merge (types kept).
    /// </summary>
    private void DegradeResource(PciIoDevice bridge, ResourceLists lists)
    {
        if (_options.PcdPciDegradeResourceForOptionRom)
        {
            foreach (var child in bridge.ChildList.Where(c => c.RomSize != 0))
            {
                foreach (var (from, to) in new[] { (lists.Mem64, lists.Mem32), (lists.PMem64, lists.PMem32) })
                {
                    foreach (var n in from.ChildList.Where(n => n.PciDev == child && !child.PciBar[n.Bar].BarTypeFixed).ToList())
                    {
                        from.ChildList.Remove(n);
                        n.ResType = to.ResType;
                        InsertResourceNode(to, n);
                    }
                }
            }
        }
        if ((bridge.Decodes & BridgeDecodes.Mem64) == 0) MergeResourceTree(lists.Mem32, lists.Mem64, true);
        if ((bridge.Decodes & BridgeDecodes.PMem64) == 0) MergeResourceTree(lists.PMem32, lists.PMem64, true);
        if (lists.PMem64.ChildList.Count > 0 && !bridge.IsRootBridge) MergeResourceTree(lists.Mem32, lists.PMem32, true);
        if ((bridge.Decodes & BridgeDecodes.PMem32) == 0) MergeResourceTree(lists.Mem32, lists.PMem32, true);
        if ((bridge.Decodes & BridgeDecodes.PMemMemCombine) != 0)
        {
            MergeResourceTree(lists.Mem32, lists.PMem32, false);
            MergeResourceTree(lists.Mem64, lists.PMem64, false);
        }
    }

    private static ulong AlignValue(ulong value, ulong align) => (value + align - 1) & ~(align - 1);

    /// <summary>
    /// CalculateApertureIo16: typical nodes packed in order, at most one padding node taken as a floor (not aligned);
    /// length = max(aligned typical end, padding), alignment raised to the first node's.
    /// </summary>
    private static void CalculateApertureIo16(PciResourceNode bridge)
    {
        ulong aperture = 0, padding = 0;
        foreach (var node in bridge.ChildList)
        {
            if (node.ResourceUsage == PciResourceUsage.Padding)
            {
                padding = node.Length;
                continue;
            }
            var offset = aperture;
            if ((offset & node.Alignment) != 0) offset = (offset + node.Alignment) & ~node.Alignment;
            node.Offset = offset;
            aperture = offset + node.Length;
        }
        aperture = AlignValue(aperture, bridge.Alignment + 1);
        bridge.Length = Math.Max(aperture, padding);
        if (bridge.ChildList.Count > 0 && bridge.Alignment < bridge.ChildList[0].Alignment) bridge.Alignment = bridge.ChildList[0].Alignment;
    }

    /// <summary>
    /// CalculateResourceAperture: typical and padding nodes in two independent running offsets, each aligned to the
    /// bridge's alignment; length = the larger; alignment raised to the first node's afterwards.
    /// </summary>
    private static void CalculateResourceAperture(PciResourceNode bridge)
    {
        if (bridge.ResType == PciBarType.Io16)
        {
            CalculateApertureIo16(bridge);
            return;
        }
        var aperture = new ulong[2];
        foreach (var node in bridge.ChildList)
        {
            var u = (int)node.ResourceUsage;
            var offset = aperture[u];
            if ((offset & node.Alignment) != 0) offset = (offset + node.Alignment) & ~node.Alignment;
            node.Offset = offset;
            aperture[u] = offset + node.Length;
        }
        aperture[0] = AlignValue(aperture[0], bridge.Alignment + 1);
        aperture[1] = AlignValue(aperture[1], bridge.Alignment + 1);
        bridge.Length = Math.Max(aperture[0], aperture[1]);
        if (bridge.ChildList.Count > 0 && bridge.Alignment < bridge.ChildList[0].Alignment) bridge.Alignment = bridge.ChildList[0].Alignment;
    }

    /// <summary>
    /// ProgramResource: endpoint BARs get base + offset; a PPB-owned node recurses into its children and then programs
    /// the PPB's own BAR or window (ProgramPpbApperture). Padding nodes are skipped.
    /// </summary>
    private void ProgramResource(ulong @base, PciResourceNode bridge)
    {
        foreach (var node in bridge.ChildList)
        {
            if (node.ResourceUsage == PciResourceUsage.Padding) continue;
            if (node.ResType == PciBarType.OpRom) continue;
            if (!node.PciDev.IsPciBridge)
            {
                ProgramBar(@base, node);
            }
            else
            {
                ProgramResource(@base + node.Offset, node);
                ProgramPpbApperture(@base, node);
            }
        }
    }

    /// <summary>ProgramBar: a 32-bit BAR as one dword, a 64-bit BAR as two.</summary>
    private void ProgramBar(ulong @base, PciResourceNode node)
    {
        var address = @base + node.Offset;
        var dev = node.PciDev;
        dev.Allocated = true;
        var bar = dev.PciBar[node.Bar];
        switch (bar.BarType)
        {
            case PciBarType.Io16 or PciBarType.Io32 or PciBarType.Mem32 or PciBarType.PMem32:
                _cfg.Write32(dev.Bdf, bar.Offset, (uint)address);
                bar.BaseAddress = address;
                break;
            case PciBarType.Mem64 or PciBarType.PMem64:
                _cfg.Write32(dev.Bdf, bar.Offset, (uint)address);
                _cfg.Write32(dev.Bdf, bar.Offset + 4, (uint)(address >> 32));
                bar.BaseAddress = address;
                break;
        }
    }

    /// <summary>ProgramPpbApperture: the PPB's BAR0/1 or one of its windows (I/O, memory, prefetchable with upper halves).</summary>
    private void ProgramPpbApperture(ulong @base, PciResourceNode node)
    {
        var address = @base + node.Offset;
        if (node.Length == 0 || node.ResourceUsage == PciResourceUsage.Padding) return;
        var b = node.PciDev.Bdf;
        var last = address + node.Length - 1;
        switch (node.Bar)
        {
            case PciIoDevice.PpbBar0 or PciIoDevice.PpbBar1:
                ProgramBar(@base, node);
                break;
            case PciIoDevice.PpbIoRange:
                _cfg.Write8(b, Type1Header.IoBase.Offset, (byte)((uint)address >> 8));
                _cfg.Write16(b, Type1Header.IoBaseUpper16.Offset, (ushort)((uint)address >> 16));
                _cfg.Write8(b, Type1Header.IoLimit.Offset, (byte)((uint)last >> 8));
                _cfg.Write16(b, Type1Header.IoLimitUpper16.Offset, (ushort)((uint)last >> 16));
                break;
            case PciIoDevice.PpbMem32Range:
                _cfg.Write16(b, Type1Header.MemoryBase.Offset, (ushort)((uint)address >> 16));
                _cfg.Write16(b, Type1Header.MemoryLimit.Offset, (ushort)((uint)last >> 16));
                break;
            case PciIoDevice.PpbPMem32Range or PciIoDevice.PpbPMem64Range:
                _cfg.Write16(b, Type1Header.PrefMemoryBase.Offset, (ushort)((uint)address >> 16));
                _cfg.Write16(b, Type1Header.PrefMemoryLimit.Offset, (ushort)((uint)last >> 16));
                _cfg.Write32(b, Type1Header.PrefBaseUpper32.Offset, (uint)(address >> 32));
                _cfg.Write32(b, Type1Header.PrefLimitUpper32.Offset, (uint)(last >> 32));
                break;
        }
    }
}
