using System.Globalization;
using PciEmu.Core;
using PciEmu.Os.Hotplug;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;
using static PciEmu.Os.Hotplug.ShpcRegs;

namespace PciEmu.Os;

/// <summary>drivers/pci/hotplug/shpchp_ctrl.c and shpchp_pci.c: the attention-button state machine, board_added /
/// remove_board.</summary>
internal sealed class ShpchpCtrl(PciCore core) : PciCorePart(core)
{
    /// <summary>shpchp_handle_attention_button.</summary>
    public void ShpchpHandleAttentionButton(ShpcController ctrl, ShpcSlot slot)
    {
        slot.PresenceSave = Core.ShpchpHpc.ShpcGetAdapterStatus(ctrl, slot);
        Log.Dev(ctrl.Bridge, $"Button pressed on Slot({slot.Name})");
        ctrl.Events.Enqueue((slot, ShpcEvent.ButtonPress));
    }

    /// <summary>shpchp_handle_switch_change.</summary>
    public void ShpchpHandleSwitchChange(ShpcController ctrl, ShpcSlot slot)
    {
        slot.PresenceSave = Core.ShpchpHpc.ShpcGetAdapterStatus(ctrl, slot);
        ShpcEvent evt;
        if (Core.ShpchpHpc.ShpcGetLatchStatus(ctrl, slot))
        {
            Log.Dev(ctrl.Bridge, $"Latch open on Slot({slot.Name})");
            evt = ShpcEvent.SwitchOpen;
            if (slot.PowerSave && slot.PresenceSave)
            {
                evt = ShpcEvent.PowerFault;
                Log.Dev(ctrl.Bridge, "Surprise Removal of card");
            }
        }
        else
        {
            Log.Dev(ctrl.Bridge, $"Latch close on Slot({slot.Name})");
            evt = ShpcEvent.SwitchClose;
        }
        ctrl.Events.Enqueue((slot, evt));
    }

    /// <summary>shpchp_handle_presence_change.</summary>
    public void ShpchpHandlePresenceChange(ShpcController ctrl, ShpcSlot slot)
    {
        slot.PresenceSave = Core.ShpchpHpc.ShpcGetAdapterStatus(ctrl, slot);
        Log.Dev(ctrl.Bridge, slot.PresenceSave ? $"Card present on Slot({slot.Name})" : $"Card not present on Slot({slot.Name})");
        ctrl.Events.Enqueue((slot, slot.PresenceSave ? ShpcEvent.PresenceOn : ShpcEvent.PresenceOff));
    }

    /// <summary>shpchp_handle_power_fault.</summary>
    public void ShpchpHandlePowerFault(ShpcController ctrl, ShpcSlot slot)
    {
        if (!Core.ShpchpHpc.ShpcQueryPowerFault(ctrl, slot))
        {
            Log.Dev(ctrl.Bridge, $"Power fault cleared on Slot({slot.Name})");
            slot.Status = 0;
            ctrl.Events.Enqueue((slot, ShpcEvent.PowerFaultClear));
            return;
        }
        Log.Dev(ctrl.Bridge, $"Power fault on Slot({slot.Name})");
        slot.Status = 0xff;
        Log.Dev(ctrl.Bridge, string.Create(CultureInfo.InvariantCulture, $"Power fault bit {slot.HpSlot:x} set"));
        ctrl.Events.Enqueue((slot, ShpcEvent.PowerFault));
    }

    /// <summary>The slot work queue, then the 5-second pushbutton work once it is due; collects the functions a
    /// board_added scanned and the ones a remove_board removed.</summary>
    public void ShpcRunWork(ShpcController ctrl, List<PciDev> added, List<PciDev> removed)
    {
        while (true)
        {
            while (ctrl.Events.TryDequeue(out var e)) ShpcInterruptEventHandler(ctrl, e.Slot, e.Event);
            var due = ctrl.Slots.FirstOrDefault(s => s.PushbuttonPending);
            if (due is null) return;
            due.PushbuttonPending = false;
            ShpchpQueuePushbuttonWork(ctrl, due, added, removed);
        }
    }

    /// <summary>interrupt_event_handler.</summary>
    private void ShpcInterruptEventHandler(ShpcController ctrl, ShpcSlot slot, ShpcEvent evt)
    {
        switch (evt)
        {
            case ShpcEvent.ButtonPress:
                HandleShpcButtonPressEvent(ctrl, slot);
                break;
            case ShpcEvent.PowerFault:
                Core.ShpchpHpc.ShpcSetAttentionStatus(ctrl, slot, 1);
                Core.ShpchpHpc.ShpcWriteCmd(ctrl, slot.HpSlot, SetPwrOff);
                break;
            default:
                break; // update_slot_info: sysfs only
        }
    }

    /// <summary>handle_button_press_event (shpchp_ctrl.c).</summary>
    private void HandleShpcButtonPressEvent(ShpcController ctrl, ShpcSlot slot)
    {
        switch (slot.State)
        {
            case ShpcSlotState.Static:
                if (Core.ShpchpHpc.ShpcGetPowerStatus(ctrl, slot) != 0)
                {
                    slot.State = ShpcSlotState.BlinkingOff;
                    Log.Dev(ctrl.Bridge, $"PCI slot #{slot.Name} - powering off due to button press");
                }
                else
                {
                    slot.State = ShpcSlotState.BlinkingOn;
                    Log.Dev(ctrl.Bridge, $"PCI slot #{slot.Name} - powering on due to button press");
                }
                Core.ShpchpHpc.ShpcWriteCmd(ctrl, slot.HpSlot, SetPwrBlink);
                Core.ShpchpHpc.ShpcSetAttentionStatus(ctrl, slot, 0);
                slot.PushbuttonPending = true;
                break;
            case ShpcSlotState.BlinkingOn:
            case ShpcSlotState.BlinkingOff:
                Log.Dev(ctrl.Bridge, $"Button cancel on Slot({slot.Name})");
                slot.PushbuttonPending = false;
                Core.ShpchpHpc.ShpcWriteCmd(ctrl, slot.HpSlot, slot.State == ShpcSlotState.BlinkingOff ? SetPwrOn : SetPwrOff);
                Core.ShpchpHpc.ShpcSetAttentionStatus(ctrl, slot, 0);
                Log.Dev(ctrl.Bridge, $"PCI slot #{slot.Name} - action canceled due to button press");
                slot.State = ShpcSlotState.Static;
                break;
            default:
                Log.Dev(ctrl.Bridge, $"Button ignore on Slot({slot.Name})");
                break;
        }
    }

    /// <summary>shpchp_queue_pushbutton_work + shpchp_pushbutton_thread.</summary>
    private void ShpchpQueuePushbuttonWork(ShpcController ctrl, ShpcSlot slot, List<PciDev> added, List<PciDev> removed)
    {
        switch (slot.State)
        {
            case ShpcSlotState.BlinkingOff:
                slot.State = ShpcSlotState.PowerOff;
                ShpchpDisableSlot(ctrl, slot, removed);
                slot.State = ShpcSlotState.Static;
                break;
            case ShpcSlotState.BlinkingOn:
                slot.State = ShpcSlotState.PowerOn;
                if (ShpchpEnableSlot(ctrl, slot, added) != 0) Core.ShpchpHpc.ShpcWriteCmd(ctrl, slot.HpSlot, SetPwrOff);
                slot.State = ShpcSlotState.Static;
                break;
        }
    }

    /// <summary>shpchp_enable_slot: latch closed, card present, power off, then board_added.</summary>
    private int ShpchpEnableSlot(ShpcController ctrl, ShpcSlot slot, List<PciDev> added)
    {
        if (!Core.ShpchpHpc.ShpcGetAdapterStatus(ctrl, slot))
        {
            Log.Dev(ctrl.Bridge, $"No adapter on slot({slot.Name})");
            return -ENoDev;
        }
        if (Core.ShpchpHpc.ShpcGetLatchStatus(ctrl, slot))
        {
            Log.Dev(ctrl.Bridge, $"Latch open on slot({slot.Name})");
            return -ENoDev;
        }
        if (Core.ShpchpHpc.ShpcGetPowerStatus(ctrl, slot) != 0)
        {
            Log.Dev(ctrl.Bridge, $"Already enabled on slot({slot.Name})");
            return -ENoDev;
        }
        slot.IsABoard = true;
        slot.PresenceSave = Core.ShpchpHpc.ShpcGetAdapterStatus(ctrl, slot);
        slot.PowerSave = Core.ShpchpHpc.ShpcGetPowerStatus(ctrl, slot) != 0;
        var rc = ShpcBoardAdded(ctrl, slot, added);
        if (rc != 0) slot.PresenceSave = Core.ShpchpHpc.ShpcGetAdapterStatus(ctrl, slot);
        return rc;
    }

    /// <summary>board_added (shpchp_ctrl.c): power, bus speed, enable, configure, power LED on.</summary>
    private int ShpcBoardAdded(ShpcController ctrl, ShpcSlot slot, List<PciDev> added)
    {
        const int wrongBusFrequency = 0x0000000D;
        const int intelShpcVendor = 0x8086;
        const int intelShpcDevice = 0x0332;
        var parent = ctrl.Bridge.Subordinate!;
        if (Core.ShpchpHpc.ShpcWriteCmd(ctrl, slot.HpSlot, SetSlotPwr) != 0)
        {
            Log.Dev(ctrl.Bridge, "shpchp_power_on_slot: Write command failed!");
            Log.Dev(ctrl.Bridge, "Failed to power on slot");
            return -1;
        }
        if (ctrl.Bridge.Vendor == intelShpcVendor && ctrl.Bridge.Device == intelShpcDevice)
        {
            if (Core.ShpchpHpc.ShpcSetBusSpeedMode(ctrl, PciSpeed33Mhz) != 0)
            {
                Log.Dev(ctrl.Bridge, "board_added: Issue of set bus speed mode command failed");
                return wrongBusFrequency;
            }
            if (Core.ShpchpHpc.ShpcSlotEnable(ctrl, slot) != 0)
            {
                Log.Dev(ctrl.Bridge, "Issue of Slot Enable command failed");
                return -EIo;
            }
        }
        if (Core.ShpchpHpc.ShpcGetAdapterSpeed(ctrl, slot) is not { } asp)
        {
            Log.Dev(ctrl.Bridge, "Can't get adapter speed or bus mode mismatch");
            return wrongBusFrequency;
        }
        var rc = FixBusSpeed(ctrl, parent.Devices.Count > 0, asp, ctrl.CurBusSpeed, ctrl.MaxBusSpeed);
        if (rc != 0) return rc;
        if (Core.ShpchpHpc.ShpcSlotEnable(ctrl, slot) != 0)
        {
            Log.Dev(ctrl.Bridge, "Issue of Slot Enable command failed");
            return -EIo;
        }
        if (slot.Status == 0xff)
        {
            slot.Status = 0;
            return ShpcSlotDisableOnError(ctrl, slot, -EIo);
        }
        var found = ShpchpConfigureSlot(ctrl.Bridge, slot.Device);
        if (found is null)
        {
            Log.Dev(ctrl.Bridge, string.Create(CultureInfo.InvariantCulture, $"Cannot add device at 0000:{parent.Number:x2}:{slot.Device:x2}"));
            return ShpcSlotDisableOnError(ctrl, slot, 0);
        }
        added.AddRange(found);
        slot.Status = 0;
        slot.IsABoard = true;
        slot.PowerSave = true;
        Core.ShpchpHpc.ShpcWriteCmd(ctrl, slot.HpSlot, SetPwrOn);
        return 0;
    }

    /// <summary>board_added's err_exit: slot disable (power LED off, attention on). Returns the disable result.</summary>
    private int ShpcSlotDisableOnError(ShpcController ctrl, ShpcSlot slot, int rc)
    {
        var d = Core.ShpchpHpc.ShpcSlotDisable(ctrl, slot);
        if (d != 0)
        {
            Log.Dev(ctrl.Bridge, "board_added: Issue of Slot Disable command failed");
            return d;
        }
        return rc;
    }

    /// <summary>fix_bus_speed: never slows a bus other slots use; otherwise adapter or bus maximum.</summary>
    private int FixBusSpeed(ShpcController ctrl, bool slotsNotEmpty, int asp, int bsp, int msp)
    {
        const int wrongBusFrequency = 0x0000000D;
        if (slotsNotEmpty)
        {
            if (asp >= bsp) return 0;
            Log.Dev(ctrl.Bridge, string.Create(CultureInfo.InvariantCulture, $"Speed of bus {bsp:x} and adapter {asp:x} mismatch"));
            return wrongBusFrequency;
        }
        var target = asp < msp ? asp : msp;
        if (bsp == target) return 0;
        if (Core.ShpchpHpc.ShpcSetBusSpeedMode(ctrl, target) == 0) return 0;
        Log.Dev(ctrl.Bridge, "change_bus_speed: Issue of set bus speed mode command failed");
        return wrongBusFrequency;
    }

    /// <summary>shpchp_configure_device: refuse an occupied slot, else the common scan/assign path. Null on failure.</summary>
    private List<PciDev>? ShpchpConfigureSlot(PciDev bridge, int device)
    {
        var parent = bridge.Subordinate!;
        if (parent.Devices.FirstOrDefault(d => d.Bdf.DevFn == PciCore.DevFn(device, 0)) is { } existing)
        {
            Log.Dev(bridge, string.Create(CultureInfo.InvariantCulture,
                $"Device {existing.Name} already exists at 0000:{parent.Number:x2}:{device:x2}, cannot hot-add"));
            return null;
        }
        var found = Core.HotplugPci.ConfigureBridgeSlot(bridge, device);
        return found.Count == 0 ? null : found;
    }

    /// <summary>shpchp_disable_slot: card present, latch closed, power on, then remove_board.</summary>
    private void ShpchpDisableSlot(ShpcController ctrl, ShpcSlot slot, List<PciDev> removed)
    {
        if (!Core.ShpchpHpc.ShpcGetAdapterStatus(ctrl, slot))
        {
            Log.Dev(ctrl.Bridge, $"No adapter on slot({slot.Name})");
            return;
        }
        if (Core.ShpchpHpc.ShpcGetLatchStatus(ctrl, slot))
        {
            Log.Dev(ctrl.Bridge, $"Latch open on slot({slot.Name})");
            return;
        }
        if (Core.ShpchpHpc.ShpcGetPowerStatus(ctrl, slot) == 0)
        {
            Log.Dev(ctrl.Bridge, $"Already disabled on slot({slot.Name})");
            return;
        }
        ShpcRemoveBoard(ctrl, slot, removed);
    }

    /// <summary>remove_board (shpchp_ctrl.c): unconfigure, slot disable, attention off.</summary>
    private void ShpcRemoveBoard(ShpcController ctrl, ShpcSlot slot, List<PciDev> removed)
    {
        removed.AddRange(Core.HotplugPci.RemoveSlotFunctions(ctrl.Bridge.Subordinate!, slot.Device, reverse: false));
        if (slot.IsABoard) slot.Status = 0x01;
        if (Core.ShpchpHpc.ShpcSlotDisable(ctrl, slot) != 0)
        {
            Log.Dev(ctrl.Bridge, "remove_board: Issue of Slot Disable command failed");
            return;
        }
        Core.ShpchpHpc.ShpcSetAttentionStatus(ctrl, slot, 0);
        slot.PowerSave = false;
        slot.IsABoard = false;
    }
}
