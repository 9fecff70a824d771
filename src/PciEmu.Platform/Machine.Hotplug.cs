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

/// <summary>How a native slot (PCIe port, SHPC bridge) signals: an MSI-X or MSI message, or its INTx pin.</summary>
public enum HotplugInterruptKind
{
    MsiX,
    Msi,
    Intx,
}

/// <summary>A slot's hot-plug interrupt: a message (vector) sent, or the INTx level it drove.</summary>
public readonly record struct HotplugInterrupt(HotplugInterruptKind Kind, int Vector, bool Level);

/// <summary>A platform notification of a hot-plug event (acpi_send_event / pcie_cap_slot_* / shpc).</summary>
public sealed record HotplugNotification(HotplugEventKind Kind, HotplugMechanism Mechanism, string BusName, int DevFn, string Driver, string? Id)
{
    /// <summary>The ACPI bus selector of the bus (ACPI hot-plug only).</summary>
    public int? Bsel { get; init; }

    /// <summary>
    /// Native mechanisms: the last interrupt the slot raised while handling the event (an MSI sent, or the INTx level
    /// after it; SHPC keeps INTx low until the guest clears the global interrupt disable). Null when none was raised.
    /// </summary>
    public HotplugInterrupt? Interrupt { get; init; }
}

public sealed partial class Machine
{
    private readonly Dictionary<PciBus, int> _bsel = [];
    private readonly Dictionary<PciBridgeFunction, IBridgeSlot> _slots = [];
    private bool _machineDone;
    private HotplugInterrupt? _lastInterrupt;
    private List<HotplugNotification>? _deferred;

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
        if (Kind.HostHandlesPciHotplug) return;
        if (_catalog.GetSlot(bridge) is not { } slot) return;
        _slots[bridge] = slot;
        // acpi_pcihp_device_plug_cb replaces (or, for a hotplug=off slot, removes) the port's own handler, so the
        // slot's plug callback never runs for its children: no presence detect either way.
        slot.AcpiManaged = Acpi.AcpiBridgeHotplug && !bridge.Hotplugged;
        slot.ChildUnplugged += devFn => CompleteUnplug(secondary.Name, devFn);
        slot.Interrupt += i => _lastInterrupt = i;
    }

    /// <summary>Raises a notification now, or after the request that caused it when one is being handled.</summary>
    private void Raise(HotplugNotification n)
    {
        if (_deferred is { } d) d.Add(n);
        else Hotplug?.Invoke(n);
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

    /// <summary>
    /// HMP/QMP device_add: place the device hot-plugged and raise the event the QEMU way: ACPI (UP bit + GPE), the
    /// PCIe slot (pcie_cap_slot_plug_cb) or the bridge's SHPC (shpc_device_plug_cb: MRL closed, card present,
    /// button/MRL/presence latched, interrupt update), all done by the slot while the device is plugged.
    /// </summary>
    public PlacedDevice DeviceAdd(DeviceRequest request)
    {
        MachineDone();
        _lastInterrupt = null;
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
        Raise(new HotplugNotification(HotplugEventKind.Added, mechanism, bus.Name, placed.DevFn, placed.Driver, placed.Id)
        {
            Bsel = bsel,
            Interrupt = mechanism is HotplugMechanism.NativePcie or HotplugMechanism.Shpc ? _lastInterrupt : null,
        });
        return placed;
    }

    /// <summary>
    /// HMP/QMP device_del (qmp_device_del → qdev_unplug): the bus must have a hot-plug handler and the device class
    /// be hot-pluggable; then the handler's unplug request runs (ACPI DOWN bit, PCIe or SHPC attention button, or an
    /// immediate removal when the slot is already off). The guest completes a button-press unplug (ACPI eject, slot
    /// power off, SHPC "disable slot" with the power LED off).
    /// </summary>
    public void DeviceDel(string id)
    {
        MachineDone();
        var found = _hierarchy.FindById(id) ?? throw new QemuException($"Device '{id}' not found");
        var (bus, devFn, f) = found;
        var mechanism = HotplugMechanismFor(bus);
        if (mechanism == HotplugMechanism.None) throw new QemuException($"Bus '{bus.Name}' does not support hotplugging");
        if (_catalog.Find(f.TypeName) is { Hotpluggable: false })
            throw new QemuException($"Device '{f.TypeName}' does not support hotplugging");
        int? bsel = _bsel.TryGetValue(bus, out var b) ? b : null;
        _lastInterrupt = null;
        var deferred = _deferred = [];
        try
        {
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
        finally
        {
            _deferred = null;
        }
        Hotplug?.Invoke(new HotplugNotification(HotplugEventKind.UnplugRequested, mechanism, bus.Name, devFn, f.TypeName, f.Id)
        {
            Bsel = bsel,
            Interrupt = mechanism is HotplugMechanism.NativePcie or HotplugMechanism.Shpc ? _lastInterrupt : null,
        });
        foreach (var n in deferred) Hotplug?.Invoke(n);
    }

    /// <summary>Completes an unplug (the guest's eject or a powered-off slot): the function leaves its bus.</summary>
    public void CompleteUnplug(string busName, int devFn)
    {
        var bus = _hierarchy.FindBusByName(busName) ?? throw new QemuException($"Bus '{busName}' not found");
        if (bus[devFn] is not { } f) return;
        Forget(bus, f);
        bus.Unplug(devFn);
        Raise(new HotplugNotification(HotplugEventKind.Removed, HotplugMechanismFor(bus), bus.Name, devFn, f.TypeName, f.Id));
    }

    /// <summary>object_unparent of a device: its id, and for a bridge everything below it, are gone.</summary>
    private void Forget(PciBus bus, PciFunction f)
    {
        if (f.Id is { } id) _ids.Remove(id);
        if (f is PciEmu.Devices.Devices.PcieSlotPort port) _chassis.Remove(port);
        if (f is not PciBridgeFunction br) return;
        _slots.Remove(br);
        if (bus.ChildOf(br) is not { } secondary) return;
        foreach (var (_, child) in secondary.Functions.ToList()) Forget(secondary, child);
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
