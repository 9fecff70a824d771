using PciEmu.Os.Model;
using PciEmu.Os.Setup;

namespace PciEmu.Os;

/// <summary>drivers/pci/hotplug: acpiphp_glue.c enable_slot, pciehp_pci.c / shpchp_pci.c configure_device.</summary>
internal sealed partial class PciCore
{
    /// <summary>acpiphp enable_slot: scan the slot, number/size new bridges, assign into the existing windows only.</summary>
    public List<PciDev> AcpiphpEnableSlot(PciBusNode bus, int slot)
    {
        var found = ScanSlot(bus, DevFn(slot, 0));
        var add = new List<DevResEntry>();
        var max = AcpiphpMaxBusnr(bus);
        foreach (var dev in found.Where(d => d.IsBridge)) max = ScanBridgeExtend(bus, dev, max, 0, 0);
        foreach (var dev in found.Where(d => d.IsBridge))
        {
            max = ScanBridgeExtend(bus, dev, max, (int)bus.Busn.End - max, 1);
            if (dev.Subordinate is not { } sub) continue;
            CheckHotplugBridge(dev);
            if (Facts.Arch == PciArch.X86) ResourceSurveyBus(sub);
            SizeBridges(sub, add);
        }
        BusAssignResources(bus, add, null);
        foreach (var d in found) d.Added = true;
        return found;
    }

    /// <summary>acpiphp_max_busnr: the highest bus number reserved below the bus (not the bus's own padding).</summary>
    private static int AcpiphpMaxBusnr(PciBusNode bus) =>
        Math.Max(bus.Number, bus.Children.Count == 0 ? 0 : bus.Children.Max(c => c.Subtree().Max(b => (int)b.Busn.End)));

    /// <summary>check_hotplug_bridge: a bridge that arrived in an ACPI slot is a hot-plug bridge (not a switch upstream port).</summary>
    private static void CheckHotplugBridge(PciDev dev)
    {
        if (dev.IsHotplugBridge || dev.PcieType == PcieType.UpstreamPort) return;
        dev.IsHotplugBridge = true;
    }

    /// <summary>pciehp: button press, presence, link up, then pciehp_configure_device.</summary>
    public List<PciDev> PciehpConfigureDevice(PciDev port)
    {
        var slot = PciehpSlotName(port);
        if (Is612)
        {
            Log.Dev(port, $"pciehp: Slot({slot}): Button press: will power on in 5 sec");
        }
        else
        {
            Log.Dev(port, $"pciehp: Slot({slot}): Attention button pressed");
            Log.Dev(port, $"pciehp: Slot({slot}) Powering on due to button press");
        }
        Log.Dev(port, $"pciehp: Slot({slot}): Card present");
        PowerOnSlot(port);
        Log.Dev(port, $"pciehp: Slot({slot}): Link Up");
        return ConfigureBridgeSlot(port, 0);
    }

    /// <summary>pciehp_power_on_slot + pciehp_set_indicators: Power Controller on, Power Indicator on.</summary>
    private void PowerOnSlot(PciDev port)
    {
        const int sltCtl = 0x18;
        const ushort powerControllerOff = 1 << 10;
        const ushort powerIndicatorMask = 3 << 8;
        const ushort powerIndicatorOn = 1 << 8;
        var ctl = Read16(port, port.PcieCap + sltCtl);
        Write16(port, port.PcieCap + sltCtl, (ushort)((ctl & ~(powerControllerOff | powerIndicatorMask)) | powerIndicatorOn));
    }

    /// <summary>The common body of pciehp_configure_device / shpchp_configure_device.</summary>
    private List<PciDev> ConfigureBridgeSlot(PciDev bridge, int slot)
    {
        var parent = bridge.Subordinate!;
        var found = ScanSlot(parent, DevFn(slot, 0));
        if (found.Count == 0)
        {
            Log.Dev(bridge, "No new device found");
            return found;
        }
        foreach (var dev in found.Where(d => d.IsBridge)) HpAddBridge(parent, dev);
        AssignUnassignedBridgeResources(bridge);
        foreach (var d in found) d.Added = true;
        return found;
    }

    /// <summary>pci_hp_add_bridge: first free bus number in the parent's range, then both scan passes.</summary>
    private void HpAddBridge(PciBusNode parent, PciDev dev)
    {
        var end = (int)parent.Busn.End;
        var used = parent.Subtree().Select(b => b.Number).ToHashSet();
        var busnr = parent.Number + 1;
        while (busnr <= end && used.Contains(busnr)) busnr++;
        if (busnr > end)
        {
            Log.Dev(dev, "No bus number available for hot-added bridge");
            return;
        }
        var max = busnr - 1;
        max = ScanBridgeExtend(parent, dev, max, 0, 0);
        ScanBridgeExtend(parent, dev, max, end - busnr, 1);
    }
}
