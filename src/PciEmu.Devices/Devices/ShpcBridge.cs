using PciEmu.Core;
using PciEmu.Devices.Capabilities;

namespace PciEmu.Devices.Devices;

/// <summary>
/// A bridge with a conventional secondary bus that may carry an SHPC controller (pci-bridge, pcie-pci-bridge).
/// It is the SHPC hot-plug handler of its secondary bus (shpc_device_plug_cb) with the same entry points as
/// <see cref="IHotplugSlot"/> (not implemented as that interface: the platform adapter on main dispatches PCIe
/// slots and SHPC bridges separately).
/// </summary>
public abstract class ShpcBridge(PciDeviceOptions options) : PciBridgeFunction(options)
{
    public const int ShpcBar = 0;
    private const int DevFnSlotShift = 3;

    private readonly SortedDictionary<int, PciFunction> _children = [];

    /// <summary>The SHPC controller, or null when the bridge has none (pci-bridge shpc=off).</summary>
    public ShpcController? Shpc { get; protected set; }
    protected int MsiPos { get; set; }
    public sealed override bool SecondaryIsExpress => false;
    public IReadOnlyDictionary<int, PciFunction> Children => _children;

    /// <summary>True with an SHPC: slots 1-31 of the secondary bus are hot-pluggable.</summary>
    public bool HotplugCapable => Shpc is not null;

    /// <summary>ACPI PCI hot-plug owns the secondary bus (pc/q35 default): SHPC sees no plug events.</summary>
    public bool AcpiManaged { get; set; }

    public event Action<int, PciFunction>? ChildUnplugged;
    public event Action<SlotNotification>? Notification;

    /// <summary>shpc_init + the 64-bit SHPC BAR registration both bridges do.</summary>
    protected void AddShpc(ConfigSpaceBuilder b)
    {
        Shpc = new ShpcController { MsiEnabled = () => MsiPos != 0 && QemuMsi.Enabled(Config, MsiPos) };
        Shpc.AddTo(b, 0);
        Shpc.Notification += n => Notification?.Invoke(n);
        Shpc.SlotFreed += FreeSlot;
    }

    protected void RegisterShpcBar(ConfigSpaceBuilder b) =>
        b.Bar(new BarDefinition(ShpcBar, BarKind.Memory64, ShpcController.BarSize));

    /// <summary>shpc_reset: slot i is occupied when function 0 of PCI slot i is present.</summary>
    protected void ResetShpc() => Shpc?.Reset(Config, slot => _children.ContainsKey(slot << DevFnSlotShift));

    /// <summary>pci_bridge_dev_write_config / pcie_pci_bridge_write_config: bridge, then SHPC window.</summary>
    protected override void OnConfigWritten(in ConfigWrite w)
    {
        base.OnConfigWritten(w);
        Shpc?.OnConfigWritten(Config, w);
    }

    /// <summary>A child on the secondary bus: recorded, and an SHPC plug event unless ACPI owns the bus.</summary>
    public void PlugChild(int devFn, PciFunction child, bool hotplugged)
    {
        if (hotplugged && !AcpiManaged && Shpc is null)
            throw new DeviceRealizeException($"Bus '{Id}' does not support hotplugging");
        if (!AcpiManaged && Shpc is not null) Shpc.DevicePlugged(devFn >> DevFnSlotShift, hotplugged);
        _children[devFn] = child;
        child.Hotplugged = hotplugged;
    }

    /// <summary>device_del of a child (shpc_device_unplug_request_cb).</summary>
    public void RequestUnplug(int devFn)
    {
        if (!_children.ContainsKey(devFn)) return;
        if (Shpc is null) throw new DeviceRealizeException($"Bus '{Id}' does not support hotplugging");
        Shpc.UnplugRequested(devFn >> DevFnSlotShift);
    }

    /// <summary>SHPC slots have no slot power controller in PciEmu's model: nothing to do.</summary>
    public void EnablePower()
    {
    }

    /// <summary>Forgets a child without SHPC events (ACPI eject).</summary>
    public void RemoveChild(int devFn) => _children.Remove(devFn);

    /// <summary>Records a child without any SHPC event (the ACPI-managed path); kept for existing callers.</summary>
    public void ChildPlugged(int devFn, PciFunction child, bool hotplugged)
    {
        _children[devFn] = child;
        child.Hotplugged = hotplugged;
    }

    /// <summary>Same as <see cref="RemoveChild"/>; kept for existing callers.</summary>
    public void ChildRemoved(int devFn) => RemoveChild(devFn);

    /// <summary>shpc_free_devices_in_slot: every function of that PCI slot goes.</summary>
    private void FreeSlot(int pciSlot)
    {
        foreach (var (devFn, child) in _children.Where(c => c.Key >> DevFnSlotShift == pciSlot).ToArray())
        {
            _children.Remove(devFn);
            ChildUnplugged?.Invoke(devFn, child);
        }
    }
}
