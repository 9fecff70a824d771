using System.Globalization;
using PciEmu.Core;
using PciEmu.Os.Hotplug;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;
using static PciEmu.Os.Hotplug.ShpcRegs;

namespace PciEmu.Os;

/// <summary>drivers/pci/hotplug/shpchp_hpc.c: register access through the capability's DWORD select/data window
/// (shpc_indirect_read, which on QEMU reaches the same register file as the MMIO BAR the driver maps after init),
/// commands, the ISR.</summary>
internal sealed class ShpchpHpc(PciCore core) : PciCorePart(core)
{
    /// <summary>shpc_indirect_read: DWORD select, then DWORD data.</summary>
    public uint ShpcRead(ShpcController ctrl, int index)
    {
        Write8(ctrl.Bridge, ctrl.CapOffset + ShpcDwordSelect, (byte)index);
        return Read32(ctrl.Bridge, ctrl.CapOffset + ShpcDwordData);
    }

    /// <summary>shpc_writel through the same window (QEMU's shpc_cap_write_config forwards the data dword).</summary>
    public void ShpcWrite(ShpcController ctrl, int index, uint value)
    {
        Write8(ctrl.Bridge, ctrl.CapOffset + ShpcDwordSelect, (byte)index);
        Write32(ctrl.Bridge, ctrl.CapOffset + ShpcDwordData, value);
    }

    public uint ShpcSlotReg(ShpcController ctrl, int hpSlot) => ShpcRead(ctrl, ShpcSlot1Index + hpSlot);

    /// <summary>shpc_init: read the slot configuration, enable the bridge, reserve the register window, mask then
    /// unmask the slot events and controller interrupts.</summary>
    public ShpcController? ShpcInit(PciDev dev)
    {
        var ctrl = new ShpcController(dev, dev.ShpcCap);
        var baseOffset = ShpcRead(ctrl, ShpcBaseOffsetIndex);
        var numSlots = (int)(ShpcRead(ctrl, ShpcSlotConfigIndex) & SlotNumMask);
        for (var i = 0; i < ShpcRegisterDumpBase + numSlots; i++) ShpcRead(ctrl, i); // ctrl_dbg register dump
        var (ssVid, ssDid) = Core.ShpchpCore.SubsystemIds(dev);
        Log.Dev(dev, string.Create(CultureInfo.InvariantCulture,
            $"HPC vendor_id {dev.Vendor:x} device_id {dev.Device:x} ss_vid {ssVid:x} ss_did {ssDid:x}"));
        Core.PortServices.EnableDevice(dev);
        var bar = dev.Resources[0];
        var mmioBase = bar.Start + baseOffset;
        var region = new Resource(ShpchpName, mmioBase, mmioBase + ShpcMmioHeader + ShpcMmioPerSlot * (ulong)numSlots - 1, ResFlags.Mem);
        if (!bar.IsAssigned || !ShpchpCore.RequestRegion(Core.IoMemRoot, region))
        {
            Log.Dev(dev, "Cannot reserve MMIO region");
            return null;
        }
        ctrl.MmioRegion = region;

        var slotConfig = ShpcRead(ctrl, ShpcSlotConfigIndex);
        ctrl.SlotDeviceOffset = (int)((slotConfig & FirstDevNumMask) >> FirstDevNumShift);
        ctrl.NumSlots = (int)(slotConfig & SlotNumMask);
        ctrl.FirstSlot = (int)((slotConfig & PsnMask) >> PsnShift);
        ctrl.SlotNumInc = (slotConfig & UpDown) != 0 ? 1 : -1;

        var serr = ShpcRead(ctrl, ShpcSerrIntrIndex);
        serr |= GlobalIntrMask | GlobalSerrMask | CommandIntrMask | ArbiterSerrMask;
        ShpcWrite(ctrl, ShpcSerrIntrIndex, serr & ~SerrIntrRsvdzMask);
        for (var hp = 0; hp < ctrl.NumSlots; hp++)
        {
            var reg = ShpcSlotReg(ctrl, hp) | SlotEventIntrMasks | MrlChangeSerrMask | ConPfaultSerrMask;
            ShpcWrite(ctrl, ShpcSlot1Index + hp, reg & ~SlotRegRsvdzMask);
        }
        if (FindCapability(dev, CapabilityId.Msi) != 0)
        {
            Core.ShpchpCore.SetMaster(dev); // pci_enable_msi succeeded → pci_set_master
        }
        else
        {
            Log.Dev(dev, "Can't get msi for the hotplug controller");
            Log.Dev(dev, "Use INTx for the hotplug controller");
        }
        ctrl.MaxBusSpeed = ShpcGetMaxBusSpeed(ctrl);
        ctrl.CurBusSpeed = ShpcGetCurBusSpeed(ctrl);
        for (var hp = 0; hp < ctrl.NumSlots; hp++)
        {
            var reg = ShpcSlotReg(ctrl, hp) & ~(SlotEventIntrMasks | SlotRegRsvdzMask);
            ShpcWrite(ctrl, ShpcSlot1Index + hp, reg);
        }
        serr = ShpcRead(ctrl, ShpcSerrIntrIndex) & ~(GlobalIntrMask | CommandIntrMask | SerrIntrRsvdzMask);
        ShpcWrite(ctrl, ShpcSerrIntrIndex, serr);
        return ctrl;
    }

    /// <summary>shpchp_get_power_status: 2 power-only, 1 enabled, 0 disabled, 0xff reserved.</summary>
    public int ShpcGetPowerStatus(ShpcController ctrl, ShpcSlot slot) => (ShpcSlotReg(ctrl, slot.HpSlot) & SlotStateMask) switch
    {
        SlotStatePwrOnly => 2,
        SlotStateEnabled => 1,
        SlotStateDisabled => 0,
        _ => 0xff,
    };

    /// <summary>shpchp_get_adapter_status: present unless the PRSNT field reads "empty".</summary>
    public bool ShpcGetAdapterStatus(ShpcController ctrl, ShpcSlot slot) =>
        ((ShpcSlotReg(ctrl, slot.HpSlot) & PrsntMask) >> PrsntShift) != PrsntEmpty;

    /// <summary>shpchp_get_latch_status: true = MRL open.</summary>
    public bool ShpcGetLatchStatus(ShpcController ctrl, ShpcSlot slot) => (ShpcSlotReg(ctrl, slot.HpSlot) & MrlSensor) != 0;

    /// <summary>shpchp_query_power_fault: logic 0 means fault.</summary>
    public bool ShpcQueryPowerFault(ShpcController ctrl, ShpcSlot slot) => (ShpcSlotReg(ctrl, slot.HpSlot) & PowerFaultBit) == 0;

    /// <summary>shpc_get_max_bus_speed (programming interface 1 and 2).</summary>
    private int ShpcGetMaxBusSpeed(ShpcController ctrl)
    {
        var pi = ShpcRead(ctrl, ShpcSecBusConfigIndex) >> ShpcProgInterfaceShift;
        var avail1 = ShpcRead(ctrl, ShpcSlotAvail1Index);
        var avail2 = ShpcRead(ctrl, ShpcSlotAvail2Index);
        if (pi == ProgIf2 && avail2 != 0) return PciSpeedUnknown; // PCI-X 266/533 modes are not modelled (QEMU reports none)
        if ((avail1 & Slot133MhzPcix) != 0) return PciSpeed133MhzPcix;
        if ((avail1 & Slot100MhzPcix) != 0) return PciSpeed100MhzPcix;
        if ((avail1 & Slot66MhzPcix) != 0) return PciSpeed66MhzPcix;
        if ((avail2 & Slot66Mhz) != 0) return PciSpeed66Mhz;
        return (avail1 & Slot33Mhz) != 0 ? PciSpeed33Mhz : PciSpeedUnknown;
    }

    /// <summary>shpc_get_cur_bus_speed: the secondary bus speed/mode field.</summary>
    private int ShpcGetCurBusSpeed(ShpcController ctrl)
    {
        var reg = ShpcRead(ctrl, ShpcSecBusConfigIndex);
        var pi = reg >> ShpcProgInterfaceShift;
        var mode = pi == ProgIf2 ? reg & 0xf : reg & SpeedModeMaskPi1;
        if (pi == ProgIf1 && mode > MaxPi1SpeedMode) return PciSpeedUnknown;
        return mode <= MaxPi1SpeedMode ? (int)mode : PciSpeedUnknown;
    }

    /// <summary>shpchp_get_adapter_speed; null for -ENODEV.</summary>
    public int? ShpcGetAdapterSpeed(ShpcController ctrl, ShpcSlot slot)
    {
        var reg = ShpcSlotReg(ctrl, slot.HpSlot);
        var m66 = (reg & Mhz66Cap) != 0;
        var pi = ShpcRead(ctrl, ShpcSecBusConfigIndex) >> ShpcProgInterfaceShift;
        uint pcix;
        switch (pi)
        {
            case ProgIf1: pcix = (reg & PcixCapMaskPi1) >> PcixCapShift; break;
            case ProgIf2: pcix = (reg & PcixCapMaskPi2) >> PcixCapShift; break;
            default: return null;
        }
        return pcix switch
        {
            0 => m66 ? PciSpeed66Mhz : PciSpeed33Mhz,
            1 => PciSpeed66MhzPcix,
            3 => PciSpeed133MhzPcix,
            _ => null,
        };
    }

    /// <summary>shpc_write_cmd: wait for not-busy, write target/command, the completion interrupt (shpc_isr), then
    /// shpchp_check_cmd_status. Returns 0 or a negative errno.</summary>
    public int ShpcWriteCmd(ShpcController ctrl, int hpSlot, byte cmd)
    {
        if (((ShpcRead(ctrl, ShpcCmdIndex) >> ShpcCmdStatusShift) & CmdBusy) != 0)
        {
            Log.Dev(ctrl.Bridge, "Controller is still busy after 1 sec");
            return Errno.EBusy;
        }
        ShpcWrite(ctrl, ShpcCmdIndex, (uint)(((hpSlot + 1) << TargetShift) | cmd));
        ShpcIsr(ctrl);
        var status = (int)(ShpcRead(ctrl, ShpcCmdIndex) >> ShpcCmdStatusShift) & CmdStatusMask;
        var code = (status >> 1) switch
        {
            0 => 0,
            SwitchOpenStatus => LogCmd(ctrl, "Switch opened!", SwitchOpenStatus),
            InvalidCmdStatus => LogCmd(ctrl, "Invalid HPC command!", InvalidCmdStatus),
            InvalidSpeedModeStatus => LogCmd(ctrl, "Invalid bus speed/mode!", InvalidSpeedModeStatus),
            _ => status,
        };
        if (code == 0) return 0;
        Log.Dev(ctrl.Bridge, string.Create(CultureInfo.InvariantCulture, $"Failed to issued command 0x{cmd:x} (error code = {code})"));
        return -EIo;
    }

    private int LogCmd(ShpcController ctrl, string message, int code)
    {
        Log.Dev(ctrl.Bridge, message);
        return code;
    }

    /// <summary>shpchp_set_attention_status.</summary>
    public void ShpcSetAttentionStatus(ShpcController ctrl, ShpcSlot slot, int value)
    {
        var cmd = value switch { 0 => SetAttnOff, 1 => SetAttnOn, _ => SetAttnBlink };
        ShpcWriteCmd(ctrl, slot.HpSlot, cmd);
    }

    /// <summary>shpc_isr: command completion, then per slot MRL, button, presence and power-fault events, each
    /// logged and queued for interrupt_event_handler; the events are cleared by writing the slot register back.</summary>
    public void ShpcIsr(ShpcController ctrl)
    {
        var intrLoc = ShpcRead(ctrl, ShpcIntrLocIndex);
        if (intrLoc == 0) return;
        var serr = ShpcRead(ctrl, ShpcSerrIntrIndex) | GlobalIntrMask;
        ShpcWrite(ctrl, ShpcSerrIntrIndex, serr & ~SerrIntrRsvdzMask);
        ShpcRead(ctrl, ShpcIntrLocIndex);
        if ((intrLoc & CmdIntrPending) != 0)
        {
            ShpcWrite(ctrl, ShpcSerrIntrIndex, ShpcRead(ctrl, ShpcSerrIntrIndex) & ~SerrIntrRsvdzMask);
        }
        if ((intrLoc & ~CmdIntrPending) != 0)
        {
            for (var hp = 0; hp < ctrl.NumSlots; hp++)
            {
                if ((intrLoc & (1u << (hp + 1))) == 0) continue;
                var reg = ShpcSlotReg(ctrl, hp);
                if (ctrl.FindSlot(hp + ctrl.SlotDeviceOffset) is { } slot)
                {
                    if ((reg & MrlChangeDetected) != 0) Core.ShpchpCtrl.ShpchpHandleSwitchChange(ctrl, slot);
                    if ((reg & ButtonPressDetected) != 0) Core.ShpchpCtrl.ShpchpHandleAttentionButton(ctrl, slot);
                    if ((reg & PrsntChangeDetected) != 0) Core.ShpchpCtrl.ShpchpHandlePresenceChange(ctrl, slot);
                    if ((reg & (IsoPfaultDetected | ConPfaultDetected)) != 0) Core.ShpchpCtrl.ShpchpHandlePowerFault(ctrl, slot);
                }
                ShpcWrite(ctrl, ShpcSlot1Index + hp, reg & ~SlotRegRsvdzMask);
            }
        }
        ShpcWrite(ctrl, ShpcSerrIntrIndex, ShpcRead(ctrl, ShpcSerrIntrIndex) & ~(GlobalIntrMask | SerrIntrRsvdzMask));
    }

    /// <summary>shpchp_set_bus_speed_mode (Set Bus Segment Speed/Mode A commands; target slot 0).</summary>
    public int ShpcSetBusSpeedMode(ShpcController ctrl, int speed)
    {
        byte? cmd = speed switch
        {
            PciSpeed33Mhz => SetaPci33Mhz,
            PciSpeed66Mhz => SetaPci66Mhz,
            PciSpeed66MhzPcix => SetaPcix66Mhz,
            PciSpeed100MhzPcix => SetaPcix100Mhz,
            PciSpeed133MhzPcix => SetaPcix133Mhz,
            _ => null,
        };
        if (cmd is null) return -1;
        var rc = ShpcWriteCmd(ctrl, 0, cmd.Value);
        if (rc != 0) Log.Dev(ctrl.Bridge, "shpchp_set_bus_speed_mode: Write command failed!");
        else ctrl.CurBusSpeed = ShpcGetCurBusSpeed(ctrl);
        return rc;
    }

    /// <summary>shpchp_slot_enable: slot enabled, power indicator blinking, attention off.</summary>
    public int ShpcSlotEnable(ShpcController ctrl, ShpcSlot slot)
    {
        var rc = ShpcWriteCmd(ctrl, slot.HpSlot, SetSlotEnable | SetPwrBlink | SetAttnOff);
        if (rc != 0) Log.Dev(ctrl.Bridge, "shpchp_slot_enable: Write command failed!");
        return rc;
    }

    /// <summary>shpchp_slot_disable: slot disabled, power indicator off, attention on.</summary>
    public int ShpcSlotDisable(ShpcController ctrl, ShpcSlot slot)
    {
        var rc = ShpcWriteCmd(ctrl, slot.HpSlot, SetSlotDisable | SetPwrOff | SetAttnOn);
        if (rc != 0) Log.Dev(ctrl.Bridge, "shpchp_slot_disable: Write command failed!");
        return rc;
    }
}
