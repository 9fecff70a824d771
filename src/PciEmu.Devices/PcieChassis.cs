using PciEmu.Devices.Devices;

namespace PciEmu.Devices;

/// <summary>
/// The machine's PCIe chassis/slot registry (hw/pci/pcie_port.c pcie_chassis_*): every root or downstream port
/// registers (chassis, slot) at realize; a duplicate fails. One instance per machine, owned by the platform.
/// </summary>
public sealed class PcieChassis
{
    /// <summary>-EBUSY, as pcie_chassis_add_slot returns it.</summary>
    public const int ErrorBusy = -16;

    private readonly Dictionary<(byte Chassis, ushort Slot), PcieSlotPort> _slots = [];

    /// <summary>pcie_chassis_add_slot, with rp_realize's error text.</summary>
    public void Add(PcieSlotPort port)
    {
        var key = (port.SlotOptions.Chassis, port.SlotOptions.Slot);
        if (!_slots.TryAdd(key, port))
            throw new DeviceRealizeException($"Can't add chassis slot, error {ErrorBusy}");
    }

    /// <summary>pcie_chassis_del_slot (unplug of a port).</summary>
    public void Remove(PcieSlotPort port)
    {
        var key = (port.SlotOptions.Chassis, port.SlotOptions.Slot);
        if (_slots.TryGetValue(key, out var p) && ReferenceEquals(p, port)) _slots.Remove(key);
    }

    public bool Contains(byte chassis, ushort slot) => _slots.ContainsKey((chassis, slot));
}
