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
        var ctl = Read16(port, port.PcieCap + PcieCap.SltCtl);
        Write16(port, port.PcieCap + PcieCap.SltCtl, (ushort)((ctl & ~(PcieCap.SltCtlPcc | PcieCap.SltCtlPic)) | PcieCap.SltCtlPwrIndOn));
    }


    /// <summary>pciehp_ist on QEMU's unplug request (Attention Button Pressed): pciehp_handle_button_press, then the
    /// 5-second button work → pciehp_handle_disable_request → pciehp_disable_slot (remove_board: unconfigure, Power
    /// Controller off, Power Indicator off). QEMU detaches the device on that last write; its Presence Detect
    /// Changed arrives when the slot is already OFF_STATE, so pciehp prints nothing more.</summary>
    public List<PciDev> PciehpUnplugRequest(PciDev port)
    {
        var removed = new List<PciDev>();
        var sltsta = Read16(port, port.PcieCap + PcieCap.SltSta);
        if ((sltsta & PcieCap.SltStaAbp) == 0) return removed;
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
        PciehpSetIndicators(port, PcieCap.SltCtlPwrIndBlink, PcieCap.SltCtlAttnIndOff);
        if (!on) return removed;
        if ((Read16(port, port.PcieCap + PcieCap.SltCtl) & PcieCap.SltCtlPcc) != 0)
        {
            Log.Dev(port, $"pciehp: Slot({slot}): Already disabled");
            return removed;
        }
        removed.AddRange(PciehpUnconfigureDevice(port));
        var ctl = Read16(port, port.PcieCap + PcieCap.SltCtl);
        Write16(port, port.PcieCap + PcieCap.SltCtl, (ushort)(ctl | PcieCap.SltCtlPcc)); // pciehp_power_off_slot
        PciehpSetIndicators(port, PcieCap.SltCtlPwrIndOff, null);
        return removed;
    }

    /// <summary>pciehp_isr: read Slot Status and write the latched events back (RW1C) before the IRQ thread runs.</summary>
    private void PciehpAckEvents(PciDev port)
    {
        var events = (ushort)(Read16(port, port.PcieCap + PcieCap.SltSta) & PcieCap.SlotEventsWithDllsc);
        if (events != 0) Write16(port, port.PcieCap + PcieCap.SltSta, events);
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
        var ctl = Read16(port, port.PcieCap + PcieCap.SltCtl);
        var v = ctl;
        if (power is { } p) v = (ushort)((v & ~PcieCap.SltCtlPic) | p);
        if (attention is { } a) v = (ushort)((v & ~PcieCap.SltCtlAic) | a);
        if (v != ctl) Write16(port, port.PcieCap + PcieCap.SltCtl, v);
    }


    /// <summary>True when pciehp owns the port (is_hotplug_bridge and _OSC granted native hot-plug).</summary>
    public bool PciehpOwns(PciDev port) => port.IsHotplugBridge && Facts.OscGrantsPcieHotplug && port.IsPcieDownstreamPort
        && port.PcieType != PcieType.PcieToPciBridge;

    /// <summary>pciehp's slot banner (pcie_init).</summary>
    public string SlotCapsLine(PciDev dev)
    {
        var slt = Read32(dev, dev.PcieCap + PcieCap.SltCap);
        var lnk = Read32(dev, dev.PcieCap + PcieCap.LnkCap);
        static char F(bool b) => b ? '+' : '-';
        return $"Slot #{slt >> PcieCap.SltCapPsnShift} AttnBtn{F((slt & PcieCap.SltCapAbp) != 0)} PwrCtrl{F((slt & PcieCap.SltCapPcp) != 0)} "
            + $"MRL{F((slt & PcieCap.SltCapMrlsp) != 0)} AttnInd{F((slt & PcieCap.SltCapAip) != 0)} PwrInd{F((slt & PcieCap.SltCapPip) != 0)} "
            + $"HotPlug{F((slt & PcieCap.SltCapHpc) != 0)} Surprise{F((slt & PcieCap.SltCapHps) != 0)} Interlock{F((slt & PcieCap.SltCapEip) != 0)} "
            + $"NoCompl{F((slt & PcieCap.SltCapNccs) != 0)} IbPresDis- LLActRep{F((lnk & PcieCap.LnkCapDllLarc) != 0)}";
    }

    public readonly Dictionary<PciDev, string> _pciehpSlotNames = [];

    /// <summary>The name pciehp registered for the port's slot (slot_name: the kset name, "N" or "N-1", …).</summary>
    public string PciehpSlotName(PciDev port) => _pciehpSlotNames.TryGetValue(port, out var n) ? n : PhysicalSlotNumber(port);

    /// <summary>Slot Capabilities' Physical Slot Number, the name pciehp asks for.</summary>
    public string PhysicalSlotNumber(PciDev port) =>
        (Read32(port, port.PcieCap + PcieCap.SltCap) >> PcieCap.SltCapPsnShift).ToString(CultureInfo.InvariantCulture);
}
