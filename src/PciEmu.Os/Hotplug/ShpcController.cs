using PciEmu.Os.Model;
using PciEmu.Os.Resources;

namespace PciEmu.Os.Hotplug;

/// <summary>The slot state machine states of shpchp.h (STATIC_STATE … POWERON_STATE).</summary>
internal enum ShpcSlotState
{
    Static,
    BlinkingOn,
    BlinkingOff,
    PowerOn,
    PowerOff,
}

/// <summary>The event types shpchp's ISR queues (shpchp.h INT_*).</summary>
internal enum ShpcEvent
{
    ButtonPress,
    SwitchOpen,
    SwitchClose,
    PresenceOn,
    PresenceOff,
    PowerFault,
    PowerFaultClear,
}

/// <summary>struct slot of shpchp.h: one SHPC logical slot as the driver registered it.</summary>
internal sealed class ShpcSlot(int hpSlot, int device, int number, string name)
{
    public int HpSlot { get; } = hpSlot;
    public int Device { get; } = device;
    public int Number { get; } = number;
    public string Name { get; } = name;
    public ShpcSlotState State { get; set; } = ShpcSlotState.Static;
    public bool PowerSave { get; set; }
    public bool PresenceSave { get; set; }
    public bool IsABoard { get; set; }

    /// <summary>p_slot->status: 0xff after a power fault, 0x01 while shutting down.</summary>
    public int Status { get; set; }

    /// <summary>The delayed pushbutton work (queue_delayed_work 5*HZ) is pending.</summary>
    public bool PushbuttonPending { get; set; }
}

/// <summary>struct controller of shpchp.h: the SHPC of one bridge, reached through the capability's DWORD window.</summary>
internal sealed class ShpcController(PciDev bridge, int capOffset)
{
    public PciDev Bridge { get; } = bridge;
    public int CapOffset { get; } = capOffset;
    public int NumSlots { get; set; }
    public int SlotDeviceOffset { get; set; }
    public int FirstSlot { get; set; }
    public int SlotNumInc { get; set; }
    public List<ShpcSlot> Slots { get; } = [];

    /// <summary>The slot work queue (queue_interrupt_event) in order.</summary>
    public Queue<(ShpcSlot Slot, ShpcEvent Event)> Events { get; } = new();

    /// <summary>subordinate->max_bus_speed / cur_bus_speed (enum pci_bus_speed).</summary>
    public int MaxBusSpeed { get; set; }
    public int CurBusSpeed { get; set; }

    /// <summary>request_mem_region(mmio_base, mmio_size, "shpchp").</summary>
    public Resource? MmioRegion { get; set; }

    /// <summary>shpchp_find_slot.</summary>
    public ShpcSlot? FindSlot(int device) => Slots.FirstOrDefault(s => s.Device == device);
}
