using PciEmu.Core;
using PciEmu.Fabric;

namespace PciEmu.Platform;

/// <summary>What happened on a hot-plug path, as the platform notifies it (GPE for ACPI, slot events natively).</summary>
public enum HotplugEventKind
{
    Added,
    UnplugRequested,
    Removed,
}

/// <summary>A platform notification of a hot-plug event (acpi_send_event / pcie_cap_slot_* / shpc).</summary>
public sealed record HotplugNotification(HotplugEventKind Kind, HotplugMechanism Mechanism, string BusName, int DevFn, string Driver, string? Id)
{
    /// <summary>The ACPI bus selector of the bus (ACPI hot-plug only).</summary>
    public int? Bsel { get; init; }
}

public sealed partial class Machine
{
    private readonly Dictionary<PciBus, int> _bsel = [];
    private readonly Dictionary<PciBridgeFunction, IBridgeSlot> _slots = [];
    private bool _machineDone;

    /// <summary>Raised for every hot-plug event the platform signals.</summary>
    public event Action<HotplugNotification>? Hotplug;

    /// <summary>
    /// Machine-done: QEMU assigns ACPI bus selectors (acpi_set_pci_info: depth first, newest bridge first, only
    /// buses with ACPI hot-plug), checks the -global list, then runs the start-up system reset
    /// (qmp_x_exit_preconfig → qemu_system_reset), which e.g. powers populated PCIe slots. After this, devices
    /// arrive with device_add.
    /// </summary>
    public void MachineDone()
    {
        if (_machineDone) return;
        _machineDone = true;
        Reset();
        var next = 0;
        foreach (var bus in DepthFirst(_hierarchy.Root))
        {
            if (HotplugMechanismFor(bus) == HotplugMechanism.Acpi) _bsel[bus] = next++;
        }
        CheckGlobals();
    }

    private static IEnumerable<PciBus> DepthFirst(PciBus bus)
    {
        yield return bus;
        foreach (var child in bus.Children)
        {
            foreach (var b in DepthFirst(child)) yield return b;
        }
    }

    /// <summary>
    /// A new bridge's slot: ACPI takes the secondary bus of cold-plugged bridges when bridge hot-plug is on
    /// (acpi_pcihp_device_plug_cb overrides the hot-plug handler); the slot reports children it detaches.
    /// </summary>
    private void AttachSlot(PciBridgeFunction bridge, PciBus secondary)
    {
        if (_catalog.GetSlot(bridge) is not { } slot) return;
        _slots[bridge] = slot;
        // acpi_pcihp_device_plug_cb replaces (or, for a hotplug=off slot, removes) the port's own handler, so the
        // slot's plug callback never runs for its children: no presence detect either way.
        slot.AcpiManaged = Acpi.AcpiBridgeHotplug && !bridge.Hotplugged;
        slot.ChildUnplugged += devFn => CompleteUnplug(secondary.Name, devFn);
    }

    /// <summary>The ACPI bus selector of a bus by name, if it has one.</summary>
    public int? BselOf(string busName) =>
        _hierarchy.FindBusByName(busName) is { } b && _bsel.TryGetValue(b, out var v) ? v : null;

    /// <summary>Which mechanism signals hot-plug on a bus (the bus's hot-plug handler in QEMU 7.2).</summary>
    public HotplugMechanism HotplugMechanismFor(string busName) =>
        _hierarchy.FindBusByName(busName) is { } b ? HotplugMechanismFor(b) : HotplugMechanism.None;

    /// <summary>
    /// The secondary bus's hot-plug handler: ACPI takes every cold-plugged bridge's bus when bridge hot-plug is on,
    /// except a PCIe slot with hotplug=off, which then has none (acpi_pcihp_device_plug_cb); otherwise the port's
    /// own slot (pcie_cap_slot_init, which refuses when SLTCAP.HPC is clear) or the bridge's SHPC.
    /// </summary>
    private HotplugMechanism HotplugMechanismFor(PciBus bus)
    {
        if (bus.ParentBridge is not { } bridge)
            return Acpi.AcpiRootHotplug ? HotplugMechanism.Acpi : HotplugMechanism.None;
        var slot = _slots.GetValueOrDefault(bridge);
        if (Acpi.AcpiBridgeHotplug && !bridge.Hotplugged)
            return slot is not null && bridge.SecondaryIsExpress && !slot.HotplugCapable ? HotplugMechanism.None : HotplugMechanism.Acpi;
        if (slot is null) return HotplugMechanism.None;
        if (bridge.SecondaryIsExpress) return HotplugMechanism.NativePcie;
        return slot.HotplugCapable ? HotplugMechanism.Shpc : HotplugMechanism.None;
    }

    /// <summary>HMP/QMP device_add: place the device hot-plugged and raise the event the QEMU way.</summary>
    public PlacedDevice DeviceAdd(DeviceRequest request)
    {
        MachineDone();
        var placed = Place(request, hotplug: true);
        var bus = _hierarchy.FindBusByName(placed.BusName)!;
        var mechanism = HotplugMechanismFor(bus);
        int? bsel = null;
        if (mechanism == HotplugMechanism.Acpi && _bsel.TryGetValue(bus, out var b))
        {
            // acpi_pcihp_device_plug_cb: UP bit and GPE (the slot already powered itself on if it is a PCIe port).
            _acpiHotplug!.SignalUp(b, placed.Slot);
            bsel = b;
        }
        Hotplug?.Invoke(new HotplugNotification(HotplugEventKind.Added, mechanism, bus.Name, placed.DevFn, placed.Driver, placed.Id) { Bsel = bsel });
        return placed;
    }

    /// <summary>HMP/QMP device_del: request the unplug; the guest completes it (ACPI eject / slot power off).</summary>
    public void DeviceDel(string id)
    {
        MachineDone();
        var found = _hierarchy.FindById(id) ?? throw new QemuException($"Device '{id}' not found");
        var (bus, devFn, f) = found;
        var mechanism = HotplugMechanismFor(bus);
        if (mechanism == HotplugMechanism.None) throw new QemuException($"Bus '{bus.Name}' does not support hotplugging");
        int? bsel = _bsel.TryGetValue(bus, out var b) ? b : null;
        Hotplug?.Invoke(new HotplugNotification(HotplugEventKind.UnplugRequested, mechanism, bus.Name, devFn, f.TypeName, f.Id) { Bsel = bsel });
        if (mechanism == HotplugMechanism.Acpi && bsel is { } sel)
        {
            // acpi_pcihp_device_unplug_request_cb: DOWN bit and GPE; the guest ejects through EJ.
            _acpiHotplug!.SignalDown(sel, devFn >> SlotShift);
        }
        else if (bus.ParentBridge is { } bridge && _slots.TryGetValue(bridge, out var slot))
        {
            slot.UnplugRequested(devFn);
        }
    }

    /// <summary>Completes an unplug (the guest's eject or a powered-off slot): the function leaves its bus.</summary>
    public void CompleteUnplug(string busName, int devFn)
    {
        var bus = _hierarchy.FindBusByName(busName) ?? throw new QemuException($"Bus '{busName}' not found");
        if (bus[devFn] is not { } f) return;
        bus.Unplug(devFn);
        if (f is PciBridgeFunction br) _slots.Remove(br);
        if (f.Id is { } id) _ids.Remove(id);
        Hotplug?.Invoke(new HotplugNotification(HotplugEventKind.Removed, HotplugMechanismFor(bus), bus.Name, devFn, f.TypeName, f.Id));
    }

    /// <summary>acpi_pcihp_eject_slot: every ejectable function in the selected slots leaves the bus.</summary>
    internal void EjectSlots(int bsel, uint slots)
    {
        var bus = _bsel.FirstOrDefault(kv => kv.Value == bsel).Key;
        if (bus is null) return;
        foreach (var (devFn, f) in bus.Functions.ToList())
        {
            if ((slots & (1u << (devFn >> SlotShift))) == 0 || NotAcpiHotpluggable(f)) continue;
            if (bus.ParentBridge is { } parent && _slots.TryGetValue(parent, out var slot)) slot.ChildRemoved(devFn);
            CompleteUnplug(bus.Name, devFn);
        }
    }

    /// <summary>acpi_pcihp_pc_no_hotplug: cold-plugged bridges and non-hotpluggable models cannot be ejected.</summary>
    private bool NotAcpiHotpluggable(PciFunction f) =>
        (f.IsBridge && !f.Hotplugged) || _catalog.Find(f.TypeName) is not { Hotpluggable: true };

    /// <summary>acpi_pcihp_update_hotplug_bus: RMV = slots without a non-removable function.</summary>
    internal uint RemovableSlots(int bsel)
    {
        var bus = _bsel.FirstOrDefault(kv => kv.Value == bsel).Key;
        if (bus is null) return 0;
        var mask = uint.MaxValue;
        foreach (var (devFn, f) in bus.Functions)
        {
            if (NotAcpiHotpluggable(f)) mask &= ~(1u << (devFn >> SlotShift));
        }
        return mask;
    }
}
