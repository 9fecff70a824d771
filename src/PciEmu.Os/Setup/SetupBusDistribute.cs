using PciEmu.Os.Model;
using PciEmu.Os.Resources;
using PciEmu.Os.Setup;

namespace PciEmu.Os;

/// <summary>drivers/pci/setup-bus.c: handing a hot-plug port's spare window space to the hot-plug bridges below it.</summary>
internal sealed class SetupBusDistribute(PciCore core) : PciCorePart(core)
{
    /// <summary>A by-value struct resource range, as the distribute functions pass them.</summary>
    private struct Avail(ulong start, ulong end)
    {
        public ulong Start = start;
        public ulong End = end;
        public readonly ulong Size => End + 1 - Start;

        /// <summary>resource_set_size.</summary>
        public void SetSize(ulong size) => End = Start + size - 1;
    }

    /// <summary>pci_root_bus_distribute_available_resources: only bridges below a bridge, sized by Linux, are distributed to.</summary>
    public void RootBusDistributeAvailableResources(PciBusNode bus, List<DevResEntry>? add)
    {
        foreach (var dev in bus.Devices)
        {
            if (dev.Subordinate is not { } b) continue;
            if (bus.Self is not null && BridgeResourcesNotAssigned(dev)) BridgeDistributeAvailableResources(dev, add);
            else RootBusDistributeAvailableResources(b, add);
        }
    }

    /// <summary>pci_bridge_resources_not_assigned: every window with flags was produced by sizing (STARTALIGN).</summary>
    private static bool BridgeResourcesNotAssigned(PciDev dev)
    {
        for (var i = PciDev.BridgeIoWindow; i <= PciDev.BridgePrefWindow; i++)
        {
            var f = dev.Resources[i].Flags;
            if (f != ResFlags.None && !f.Any(ResFlags.StartAlign)) return false;
        }
        return true;
    }

    /// <summary>pci_bridge_distribute_available_resources: start from the hot-plug port's own three windows.</summary>
    public void BridgeDistributeAvailableResources(PciDev bridge, List<DevResEntry>? add)
    {
        if (!bridge.IsHotplugBridge || bridge.Subordinate is not { } sec) return;
        var r = bridge.Resources;
        DistributeAvailableResources(sec, add,
            new Avail(r[PciDev.BridgeIoWindow].Start, r[PciDev.BridgeIoWindow].End),
            new Avail(r[PciDev.BridgeMemWindow].Start, r[PciDev.BridgeMemWindow].End),
            new Avail(r[PciDev.BridgePrefWindow].Start, r[PciDev.BridgePrefWindow].End));
    }

    /// <summary>pci_bus_distribute_available_resources.</summary>
    private void DistributeAvailableResources(PciBusNode bus, List<DevResEntry>? add, Avail io, Avail mmio, Avail pref)
    {
        var bridge = bus.Self!;
        var ioRes = bridge.Resources[PciDev.BridgeIoWindow];
        var mmioRes = bridge.Resources[PciDev.BridgeMemWindow];
        var prefRes = bridge.Resources[PciDev.BridgePrefWindow];
        AlignAvailStart(ref io, ioRes);
        AlignAvailStart(ref mmio, mmioRes);
        AlignAvailStart(ref pref, prefRes);
        AdjustBridgeWindow(ioRes, add, io.Size);
        AdjustBridgeWindow(mmioRes, add, mmio.Size);
        AdjustBridgeWindow(prefRes, add, pref.Size);

        var bridges = bus.Devices.Where(d => d.IsBridge).ToList();
        var hotplug = bridges.Count(d => d.IsHotplugBridge);
        var normal = bridges.Count - hotplug;
        if (hotplug + normal == 0) return;
        foreach (var dev in bus.Devices) RemoveDevResources(dev, ref io, ref mmio, ref pref);
        var share = (ulong)(hotplug != 0 ? hotplug : normal);
        var ioPer = io.Size / share;
        var mmioPer = mmio.Size / share;
        var prefPer = pref.Size / share;
        foreach (var dev in bridges)
        {
            if (dev.Subordinate is not { } b || (hotplug != 0 && !dev.IsHotplugBridge)) continue;
            Share(ref io, dev.Resources[PciDev.BridgeIoWindow], ioPer);
            Share(ref mmio, dev.Resources[PciDev.BridgeMemWindow], mmioPer);
            Share(ref pref, dev.Resources[PciDev.BridgePrefWindow], prefPer);
            DistributeAvailableResources(b, add, io, mmio, pref);
            io.Start += io.End + 1;
            mmio.Start += mmio.End + 1;
            pref.Start += pref.End + 1;
        }
    }

    /// <summary>The per-bridge split: aligned down to the window's alignment, extended back over its current size.</summary>
    private static void Share(ref Avail avail, Resource window, ulong perBridge)
    {
        var align = SetupBusSize.ResourceAlignment(window);
        avail.SetSize(align != 0 ? perBridge / align * align : perBridge);
        avail.Start -= window.Size;
    }

    /// <summary>"The alignment of this bridge is yet to be considered": align an unassigned window's available start.</summary>
    private static void AlignAvailStart(ref Avail avail, Resource window)
    {
        var align = SetupBusSize.ResourceAlignment(window);
        if (!window.IsAssigned && align != 0) avail.Start = Math.Min(ResourceTree.AlignUp(avail.Start, align), avail.End + 1);
    }

    /// <summary>adjust_bridge_window: an unassigned window grows (or shrinks) to the available size; its optional part goes.</summary>
    private static void AdjustBridgeWindow(Resource res, List<DevResEntry>? add, ulong newSize)
    {
        if (res.IsAssigned || newSize == 0 || newSize == res.Size) return;
        res.End = res.Start + newSize - 1;
        DevResList.Remove(add, res);
    }

    /// <summary>remove_dev_resources: what the devices on the bus occupy is not forwarded.</summary>
    private static void RemoveDevResources(PciDev dev, ref Avail io, ref Avail mmio, ref Avail pref)
    {
        foreach (var res in dev.Resources)
        {
            var type = res.Flags.Type();
            if (type == ResFlags.Io) RemoveDevResource(ref io, res);
            else if (type == ResFlags.Mem)
            {
                var intoPref = res.Flags.Any(ResFlags.Prefetch) && res.Flags.Any(ResFlags.Mem64) == (PrefFlagsOf(dev).Any(ResFlags.Mem64));
                if (intoPref) RemoveDevResource(ref pref, res);
                else RemoveDevResource(ref mmio, res);
            }
        }
    }

    private static ResFlags PrefFlagsOf(PciDev dev) => dev.Bus.Self?.Resources[PciDev.BridgePrefWindow].Flags ?? ResFlags.None;

    /// <summary>remove_dev_resource.</summary>
    private static void RemoveDevResource(ref Avail avail, Resource res)
    {
        var size = res.Size;
        if (size == 0 || (res.Start == 0 && res.End == 0 && res.Flags == ResFlags.None)) return;
        var align = SetupBusSize.ResourceAlignment(res);
        var pad = align != 0 ? ResourceTree.AlignUp(avail.Start, align) - avail.Start : 0;
        avail.Start = Math.Min(avail.Start + pad + size, avail.End + 1);
    }
}
