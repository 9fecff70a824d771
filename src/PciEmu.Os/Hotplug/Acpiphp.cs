using System.Globalization;
using PciEmu.Core;
using PciEmu.Fabric.FirmwareTables;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;
using PciEmu.Os.Setup;

namespace PciEmu.Os;

/// <summary>drivers/pci/hotplug/acpiphp_glue.c (and pci_slot.c's slot enumeration): ACPI slots, enable_slot,
/// disable_slot + _EJ0.</summary>
internal sealed class Acpiphp(PciCore core) : PciCorePart(core)
{
    /// <summary>hotplug_event (ACPI_NOTIFY_DEVICE_CHECK on the slot's object, sent by QEMU's PCNT/DVNT):
    /// acpiphp_rescan_slot, and when it found new functions, acpiphp_check_bridge of the slot's bridge.</summary>
    public List<PciDev> AcpiphpDeviceCheck(PciBusNode bus, int slot)
    {
        var found = Core.Probe.ScanSlot(bus, PciCore.DevFn(slot, 0));
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
            if (!functions.Append(0).Any(fn => Cfg.Read32(Bdf.FromDevFn(bus.Number, PciCore.DevFn(slot, fn)), CommonHeader.VendorId.Offset)
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
        Core.Probe.ScanSlot(bus, PciCore.DevFn(slot, 0));
        var add = new List<DevResEntry>();
        var max = AcpiphpMaxBusnr(bus);
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var dev in bus.Devices.Where(d => d.IsBridge && d.Bdf.Device == slot).ToArray())
            {
                max = Core.Probe.ScanBridgeExtend(bus, dev, max, pass == 0 ? 0 : (int)bus.Busn.End - max, pass);
                if (pass == 0 || dev.Subordinate is not { } sub) continue;
                if (functions.Contains(dev.Bdf.Function)) CheckHotplugBridge(dev);
                if (Facts.Arch == PciArch.X86) Core.Survey.ResourceSurveyBus(sub);
                Core.SetupBusSize.SizeBridges(sub, add);
            }
        }
        Core.SetupBusAssign.BusAssignResources(bus, add, null);
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

    /// <summary>acpiphp_disable_and_eject_slot: disable_slot (every function of the device, last first), then _EJ0.</summary>
    public List<PciDev> AcpiphpDisableAndEjectSlot(PciBusNode bus, int slot, IAcpiEjector? ejector)
    {
        var removed = Core.HotplugPci.RemoveSlotFunctions(bus, slot, reverse: true);
        ejector?.Eject(bus.Number, slot);
        return removed;
    }

    /// <summary>acpi_pci_add_bus (via pcibios_add_bus): acpi_pci_slot_enumerate creates a pci_slot named after _SUN for
    /// every _SUN object of the bus (register_slot → pci_create_slot without a hot-plug slot, so make_slot_name may
    /// suffix it), then acpiphp_enumerate_slots registers the ejectable ones (acpiphp_add_context → pci_hp_register),
    /// which finds that pci_slot and renames it to the _SUN name (rename_slot → make_slot_name while the old name is
    /// still taken). QEMU's _SUN is the device number.</summary>
    public void AcpiphpEnumerateSlots(PciBusNode bus)
    {
        var slots = EjectableSlots(bus);
        var created = new List<(string Sun, string Name)>();
        foreach (var slot in slots.Distinct())
        {
            var sun = slot.ToString(CultureInfo.InvariantCulture);
            created.Add((sun, Core.PortServices.RegisterSlotName(sun)));
        }
        foreach (var (sun, name) in created)
        {
            var final = name;
            if (name != sun)
            {
                final = Core.PortServices.MakeSlotName(sun);
                Core.SlotNames.Remove(name);
                Core.SlotNames.Add(final);
            }
            Log.Raw($"acpiphp: Slot [{final}] registered");
        }
    }

    /// <summary>ACPI_HANDLE(bus->bridge): the host bridge's scope for the root bus, else the bridge's companion's
    /// children (acpi_pci_find_companion: the object whose _ADR names the bridge in its parent's scope).</summary>
    public AcpiPciScope? AcpiScopeOf(PciBusNode bus) => bus.Self is { } self ? AcpiCompanion(self)?.Children : Facts.AcpiRoot;

    /// <summary>ACPI_COMPANION(&amp;dev->dev): the _ADR object of the function in its bus's scope.</summary>
    public AcpiPciObject? AcpiCompanion(PciDev dev) =>
        AcpiScopeOf(dev.Bus)?.Objects.FirstOrDefault(o => o.Device == dev.Bdf.Device && o.Function == dev.Bdf.Function);

    /// <summary>The device numbers with _SUN/_EJ0 below the bus (the platform's per-number list without a namespace model).</summary>
    public IReadOnlyList<int> EjectableSlots(PciBusNode bus)
    {
        if (Facts.AcpiRoot is null) return Facts.AcpiSlots.TryGetValue(bus.Number, out var s) ? s : [];
        return AcpiScopeOf(bus) is { } scope ? scope.Objects.Where(o => o.Ejectable).Select(o => o.Device).Distinct().ToList() : [];
    }
}
