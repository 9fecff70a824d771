using PciEmu.Core;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;
using PciEmu.Os.Setup;

namespace PciEmu.Os;

/// <summary>drivers/pci/setup-bus.c: bus-level assignment, the retry loops, window release and bridge programming.</summary>
internal sealed class SetupBusAssign(PciCore core) : PciCorePart(core)
{
    private const ushort IoDisabledBaseLimit = 0x00f0;
    private const uint MemDisabledBaseLimit = 0x0000fff0;
    private const uint IoUpperDisable = 0x0000ffff;
    private const ulong IoUpperMask = 0xffff0000;
    private const ulong MemLimitMask = 0xfff00000;

    /// <summary>__pci_bus_assign_resources: this bus's devices, then each child bus, then program the bridge.</summary>
    public void BusAssignResources(PciBusNode bus, List<DevResEntry>? realloc, List<DevResEntry>? fail)
    {
        Core.SetupBusSorted.PbusAssignResourcesSorted(bus, realloc, fail);
        foreach (var dev in bus.Devices)
        {
            if (dev.Subordinate is not { } b) continue;
            BusAssignResources(b, realloc, fail);
            if (!dev.Enabled) SetupBridge(b);
        }
    }

    /// <summary>pci_assign_unassigned_root_bus_resources (x86 boot; pci=realloc adds retries).</summary>
    public void AssignUnassignedRootBusResources(PciBusNode bus)
    {
        var tryNum = 1;
        if (Options.Realloc == ReallocMode.UserEnabled)
        {
            var depth = BusDepth(bus);
            tryNum = depth + 1;
            Log.Bus(bus, $"max bus depth: {depth} pci_try_num: {tryNum}");
        }
        var tried = 0;
        while (true)
        {
            var realloc = tried + 1 == tryNum ? new List<DevResEntry>() : null;
            Core.SetupBusSize.SizeBridges(bus, realloc);
            Core.SetupBusDistribute.RootBusDistributeAvailableResources(bus, realloc);
            var fail = new List<DevResEntry>();
            BusAssignResources(bus, realloc, fail);
            tried++;
            if (fail.Count == 0) break;
            if (tried >= tryNum)
            {
                if (Options.Realloc == ReallocMode.Undefined)
                    Log.Bus(bus, "Some PCI device resources are unassigned, try booting with pci=realloc");
                break;
            }
            // dev_info on the root pci_bus up to 6.17 (6.18 turned it into pr_info "PCI: No. %d try ...").
            Log.Bus(bus, $"No. {tried + 1} try to assign unassigned res");
            var wholeSubtree = tried + 1 > 2;
            foreach (var f in fail) BusReleaseBridgeResources(f.Dev.Bus, f.Flags & ResFlagsExtensions.PciResTypeMask, wholeSubtree);
            RestoreFailed(fail);
        }
        BusDumpResources(bus);
    }

    /// <summary>pci_assign_unassigned_bridge_resources: pciehp/shpchp/rescan path, at most two passes.</summary>
    public void AssignUnassignedBridgeResources(PciDev bridge)
    {
        var parent = bridge.Subordinate!;
        for (var tried = 0; ; )
        {
            var add = new List<DevResEntry>();
            Core.SetupBusSize.SizeBridges(parent, add);
            Core.SetupBusDistribute.BridgeDistributeAvailableResources(bridge, add);
            var fail = new List<DevResEntry>();
            BridgeAssignResources(bridge, add, fail);
            tried++;
            if (fail.Count == 0 || tried >= 2) break;
            Log.Raw($"PCI: No. {tried + 1} try to assign unassigned res");
            foreach (var f in fail) BusReleaseBridgeResources(f.Dev.Bus, f.Flags & ResFlagsExtensions.PciResTypeMask, true);
            RestoreFailed(fail);
        }
        bridge.Enabled = true;
    }

    /// <summary>The restore step of both retry loops: failed resources get their saved values, bridge windows lose their flags.</summary>
    private static void RestoreFailed(List<DevResEntry> fail)
    {
        foreach (var f in fail)
        {
            f.Res.Start = f.Start;
            f.Res.End = f.End;
            f.Res.Flags = f.Flags;
            var idx = Array.IndexOf(f.Dev.Resources, f.Res);
            if (f.Dev.IsBridge && idx is >= PciDev.BridgeResources and <= PciDev.BridgeResourceEnd) f.Res.Flags = ResFlags.None;
        }
    }

    /// <summary>__pci_bridge_assign_resources: the bridge's own windows, its bus, then program it.</summary>
    private void BridgeAssignResources(PciDev bridge, List<DevResEntry>? add, List<DevResEntry>? fail)
    {
        Core.SetupBusSorted.PdevAssignResourcesSorted(bridge, add, fail);
        if (bridge.Subordinate is not { } b) return;
        BusAssignResources(b, add, fail);
        SetupBridge(b);
    }

    /// <summary>pci_bus_get_depth.</summary>
    private static int BusDepth(PciBusNode bus) => bus.Children.Count == 0 ? 0 : 1 + bus.Children.Max(BusDepth);

    /// <summary>pci_bus_release_bridge_resources: walk down from the failing device's bus, release the bridge window above it.</summary>
    private void BusReleaseBridgeResources(PciBusNode bus, ResFlags type, bool wholeSubtree)
    {
        var isLeaf = true;
        foreach (var dev in bus.Devices)
        {
            if (dev.Subordinate is not { } b) continue;
            isLeaf = false;
            if (wholeSubtree) BusReleaseBridgeResources(b, type, true);
        }
        if (bus.IsRoot || bus.Self!.ClassCode != ClassBridgePci) return;
        if (wholeSubtree || isLeaf) BridgeReleaseResources(bus, type);
    }

    private const int ClassBridgePci = 0x0604;

    /// <summary>pci_bridge_release_resources: release one window (keeping its size), reprogram it disabled.</summary>
    private void BridgeReleaseResources(PciBusNode bus, ResFlags type)
    {
        var dev = bus.Self!;
        var pref = dev.Resources[PciDev.BridgePrefWindow];
        int idx;
        if (type.Any(ResFlags.Io)) idx = 0;
        else if (!type.Any(ResFlags.Prefetch)) idx = 1;
        else if (type.Any(ResFlags.Mem64) && pref.Flags.Any(ResFlags.Mem64)) idx = 2;
        else if (!pref.Flags.Any(ResFlags.Mem64) && pref.Flags.Any(ResFlags.Prefetch)) idx = 2;
        else idx = 1;
        var r = dev.Resources[PciDev.BridgeResources + idx];
        if (!r.IsAssigned) return;
        ResourceTree.ReleaseChildren(r);
        if (!ResourceTree.Release(r)) return;
        var oldFlags = r.Flags & ResFlagsExtensions.PciResTypeMask;
        Log.Dev(dev, $"resource {PciDev.BridgeResources + idx} {r} released");
        var size = r.Size;
        r.End = size - 1;
        r.Start = 0;
        r.Flags = ResFlags.None;
        SetupBridgeTypes(bus, oldFlags.Any(ResFlags.Prefetch) ? ResFlags.Prefetch : oldFlags);
        r.Flags = oldFlags;
    }

    /// <summary>pci_setup_bridge.</summary>
    private void SetupBridge(PciBusNode bus) => SetupBridgeTypes(bus, ResFlags.Io | ResFlags.Mem | ResFlags.Prefetch);

    /// <summary>__pci_setup_bridge.</summary>
    private void SetupBridgeTypes(PciBusNode bus, ResFlags type)
    {
        var bridge = bus.Self!;
        Log.Dev(bridge, $"PCI bridge to {bus.Busn}");
        if (type.Any(ResFlags.Io)) SetupBridgeIo(bridge);
        if (type.Any(ResFlags.Mem)) SetupBridgeMmio(bridge);
        if (type.Any(ResFlags.Prefetch)) SetupBridgeMmioPref(bridge);
        Write16(bridge, Type1Header.BridgeControl.Offset, bus.BridgeCtl);
    }

    /// <summary>pci_setup_bridge_io.</summary>
    private void SetupBridgeIo(PciDev bridge)
    {
        var res = bridge.Resources[PciDev.BridgeIoWindow];
        ushort l;
        uint upper16;
        if (res.Flags.Any(ResFlags.Io))
        {
            var baseLo = (byte)((res.Start >> PciRegs.IoWindowShift) & BarBits.IoRangeMask);
            var limitLo = (byte)((res.End >> PciRegs.IoWindowShift) & BarBits.IoRangeMask);
            l = (ushort)((limitLo << PciRegs.IoWindowShift) | baseLo);
            upper16 = (uint)((res.End & IoUpperMask) | (res.Start >> PciRegs.IoUpper16Shift));
            Log.Dev(bridge, $"  bridge window {res}");
        }
        else
        {
            upper16 = 0;
            l = IoDisabledBaseLimit;
        }
        Write32(bridge, Type1Header.IoBaseUpper16.Offset, IoUpperDisable);
        Write16(bridge, Type1Header.IoBase.Offset, l);
        Write32(bridge, Type1Header.IoBaseUpper16.Offset, upper16);
    }

    /// <summary>The base/limit dword of a memory window: base bits 31:20 in the low half, limit bits 31:20 in the high half.</summary>
    private static uint MemBaseLimit(Resource res) =>
        (uint)((res.Start >> PciRegs.MemWindowShift) & BarBits.MemRangeMask) | (uint)(res.End & MemLimitMask);

    /// <summary>pci_setup_bridge_mmio.</summary>
    private void SetupBridgeMmio(PciDev bridge)
    {
        var res = bridge.Resources[PciDev.BridgeMemWindow];
        uint l;
        if (res.Flags.Any(ResFlags.Mem))
        {
            l = MemBaseLimit(res);
            Log.Dev(bridge, $"  bridge window {res}");
        }
        else
        {
            l = MemDisabledBaseLimit;
        }
        Write32(bridge, Type1Header.MemoryBase.Offset, l);
    }

    /// <summary>pci_setup_bridge_mmio_pref.</summary>
    private void SetupBridgeMmioPref(PciDev bridge)
    {
        var res = bridge.Resources[PciDev.BridgePrefWindow];
        uint l, bu = 0, lu = 0;
        Write32(bridge, Type1Header.PrefLimitUpper32.Offset, 0);
        if (res.Flags.Any(ResFlags.Prefetch))
        {
            l = MemBaseLimit(res);
            if (res.Flags.Any(ResFlags.Mem64))
            {
                bu = (uint)(res.Start >> PciRegs.Upper32Shift);
                lu = (uint)(res.End >> PciRegs.Upper32Shift);
            }
            Log.Dev(bridge, $"  bridge window {res}");
        }
        else
        {
            l = MemDisabledBaseLimit;
        }
        Write32(bridge, Type1Header.PrefMemoryBase.Offset, l);
        Write32(bridge, Type1Header.PrefBaseUpper32.Offset, bu);
        Write32(bridge, Type1Header.PrefLimitUpper32.Offset, lu);
    }

    /// <summary>pci_bus_dump_resources: the bus, then the subordinate bus of each device in bus->devices order (not
    /// bus->children order: a bridge numbered in pass 1 comes before a later firmware-numbered one).</summary>
    private void BusDumpResources(PciBusNode bus)
    {
        var i = bus.IsRoot ? 4 : 0;
        foreach (var r in bus.Resources)
        {
            if (r.Flags != ResFlags.None && r.End != 0) Log.Bus(bus, $"resource {i} {r}");
            i++;
        }
        foreach (var d in bus.Devices)
        {
            if (d.Subordinate is { } c) BusDumpResources(c);
        }
    }
}
