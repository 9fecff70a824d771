using System.Globalization;
using PciEmu.Core;
using PciEmu.Fabric.FirmwareTables;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;
using PciEmu.Os.Setup;

namespace PciEmu.Os;

/// <summary>drivers/pci/hotplug/pciehp_{core,hpc,ctrl,pci}.c: slot ownership and naming, the button-press power
/// on/off paths.</summary>
internal sealed class Pciehp(PciCore core) : PciCorePart(core)
{
    /// <summary>pciehp: button press, presence, link up, then pciehp_configure_device.</summary>
    public List<PciDev> PciehpConfigureDevice(PciDev port)
    {
        var slot = PciehpSlotName(port);
        if (Is612)
        {
            Log.Dev(port, $"pciehp: Slot({slot}): Button press: will power on in 5 sec");
        }
        else
        {
            Log.Dev(port, $"pciehp: Slot({slot}): Attention button pressed");
            Log.Dev(port, $"pciehp: Slot({slot}) Powering on due to button press");
        }
        Log.Dev(port, $"pciehp: Slot({slot}): Card present");
        PowerOnSlot(port);
        Log.Dev(port, $"pciehp: Slot({slot}): Link Up");
        return Core.HotplugPci.ConfigureBridgeSlot(port, 0);
    }

    /// <summary>pciehp_power_on_slot + pciehp_set_indicators: Power Controller on, Power Indicator on.</summary>
    private void PowerOnSlot(PciDev port)
    {
        const int sltCtl = 0x18;
        const ushort powerControllerOff = 1 << 10;
        const ushort powerIndicatorMask = 3 << 8;
        const ushort powerIndicatorOn = 1 << 8;
        var ctl = Read16(port, port.PcieCap + sltCtl);
        Write16(port, port.PcieCap + sltCtl, (ushort)((ctl & ~(powerControllerOff | powerIndicatorMask)) | powerIndicatorOn));
    }

    private const int PcieSltCtlOffset = 0x18;
    private const int PcieSltStaOffset = 0x1a;
    private const ushort SltCtlAttnIndMask = 3 << 6;
    private const ushort SltCtlAttnIndOff = 3 << 6;
    private const ushort SltCtlPwrIndMask = 3 << 8;
    private const ushort SltCtlPwrIndBlink = 2 << 8;
    private const ushort SltCtlPwrIndOff = 3 << 8;
    private const ushort SltCtlPowerControllerOff = 1 << 10;
    private const ushort SltStaAttnButtonPressed = 1 << 0;
    private const ushort SltStaEventsMask = 0x011f; // ABP, PFD, MRLSC, PDC, CC, DLLSC

    /// <summary>pciehp_ist on QEMU's unplug request (Attention Button Pressed): pciehp_handle_button_press, then the
    /// 5-second button work → pciehp_handle_disable_request → pciehp_disable_slot (remove_board: unconfigure, Power
    /// Controller off, Power Indicator off). QEMU detaches the device on that last write; its Presence Detect
    /// Changed arrives when the slot is already OFF_STATE, so pciehp prints nothing more.</summary>
    public List<PciDev> PciehpUnplugRequest(PciDev port)
    {
        var removed = new List<PciDev>();
        var sltsta = Read16(port, port.PcieCap + PcieSltStaOffset);
        if ((sltsta & SltStaAttnButtonPressed) == 0) return removed;
        PciehpAckEvents(port);
        var slot = PciehpSlotName(port);
        var on = port.Subordinate is { Devices.Count: > 0 };
        if (Is612)
        {
            Log.Dev(port, on ? $"pciehp: Slot({slot}): Button press: will power off in 5 sec"
                             : $"pciehp: Slot({slot}): Button press: will power on in 5 sec");
        }
        else
        {
            Log.Dev(port, $"pciehp: Slot({slot}): Attention button pressed");
            Log.Dev(port, on ? $"pciehp: Slot({slot}): Powering off due to button press"
                             : $"pciehp: Slot({slot}) Powering on due to button press");
        }
        PciehpSetIndicators(port, SltCtlPwrIndBlink, SltCtlAttnIndOff);
        if (!on) return removed;
        if ((Read16(port, port.PcieCap + PcieSltCtlOffset) & SltCtlPowerControllerOff) != 0)
        {
            Log.Dev(port, $"pciehp: Slot({slot}): Already disabled");
            return removed;
        }
        removed.AddRange(PciehpUnconfigureDevice(port));
        var ctl = Read16(port, port.PcieCap + PcieSltCtlOffset);
        Write16(port, port.PcieCap + PcieSltCtlOffset, (ushort)(ctl | SltCtlPowerControllerOff)); // pciehp_power_off_slot
        PciehpSetIndicators(port, SltCtlPwrIndOff, null);
        return removed;
    }

    /// <summary>pciehp_isr: read Slot Status and write the latched events back (RW1C) before the IRQ thread runs.</summary>
    private void PciehpAckEvents(PciDev port)
    {
        var events = (ushort)(Read16(port, port.PcieCap + PcieSltStaOffset) & SltStaEventsMask);
        if (events != 0) Write16(port, port.PcieCap + PcieSltStaOffset, events);
    }

    /// <summary>pciehp_unconfigure_device (safe removal): every function below the port, last first; each one's
    /// Bus Master and SERR off, INTx disabled.</summary>
    private List<PciDev> PciehpUnconfigureDevice(PciDev port)
    {
        var parent = port.Subordinate!;
        var devs = parent.Devices.ToList();
        devs.Reverse();
        foreach (var d in devs)
        {
            Core.HotplugPci.StopAndRemoveBusDevice(d);
            var cmd = Cfg.Read16(d.Bdf, CommonHeader.Command.Offset);
            cmd = (ushort)((cmd & ~(ushort)(CommandBits.BusMaster | CommandBits.Serr)) | (ushort)CommandBits.InterruptDisable);
            Cfg.Write16(d.Bdf, CommonHeader.Command.Offset, cmd);
        }
        return devs;
    }

    /// <summary>pciehp_set_indicators: one Slot Control write for the indicators that change (null = INDICATOR_NOOP).</summary>
    private void PciehpSetIndicators(PciDev port, ushort? power, ushort? attention)
    {
        var ctl = Read16(port, port.PcieCap + PcieSltCtlOffset);
        var v = ctl;
        if (power is { } p) v = (ushort)((v & ~SltCtlPwrIndMask) | p);
        if (attention is { } a) v = (ushort)((v & ~SltCtlAttnIndMask) | a);
        if (v != ctl) Write16(port, port.PcieCap + PcieSltCtlOffset, v);
    }

    private const uint SltCapAttnButton = 1 << 0;
    private const uint SltCapPowerCtrl = 1 << 1;
    private const uint SltCapMrl = 1 << 2;
    private const uint SltCapAttnInd = 1 << 3;
    private const uint SltCapPowerInd = 1 << 4;
    private const uint SltCapSurprise = 1 << 5;
    private const uint SltCapInterlock = 1 << 17;
    private const uint SltCapNoCmdCompl = 1 << 18;
    private const int SltCapPsnShift = 19;
    private const uint LnkCapDllActiveReporting = 1 << 20;

    /// <summary>True when pciehp owns the port (is_hotplug_bridge and _OSC granted native hot-plug).</summary>
    public bool PciehpOwns(PciDev port) => port.IsHotplugBridge && Facts.OscGrantsPcieHotplug && port.IsPcieDownstreamPort
        && port.PcieType != PcieType.PcieToPciBridge;

    /// <summary>pciehp's slot banner (pcie_init).</summary>
    public string SlotCapsLine(PciDev dev)
    {
        var slt = Read32(dev, dev.PcieCap + Probe.PcieSltCapOffset);
        var lnk = Read32(dev, dev.PcieCap + Probe.PcieLnkCapOffset);
        static char F(bool b) => b ? '+' : '-';
        return $"Slot #{slt >> SltCapPsnShift} AttnBtn{F((slt & SltCapAttnButton) != 0)} PwrCtrl{F((slt & SltCapPowerCtrl) != 0)} "
            + $"MRL{F((slt & SltCapMrl) != 0)} AttnInd{F((slt & SltCapAttnInd) != 0)} PwrInd{F((slt & SltCapPowerInd) != 0)} "
            + $"HotPlug{F((slt & Probe.SltCapHpc) != 0)} Surprise{F((slt & SltCapSurprise) != 0)} Interlock{F((slt & SltCapInterlock) != 0)} "
            + $"NoCompl{F((slt & SltCapNoCmdCompl) != 0)} IbPresDis- LLActRep{F((lnk & LnkCapDllActiveReporting) != 0)}";
    }

    public readonly Dictionary<PciDev, string> _pciehpSlotNames = [];

    /// <summary>The name pciehp registered for the port's slot (slot_name: the kset name, "N" or "N-1", …).</summary>
    public string PciehpSlotName(PciDev port) => _pciehpSlotNames.TryGetValue(port, out var n) ? n : PhysicalSlotNumber(port);

    /// <summary>Slot Capabilities' Physical Slot Number, the name pciehp asks for.</summary>
    public string PhysicalSlotNumber(PciDev port) =>
        (Read32(port, port.PcieCap + Probe.PcieSltCapOffset) >> SltCapPsnShift).ToString(CultureInfo.InvariantCulture);
}
