using System.Globalization;
using PciEmu.Core;
using PciEmu.Os.Hotplug;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;
using PciEmu.Os.Setup;

namespace PciEmu.Os;

/// <summary>drivers/pci/remove.c and the common body of pciehp_pci.c / shpchp_pci.c: configure and remove the
/// functions of a slot.</summary>
internal sealed class HotplugPci(PciCore core) : PciCorePart(core)
{
    /// <summary>The common body of pciehp_configure_device / shpchp_configure_device.</summary>
    public List<PciDev> ConfigureBridgeSlot(PciDev bridge, int slot)
    {
        var parent = bridge.Subordinate!;
        var found = Core.Probe.ScanSlot(parent, PciCore.DevFn(slot, 0));
        if (found.Count == 0)
        {
            Log.Dev(bridge, "No new device found");
            return found;
        }
        foreach (var dev in found.Where(d => d.IsBridge)) Core.Probe.HpAddBridge(parent, dev);
        Core.SetupBusAssign.AssignUnassignedBridgeResources(bridge);
        foreach (var d in found) d.Added = true;
        return found;
    }

    /// <summary>pci_stop_and_remove_bus_device: children first, then release the device's resources and drop it.</summary>
    public void StopAndRemoveBusDevice(PciDev dev)
    {
        if (dev.Subordinate is { } sub)
        {
            foreach (var child in sub.Devices.ToArray().Reverse()) StopAndRemoveBusDevice(child);
            dev.Bus.Children.Remove(sub);
            ResourceTree.Release(sub.Busn); // pci_remove_bus → pci_bus_release_busn_res
            dev.Subordinate = null;
        }
        if (Core.ShpchpCore._shpc.Remove(dev, out var ctrl) && ctrl.MmioRegion is { } mmio)
        {
            // shpc_remove → shpchp_release_ctlr: the register window goes before the BARs.
            foreach (var s in ctrl.Slots) Core.SlotNames.Remove(s.Name);
            ResourceTree.Release(mmio);
        }
        foreach (var r in dev.Resources)
        {
            // pci_free_resources: release_resource of everything in the tree (a window's children are gone already).
            if (r.IsAssigned) ResourceTree.Release(r);
        }
        dev.Bus.Devices.Remove(dev);
        dev.Driver = null;
    }

    /// <summary>The functions of one device number below a bus, removed the way the hot-plug drivers' unconfigure
    /// paths walk bus->devices (acpiphp and pciehp in reverse).</summary>
    public List<PciDev> RemoveSlotFunctions(PciBusNode bus, int device, bool reverse)
    {
        var devs = bus.Devices.Where(d => d.Bdf.Device == device).ToList();
        if (reverse) devs.Reverse();
        foreach (var d in devs) StopAndRemoveBusDevice(d);
        return devs;
    }
}
