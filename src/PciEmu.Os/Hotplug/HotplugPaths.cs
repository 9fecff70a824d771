using PciEmu.Core;
using PciEmu.Os.Model;
using PciEmu.Os.Setup;

namespace PciEmu.Os;

/// <summary>drivers/pci/hotplug: acpiphp_glue.c enable_slot, pciehp_pci.c / shpchp_pci.c configure_device.</summary>
internal sealed partial class PciCore
{
    /// <summary>hotplug_event (ACPI_NOTIFY_DEVICE_CHECK on the slot's object, sent by QEMU's PCNT/DVNT):
    /// acpiphp_rescan_slot, and when it found new functions, acpiphp_check_bridge of the slot's bridge.</summary>
    public List<PciDev> AcpiphpDeviceCheck(PciBusNode bus, int slot)
    {
        var found = ScanSlot(bus, DevFn(slot, 0));
        if (found.Count == 0) return found;
        AcpiphpCheckBridge(bus, slot);
        foreach (var d in found) d.Added = true;
        return found;
    }

    /// <summary>acpiphp_check_bridge: every ACPI slot of the bridge in namespace order; enable_slot where a function
    /// answers (get_slot_status: QEMU's slot objects have no _STA, so the vendor ID decides), disable_slot otherwise
    /// (nothing to remove for an empty slot). The event's slot is always among them (a caller without a namespace
    /// model, or a slot the model does not know, still gets the device configured).</summary>
    private void AcpiphpCheckBridge(PciBusNode bus, int eventSlot)
    {
        var slots = AcpiphpSlots(bus);
        if (!slots.Any(s => s.Slot == eventSlot)) slots.Add((eventSlot, [0]));
        foreach (var (slot, functions) in slots)
        {
            if (!functions.Append(0).Any(fn => Cfg.Read32(Bdf.FromDevFn(bus.Number, DevFn(slot, fn)), CommonHeader.VendorId.Offset)
                    is not (uint.MaxValue or 0 or PciRegs.AbsentLowHalf or PciRegs.AbsentHighHalf)))
                continue;
            AcpiphpEnableSlot(bus, slot, functions);
        }
    }

    /// <summary>acpiphp_add_context's slot list of a bus: one slot per device number with an _ADR object (in namespace
    /// order), with the functions its objects name. Without a namespace model, the ejectable slots alone.</summary>
    private List<(int Slot, List<int> Functions)> AcpiphpSlots(PciBusNode bus)
    {
        var slots = new List<(int Slot, List<int> Functions)>();
        if (Facts.AcpiRoot is not null)
        {
            if (AcpiScopeOf(bus) is not { } scope) return slots;
            foreach (var o in scope.Objects)
            {
                var i = slots.FindIndex(s => s.Slot == o.Device);
                if (i < 0) slots.Add((o.Device, [o.Function]));
                else slots[i].Functions.Add(o.Function);
            }
        }
        else if (Facts.AcpiSlots.TryGetValue(bus.Number, out var ejectable))
        {
            slots.AddRange(ejectable.Select(s => (s, new List<int> { 0 })));
        }
        return slots;
    }

    /// <summary>acpiphp enable_slot (not natively hot-plugged bus): acpiphp_rescan_slot, then both pci_scan_bridge
    /// passes over every bridge in the slot (new or not); in pass 1 each numbered one is checked as a hot-plug
    /// bridge, surveyed and sized; finally __pci_bus_assign_resources of the whole bus into its existing windows.</summary>
    private void AcpiphpEnableSlot(PciBusNode bus, int slot, List<int> functions)
    {
        ScanSlot(bus, DevFn(slot, 0));
        var add = new List<DevResEntry>();
        var max = AcpiphpMaxBusnr(bus);
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var dev in bus.Devices.Where(d => d.IsBridge && d.Bdf.Device == slot).ToArray())
            {
                max = ScanBridgeExtend(bus, dev, max, pass == 0 ? 0 : (int)bus.Busn.End - max, pass);
                if (pass == 0 || dev.Subordinate is not { } sub) continue;
                if (functions.Contains(dev.Bdf.Function)) CheckHotplugBridge(dev);
                if (Facts.Arch == PciArch.X86) ResourceSurveyBus(sub);
                SizeBridges(sub, add);
            }
        }
        BusAssignResources(bus, add, null);
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
