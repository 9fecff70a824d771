using PciEmu.Os.Model;
using PciEmu.Os.Resources;

namespace PciEmu.Os;

/// <summary>drivers/pci/remove.c: the kernel side of an unplug (the hot-plug drivers' disable_slot paths).</summary>
internal sealed partial class PciCore
{
    /// <summary>pci_stop_and_remove_bus_device: children first, then release the device's resources and drop it.</summary>
    public void StopAndRemoveBusDevice(PciDev dev)
    {
        if (dev.Subordinate is { } sub)
        {
            foreach (var child in sub.Devices.ToArray()) StopAndRemoveBusDevice(child);
            dev.Bus.Children.Remove(sub);
            dev.Subordinate = null;
        }
        foreach (var r in dev.Resources)
        {
            // pci_free_resources: release_resource of everything in the tree (a window's children are gone already).
            if (r.IsAssigned) ResourceTree.Release(r);
        }
        dev.Bus.Devices.Remove(dev);
    }
}
