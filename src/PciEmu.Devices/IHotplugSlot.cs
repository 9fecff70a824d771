using PciEmu.Core;

namespace PciEmu.Devices;

/// <summary>How a slot signals a hot-plug event to the guest (hotplug_event_notify).</summary>
public enum SlotInterruptKind : byte
{
    MsiX,
    Msi,
    Intx,
}

/// <summary>A hot-plug interrupt the port raised: an MSI-X/MSI message with its vector, or the new INTx level.</summary>
public readonly record struct SlotNotification(SlotInterruptKind Kind, int Vector, bool Level);

/// <summary>
/// A PCIe slot (root or downstream port) as the platform's hot-plug controller drives it. The platform plugs the
/// child into the fabric bus first and then calls <see cref="PlugChild"/>; it removes a child from the fabric
/// when <see cref="ChildUnplugged"/> fires.
/// </summary>
public interface IHotplugSlot
{
    /// <summary>SLTCAP.HPC: the slot accepts native hot-plug.</summary>
    bool HotplugCapable { get; }

    /// <summary>
    /// True when ACPI PCI hot-plug owns the secondary bus (q35 with acpi-pci-hotplug-with-bridge-support=on):
    /// cold-plugged children then set neither PDS nor DLLLA, and hot-add only powers the slot.
    /// </summary>
    bool AcpiManaged { get; set; }

    /// <summary>A child on the secondary bus (pcie_cap_slot_pre_plug_cb + pcie_cap_slot_plug_cb); throws
    /// <see cref="DeviceRealizeException"/> when QEMU refuses the plug.</summary>
    void PlugChild(int devFn, PciFunction child, bool hotplugged);

    /// <summary>device_del on a child (pcie_cap_slot_unplug_request_cb): removes at once or presses the
    /// attention button and waits for the guest to power the slot off.</summary>
    void RequestUnplug(int devFn);

    /// <summary>pcie_cap_slot_enable_power: what ACPI hot-plug does to the slot on hot-add (PCC = on).</summary>
    void EnablePower();

    /// <summary>Forgets a child without touching slot registers (the ACPI hot-plug path ejects it).</summary>
    void RemoveChild(int devFn);

    /// <summary>A child the slot detached (power-off by the guest or immediate removal).</summary>
    event Action<int, PciFunction>? ChildUnplugged;

    /// <summary>A hot-plug interrupt.</summary>
    event Action<SlotNotification>? Notification;
}
