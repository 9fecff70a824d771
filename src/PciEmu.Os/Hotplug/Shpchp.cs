using System.Globalization;
using PciEmu.Core;
using PciEmu.Os.Hotplug;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;

namespace PciEmu.Os;

/// <summary>
/// drivers/pci/hotplug/shpchp_{core,hpc,ctrl,pci}.c: probe (OSC/OSHP, shpc_init, init_slots), the ISR, the
/// attention-button state machine and board_added / remove_board. Every SHPC register access goes through the
/// capability's DWORD select/data window (shpc_indirect_read), which on QEMU reaches the same register file as the
/// MMIO BAR the driver maps after init.
/// </summary>
internal sealed partial class PciCore
{
    /// <summary>PCI_CLASS_BRIDGE_PCI_NORMAL: shpcd_pci_tbl matches the class exactly (prog-if 0).</summary>
    private const uint PciClassBridgePciNormal = 0x060400;

    private const string ShpchpName = "shpchp";
    private const int ShpcDwordSelect = 0x2;
    private const int ShpcDwordData = 0x4;

    // Register indices of the SHPC working register set (dword granularity).
    private const int ShpcBaseOffsetIndex = 0;
    private const int ShpcSlotAvail1Index = 1;
    private const int ShpcSlotAvail2Index = 2;
    private const int ShpcSlotConfigIndex = 3;
    private const int ShpcSecBusConfigIndex = 4;
    private const int ShpcCmdIndex = 5;
    private const int ShpcIntrLocIndex = 6;
    private const int ShpcSerrIntrIndex = 8;
    private const int ShpcSlot1Index = 9;
    private const int ShpcRegisterDumpBase = 9;
    private const int ShpcProgInterfaceShift = 24;
    private const int ShpcCmdStatusShift = 16;

    /// <summary>mmio_size = 0x24 + 0x4 * num_slots.</summary>
    private const ulong ShpcMmioHeader = 0x24;
    private const ulong ShpcMmioPerSlot = 0x4;

    // Slot Configuration.
    private const uint SlotNumMask = 0x0000001f;
    private const uint FirstDevNumMask = 0x00001f00;
    private const int FirstDevNumShift = 8;
    private const uint PsnMask = 0x07ff0000;
    private const int PsnShift = 16;
    private const uint UpDown = 0x20000000;

    // Slot Available registers.
    private const uint Slot33Mhz = 0x0000001f;
    private const uint Slot66MhzPcix = 0x00001f00;
    private const uint Slot100MhzPcix = 0x001f0000;
    private const uint Slot133MhzPcix = 0x1f000000;
    private const uint Slot66Mhz = 0x0000001f;

    // Interrupt Locator / Controller SERR-INT.
    private const uint CmdIntrPending = 1 << 0;
    private const uint GlobalIntrMask = 1 << 0;
    private const uint GlobalSerrMask = 1 << 1;
    private const uint CommandIntrMask = 1 << 2;
    private const uint ArbiterSerrMask = 1 << 3;
    private const uint SerrIntrRsvdzMask = 0xfffc0000;

    // Logical Slot Register.
    private const uint SlotStateMask = 3 << 0;
    private const uint SlotStatePwrOnly = 1;
    private const uint SlotStateEnabled = 2;
    private const uint SlotStateDisabled = 3;
    private const uint AtnLedStateMask = 3 << 4;
    private const int AtnLedStateShift = 4;
    private const uint AtnLedOn = 1;
    private const uint AtnLedBlink = 2;
    private const uint AtnLedOff = 3;
    private const uint PowerFaultBit = 1 << 6;
    private const uint MrlSensor = 1 << 8;
    private const uint Mhz66Cap = 1 << 9;
    private const uint PrsntMask = 3 << 10;
    private const int PrsntShift = 10;
    private const uint PrsntEmpty = 3;
    private const uint PcixCapMaskPi1 = 3 << 12;
    private const uint PcixCapMaskPi2 = 7 << 12;
    private const int PcixCapShift = 12;
    private const uint PrsntChangeDetected = 1 << 16;
    private const uint IsoPfaultDetected = 1 << 17;
    private const uint ButtonPressDetected = 1 << 18;
    private const uint MrlChangeDetected = 1 << 19;
    private const uint ConPfaultDetected = 1 << 20;
    private const uint PrsntChangeIntrMask = 1 << 24;
    private const uint IsoPfaultIntrMask = 1 << 25;
    private const uint ButtonPressIntrMask = 1 << 26;
    private const uint MrlChangeIntrMask = 1 << 27;
    private const uint ConPfaultIntrMask = 1 << 28;
    private const uint MrlChangeSerrMask = 1 << 29;
    private const uint ConPfaultSerrMask = 1 << 30;
    private const uint SlotRegRsvdzMask = (1 << 15) | (7 << 21);
    private const uint SlotEventIntrMasks = PrsntChangeIntrMask | IsoPfaultIntrMask | ButtonPressIntrMask | MrlChangeIntrMask | ConPfaultIntrMask;

    // SHPC commands.
    private const byte SetSlotPwr = 0x01;
    private const byte SetSlotEnable = 0x02;
    private const byte SetSlotDisable = 0x03;
    private const byte SetPwrOn = 0x04;
    private const byte SetPwrBlink = 0x08;
    private const byte SetPwrOff = 0x0c;
    private const byte SetAttnOn = 0x10;
    private const byte SetAttnBlink = 0x20;
    private const byte SetAttnOff = 0x30;
    private const byte SetaPci33Mhz = 0x40;
    private const byte SetaPci66Mhz = 0x41;
    private const byte SetaPcix66Mhz = 0x42;
    private const byte SetaPcix100Mhz = 0x43;
    private const byte SetaPcix133Mhz = 0x44;
    private const ushort CmdBusy = 0x1;
    private const int SwitchOpenStatus = 1;
    private const int InvalidCmdStatus = 2;
    private const int InvalidSpeedModeStatus = 4;
    private const int CmdStatusMask = 0x000f;
    private const int TargetShift = 8;

    // enum pci_bus_speed values shpchp uses.
    private const int PciSpeed33Mhz = 0x00;
    private const int PciSpeed66Mhz = 0x01;
    private const int PciSpeed66MhzPcix = 0x02;
    private const int PciSpeed100MhzPcix = 0x03;
    private const int PciSpeed133MhzPcix = 0x04;
    private const int PciSpeedUnknown = 0xff;
    private const int ProgIf1 = 1;
    private const int ProgIf2 = 2;
    private const int MaxPi1SpeedMode = 4;
    private const uint SpeedModeMaskPi1 = 0x7;

    private const int ENoDev = 19;
    private const int EIo = 5;

    /// <summary>The bound SHPC controllers (pci_get_drvdata of shpchp-bound bridges).</summary>
    private readonly Dictionary<PciDev, ShpcController> _shpc = [];

    /// <summary>True when shpchp is bound to the bridge (pdev->shpc_managed).</summary>
    public bool ShpchpOwns(PciDev bridge) => _shpc.ContainsKey(bridge);

    /// <summary>shpc_probe: class match, firmware hand-over, shpc_init, init_slots.</summary>
    private void ShpcProbe(PciDev dev)
    {
        if (dev.Class != PciClassBridgePciNormal) return;
        dev.Driver = ShpchpName;
        if (!AcpiGetHpHwControlFromFirmware(dev) || dev.Subordinate is null || ShpcInit(dev) is not { } ctrl)
        {
            dev.Driver = null;
            return;
        }
        if (!InitSlots(ctrl))
        {
            Log.Dev(dev, "Slot initialization failed");
            ShpchpReleaseCtlr(ctrl);
            dev.Driver = null;
            return;
        }
        _shpc[dev] = ctrl;
    }

    /// <summary>acpi_get_hp_hw_control_from_firmware: _OSC decides when present; without _OSC, OSHP must succeed. The
    /// walk starts at the bridge's ACPI companion (else the companion of the nearest bus above that has one) and goes up
    /// to the root bridge, one line per object; QEMU implements no OSHP, so every step fails.</summary>
    private bool AcpiGetHpHwControlFromFirmware(PciDev dev)
    {
        if (Facts.HasOsc) return Facts.OscGrantsShpcHotplug;
        var handle = AcpiHandle(dev);
        for (var bus = dev.Bus; handle is null && bus is not null; bus = bus.Parent)
            handle = bus.Self is { } self ? AcpiHandle(self) : Facts.RootAcpiPath;
        while (handle is not null)
        {
            Log.Dev(dev, $"Requesting control of SHPC hotplug via OSHP ({handle})");
            if (handle == Facts.RootAcpiPath) break;
            var dot = handle.LastIndexOf('.');
            handle = dot > 0 ? handle[..dot] : null;
        }
        Log.Dev(dev, "Cannot get control of SHPC hotplug");
        return false;
    }

    /// <summary>ACPI_HANDLE(&amp;dev->dev) (acpi_pci_find_companion): the _ADR child of the bus's companion that names the
    /// function. Without a namespace model, root-bus devices are \PCI0.Sxx_ as QEMU names them.</summary>
    private string? AcpiHandle(PciDev dev)
    {
        if (Facts.AcpiRoot is null) return dev.Bus.IsRoot ? $"{Facts.RootAcpiPath}.S{dev.Bdf.DevFn:X2}_" : null;
        return AcpiCompanion(dev)?.Path;
    }

    /// <summary>shpc_indirect_read: DWORD select, then DWORD data.</summary>
    private uint ShpcRead(ShpcController ctrl, int index)
    {
        Write8(ctrl.Bridge, ctrl.CapOffset + ShpcDwordSelect, (byte)index);
        return Read32(ctrl.Bridge, ctrl.CapOffset + ShpcDwordData);
    }

    /// <summary>shpc_writel through the same window (QEMU's shpc_cap_write_config forwards the data dword).</summary>
    private void ShpcWrite(ShpcController ctrl, int index, uint value)
    {
        Write8(ctrl.Bridge, ctrl.CapOffset + ShpcDwordSelect, (byte)index);
        Write32(ctrl.Bridge, ctrl.CapOffset + ShpcDwordData, value);
    }

    private uint ShpcSlotReg(ShpcController ctrl, int hpSlot) => ShpcRead(ctrl, ShpcSlot1Index + hpSlot);

    /// <summary>shpc_init: read the slot configuration, enable the bridge, reserve the register window, mask then
    /// unmask the slot events and controller interrupts.</summary>
    private ShpcController? ShpcInit(PciDev dev)
    {
        var ctrl = new ShpcController(dev, dev.ShpcCap);
        var baseOffset = ShpcRead(ctrl, ShpcBaseOffsetIndex);
        var numSlots = (int)(ShpcRead(ctrl, ShpcSlotConfigIndex) & SlotNumMask);
        for (var i = 0; i < ShpcRegisterDumpBase + numSlots; i++) ShpcRead(ctrl, i); // ctrl_dbg register dump
        var (ssVid, ssDid) = SubsystemIds(dev);
        Log.Dev(dev, string.Create(CultureInfo.InvariantCulture,
            $"HPC vendor_id {dev.Vendor:x} device_id {dev.Device:x} ss_vid {ssVid:x} ss_did {ssDid:x}"));
        EnableDevice(dev);
        var bar = dev.Resources[0];
        var mmioBase = bar.Start + baseOffset;
        var region = new Resource(ShpchpName, mmioBase, mmioBase + ShpcMmioHeader + ShpcMmioPerSlot * (ulong)numSlots - 1, ResFlags.Mem);
        if (!bar.IsAssigned || !RequestRegion(IoMemRoot, region))
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
            SetMaster(dev); // pci_enable_msi succeeded → pci_set_master
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

    /// <summary>pci_setup_device for a bridge: subsystem IDs come from the SSVID capability, if any.</summary>
    private (ushort Vendor, ushort Device) SubsystemIds(PciDev dev)
    {
        const int ssvidVendor = 4;
        const int ssvidDevice = 6;
        var pos = FindCapability(dev, CapabilityId.SubsystemVendor);
        return pos == 0 ? ((ushort)0, (ushort)0) : (Read16(dev, pos + ssvidVendor), Read16(dev, pos + ssvidDevice));
    }

    /// <summary>pci_set_master: Bus Master on in the Command register.</summary>
    private void SetMaster(PciDev dev)
    {
        var cmd = Read16(dev, CommonHeader.Command.Offset);
        if ((cmd & (ushort)CommandBits.BusMaster) == 0) Write16(dev, CommonHeader.Command.Offset, (ushort)(cmd | (ushort)CommandBits.BusMaster));
    }

    /// <summary>__request_region: nest into the resource that fully contains the range (the BAR), fail on overlap.</summary>
    private static bool RequestRegion(Resource root, Resource region)
    {
        var parent = root;
        while (true)
        {
            var conflict = ResourceTree.RequestConflict(parent, region);
            if (conflict is null) return true;
            if (conflict == parent || conflict.Start > region.Start || conflict.End < region.End) return false;
            parent = conflict;
        }
    }

    /// <summary>init_slots: one hot-plug slot per SHPC slot; pci_hp_register fails with -EBUSY where acpiphp already
    /// registered a hot-plug slot for the same bus/device.</summary>
    private bool InitSlots(ShpcController ctrl)
    {
        var bus = ctrl.Bridge.Subordinate!;
        var acpiSlots = EjectableSlots(bus);
        for (var i = 0; i < ctrl.NumSlots; i++)
        {
            var device = ctrl.SlotDeviceOffset + i;
            var number = ctrl.FirstSlot + ctrl.SlotNumInc * i;
            if (acpiSlots.Contains(device))
            {
                Log.Dev(ctrl.Bridge, $"pci_hp_register failed with error {EBusy}");
                return false;
            }
            var name = RegisterSlotName(number.ToString(CultureInfo.InvariantCulture));
            var slot = new ShpcSlot(i, device, number, name);
            slot.PowerSave = ShpcGetPowerStatus(ctrl, slot) != 0;
            slot.PresenceSave = ShpcGetAdapterStatus(ctrl, slot);
            ctrl.Slots.Add(slot);
        }
        return true;
    }

    /// <summary>shpchp_release_ctlr: mask every slot event and SERR, drop the slots and the register window.</summary>
    private void ShpchpReleaseCtlr(ShpcController ctrl)
    {
        for (var hp = 0; hp < ctrl.NumSlots; hp++)
        {
            var reg = ShpcSlotReg(ctrl, hp) | SlotEventIntrMasks | MrlChangeSerrMask | ConPfaultSerrMask;
            ShpcWrite(ctrl, ShpcSlot1Index + hp, reg & ~SlotRegRsvdzMask);
        }
        foreach (var slot in ctrl.Slots) SlotNames.Remove(slot.Name);
        ctrl.Slots.Clear();
        var serr = ShpcRead(ctrl, ShpcSerrIntrIndex) | GlobalIntrMask | GlobalSerrMask | CommandIntrMask | ArbiterSerrMask;
        ShpcWrite(ctrl, ShpcSerrIntrIndex, serr & ~SerrIntrRsvdzMask);
        if (ctrl.MmioRegion is { } r) ResourceTree.Release(r);
    }

    /// <summary>shpchp_get_power_status: 2 power-only, 1 enabled, 0 disabled, 0xff reserved.</summary>
    private int ShpcGetPowerStatus(ShpcController ctrl, ShpcSlot slot) => (ShpcSlotReg(ctrl, slot.HpSlot) & SlotStateMask) switch
    {
        SlotStatePwrOnly => 2,
        SlotStateEnabled => 1,
        SlotStateDisabled => 0,
        _ => 0xff,
    };

    /// <summary>shpchp_get_adapter_status: present unless the PRSNT field reads "empty".</summary>
    private bool ShpcGetAdapterStatus(ShpcController ctrl, ShpcSlot slot) =>
        ((ShpcSlotReg(ctrl, slot.HpSlot) & PrsntMask) >> PrsntShift) != PrsntEmpty;

    /// <summary>shpchp_get_latch_status: true = MRL open.</summary>
    private bool ShpcGetLatchStatus(ShpcController ctrl, ShpcSlot slot) => (ShpcSlotReg(ctrl, slot.HpSlot) & MrlSensor) != 0;

    /// <summary>shpchp_query_power_fault: logic 0 means fault.</summary>
    private bool ShpcQueryPowerFault(ShpcController ctrl, ShpcSlot slot) => (ShpcSlotReg(ctrl, slot.HpSlot) & PowerFaultBit) == 0;

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
    private int? ShpcGetAdapterSpeed(ShpcController ctrl, ShpcSlot slot)
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
    private int ShpcWriteCmd(ShpcController ctrl, int hpSlot, byte cmd)
    {
        if (((ShpcRead(ctrl, ShpcCmdIndex) >> ShpcCmdStatusShift) & CmdBusy) != 0)
        {
            Log.Dev(ctrl.Bridge, "Controller is still busy after 1 sec");
            return EBusy;
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
    private void ShpcSetAttentionStatus(ShpcController ctrl, ShpcSlot slot, int value)
    {
        var cmd = value switch { 0 => SetAttnOff, 1 => SetAttnOn, _ => SetAttnBlink };
        ShpcWriteCmd(ctrl, slot.HpSlot, cmd);
    }

    /// <summary>shpc_isr: command completion, then per slot MRL, button, presence and power-fault events, each
    /// logged and queued for interrupt_event_handler; the events are cleared by writing the slot register back.</summary>
    private void ShpcIsr(ShpcController ctrl)
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
                    if ((reg & MrlChangeDetected) != 0) ShpchpHandleSwitchChange(ctrl, slot);
                    if ((reg & ButtonPressDetected) != 0) ShpchpHandleAttentionButton(ctrl, slot);
                    if ((reg & PrsntChangeDetected) != 0) ShpchpHandlePresenceChange(ctrl, slot);
                    if ((reg & (IsoPfaultDetected | ConPfaultDetected)) != 0) ShpchpHandlePowerFault(ctrl, slot);
                }
                ShpcWrite(ctrl, ShpcSlot1Index + hp, reg & ~SlotRegRsvdzMask);
            }
        }
        ShpcWrite(ctrl, ShpcSerrIntrIndex, ShpcRead(ctrl, ShpcSerrIntrIndex) & ~(GlobalIntrMask | SerrIntrRsvdzMask));
    }

    /// <summary>shpchp_handle_attention_button.</summary>
    private void ShpchpHandleAttentionButton(ShpcController ctrl, ShpcSlot slot)
    {
        slot.PresenceSave = ShpcGetAdapterStatus(ctrl, slot);
        Log.Dev(ctrl.Bridge, $"Button pressed on Slot({slot.Name})");
        ctrl.Events.Enqueue((slot, ShpcEvent.ButtonPress));
    }

    /// <summary>shpchp_handle_switch_change.</summary>
    private void ShpchpHandleSwitchChange(ShpcController ctrl, ShpcSlot slot)
    {
        slot.PresenceSave = ShpcGetAdapterStatus(ctrl, slot);
        ShpcEvent evt;
        if (ShpcGetLatchStatus(ctrl, slot))
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
    private void ShpchpHandlePresenceChange(ShpcController ctrl, ShpcSlot slot)
    {
        slot.PresenceSave = ShpcGetAdapterStatus(ctrl, slot);
        Log.Dev(ctrl.Bridge, slot.PresenceSave ? $"Card present on Slot({slot.Name})" : $"Card not present on Slot({slot.Name})");
        ctrl.Events.Enqueue((slot, slot.PresenceSave ? ShpcEvent.PresenceOn : ShpcEvent.PresenceOff));
    }

    /// <summary>shpchp_handle_power_fault.</summary>
    private void ShpchpHandlePowerFault(ShpcController ctrl, ShpcSlot slot)
    {
        if (!ShpcQueryPowerFault(ctrl, slot))
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
    private void ShpcRunWork(ShpcController ctrl, List<PciDev> added, List<PciDev> removed)
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
                ShpcSetAttentionStatus(ctrl, slot, 1);
                ShpcWriteCmd(ctrl, slot.HpSlot, SetPwrOff);
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
                if (ShpcGetPowerStatus(ctrl, slot) != 0)
                {
                    slot.State = ShpcSlotState.BlinkingOff;
                    Log.Dev(ctrl.Bridge, $"PCI slot #{slot.Name} - powering off due to button press");
                }
                else
                {
                    slot.State = ShpcSlotState.BlinkingOn;
                    Log.Dev(ctrl.Bridge, $"PCI slot #{slot.Name} - powering on due to button press");
                }
                ShpcWriteCmd(ctrl, slot.HpSlot, SetPwrBlink);
                ShpcSetAttentionStatus(ctrl, slot, 0);
                slot.PushbuttonPending = true;
                break;
            case ShpcSlotState.BlinkingOn:
            case ShpcSlotState.BlinkingOff:
                Log.Dev(ctrl.Bridge, $"Button cancel on Slot({slot.Name})");
                slot.PushbuttonPending = false;
                ShpcWriteCmd(ctrl, slot.HpSlot, slot.State == ShpcSlotState.BlinkingOff ? SetPwrOn : SetPwrOff);
                ShpcSetAttentionStatus(ctrl, slot, 0);
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
                if (ShpchpEnableSlot(ctrl, slot, added) != 0) ShpcWriteCmd(ctrl, slot.HpSlot, SetPwrOff);
                slot.State = ShpcSlotState.Static;
                break;
        }
    }

    /// <summary>shpchp_enable_slot: latch closed, card present, power off, then board_added.</summary>
    private int ShpchpEnableSlot(ShpcController ctrl, ShpcSlot slot, List<PciDev> added)
    {
        if (!ShpcGetAdapterStatus(ctrl, slot))
        {
            Log.Dev(ctrl.Bridge, $"No adapter on slot({slot.Name})");
            return -ENoDev;
        }
        if (ShpcGetLatchStatus(ctrl, slot))
        {
            Log.Dev(ctrl.Bridge, $"Latch open on slot({slot.Name})");
            return -ENoDev;
        }
        if (ShpcGetPowerStatus(ctrl, slot) != 0)
        {
            Log.Dev(ctrl.Bridge, $"Already enabled on slot({slot.Name})");
            return -ENoDev;
        }
        slot.IsABoard = true;
        slot.PresenceSave = ShpcGetAdapterStatus(ctrl, slot);
        slot.PowerSave = ShpcGetPowerStatus(ctrl, slot) != 0;
        var rc = ShpcBoardAdded(ctrl, slot, added);
        if (rc != 0) slot.PresenceSave = ShpcGetAdapterStatus(ctrl, slot);
        return rc;
    }

    /// <summary>board_added (shpchp_ctrl.c): power, bus speed, enable, configure, power LED on.</summary>
    private int ShpcBoardAdded(ShpcController ctrl, ShpcSlot slot, List<PciDev> added)
    {
        const int wrongBusFrequency = 0x0000000D;
        const int intelShpcVendor = 0x8086;
        const int intelShpcDevice = 0x0332;
        var parent = ctrl.Bridge.Subordinate!;
        if (ShpcWriteCmd(ctrl, slot.HpSlot, SetSlotPwr) != 0)
        {
            Log.Dev(ctrl.Bridge, "shpchp_power_on_slot: Write command failed!");
            Log.Dev(ctrl.Bridge, "Failed to power on slot");
            return -1;
        }
        if (ctrl.Bridge.Vendor == intelShpcVendor && ctrl.Bridge.Device == intelShpcDevice)
        {
            if (ShpcSetBusSpeedMode(ctrl, PciSpeed33Mhz) != 0)
            {
                Log.Dev(ctrl.Bridge, "board_added: Issue of set bus speed mode command failed");
                return wrongBusFrequency;
            }
            if (ShpcSlotEnable(ctrl, slot) != 0)
            {
                Log.Dev(ctrl.Bridge, "Issue of Slot Enable command failed");
                return -EIo;
            }
        }
        if (ShpcGetAdapterSpeed(ctrl, slot) is not { } asp)
        {
            Log.Dev(ctrl.Bridge, "Can't get adapter speed or bus mode mismatch");
            return wrongBusFrequency;
        }
        var rc = FixBusSpeed(ctrl, parent.Devices.Count > 0, asp, ctrl.CurBusSpeed, ctrl.MaxBusSpeed);
        if (rc != 0) return rc;
        if (ShpcSlotEnable(ctrl, slot) != 0)
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
        ShpcWriteCmd(ctrl, slot.HpSlot, SetPwrOn);
        return 0;
    }

    /// <summary>board_added's err_exit: slot disable (power LED off, attention on). Returns the disable result.</summary>
    private int ShpcSlotDisableOnError(ShpcController ctrl, ShpcSlot slot, int rc)
    {
        var d = ShpcSlotDisable(ctrl, slot);
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
        if (ShpcSetBusSpeedMode(ctrl, target) == 0) return 0;
        Log.Dev(ctrl.Bridge, "change_bus_speed: Issue of set bus speed mode command failed");
        return wrongBusFrequency;
    }

    /// <summary>shpchp_set_bus_speed_mode (Set Bus Segment Speed/Mode A commands; target slot 0).</summary>
    private int ShpcSetBusSpeedMode(ShpcController ctrl, int speed)
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
    private int ShpcSlotEnable(ShpcController ctrl, ShpcSlot slot)
    {
        var rc = ShpcWriteCmd(ctrl, slot.HpSlot, SetSlotEnable | SetPwrBlink | SetAttnOff);
        if (rc != 0) Log.Dev(ctrl.Bridge, "shpchp_slot_enable: Write command failed!");
        return rc;
    }

    /// <summary>shpchp_slot_disable: slot disabled, power indicator off, attention on.</summary>
    private int ShpcSlotDisable(ShpcController ctrl, ShpcSlot slot)
    {
        var rc = ShpcWriteCmd(ctrl, slot.HpSlot, SetSlotDisable | SetPwrOff | SetAttnOn);
        if (rc != 0) Log.Dev(ctrl.Bridge, "shpchp_slot_disable: Write command failed!");
        return rc;
    }

    /// <summary>shpchp_configure_device: refuse an occupied slot, else the common scan/assign path. Null on failure.</summary>
    private List<PciDev>? ShpchpConfigureSlot(PciDev bridge, int device)
    {
        var parent = bridge.Subordinate!;
        if (parent.Devices.FirstOrDefault(d => d.Bdf.DevFn == DevFn(device, 0)) is { } existing)
        {
            Log.Dev(bridge, string.Create(CultureInfo.InvariantCulture,
                $"Device {existing.Name} already exists at 0000:{parent.Number:x2}:{device:x2}, cannot hot-add"));
            return null;
        }
        var found = ConfigureBridgeSlot(bridge, device);
        return found.Count == 0 ? null : found;
    }

    /// <summary>shpchp_disable_slot: card present, latch closed, power on, then remove_board.</summary>
    private void ShpchpDisableSlot(ShpcController ctrl, ShpcSlot slot, List<PciDev> removed)
    {
        if (!ShpcGetAdapterStatus(ctrl, slot))
        {
            Log.Dev(ctrl.Bridge, $"No adapter on slot({slot.Name})");
            return;
        }
        if (ShpcGetLatchStatus(ctrl, slot))
        {
            Log.Dev(ctrl.Bridge, $"Latch open on slot({slot.Name})");
            return;
        }
        if (ShpcGetPowerStatus(ctrl, slot) == 0)
        {
            Log.Dev(ctrl.Bridge, $"Already disabled on slot({slot.Name})");
            return;
        }
        ShpcRemoveBoard(ctrl, slot, removed);
    }

    /// <summary>remove_board (shpchp_ctrl.c): unconfigure, slot disable, attention off.</summary>
    private void ShpcRemoveBoard(ShpcController ctrl, ShpcSlot slot, List<PciDev> removed)
    {
        removed.AddRange(RemoveSlotFunctions(ctrl.Bridge.Subordinate!, slot.Device, reverse: false));
        if (slot.IsABoard) slot.Status = 0x01;
        if (ShpcSlotDisable(ctrl, slot) != 0)
        {
            Log.Dev(ctrl.Bridge, "remove_board: Issue of Slot Disable command failed");
            return;
        }
        ShpcSetAttentionStatus(ctrl, slot, 0);
        slot.PowerSave = false;
        slot.IsABoard = false;
    }

    /// <summary>The SHPC interrupt after the platform latched slot events: ISR, work queue, pushbutton work.</summary>
    public (List<PciDev> Added, List<PciDev> Removed) ShpchpInterrupt(PciDev bridge)
    {
        var added = new List<PciDev>();
        var removed = new List<PciDev>();
        if (!_shpc.TryGetValue(bridge, out var ctrl)) return (added, removed);
        ShpcIsr(ctrl);
        ShpcRunWork(ctrl, added, removed);
        return (added, removed);
    }

    /// <summary>The functions of one device number below a bus, removed the way the hot-plug drivers' unconfigure
    /// paths walk bus->devices (acpiphp and pciehp in reverse).</summary>
    private List<PciDev> RemoveSlotFunctions(PciBusNode bus, int device, bool reverse)
    {
        var devs = bus.Devices.Where(d => d.Bdf.Device == device).ToList();
        if (reverse) devs.Reverse();
        foreach (var d in devs) StopAndRemoveBusDevice(d);
        return devs;
    }
}
