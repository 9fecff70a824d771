using PciEmu.Core;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;

namespace PciEmu.Os;

/// <summary>drivers/pci/remove.c and the hot-plug drivers' disable paths (acpiphp_glue.c, pciehp_ctrl.c/_pci.c).</summary>
internal sealed partial class PciCore
{
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

    /// <summary>pci_stop_and_remove_bus_device: children first, then release the device's resources and drop it.</summary>
    public void StopAndRemoveBusDevice(PciDev dev)
    {
        if (dev.Subordinate is { } sub)
        {
            foreach (var child in sub.Devices.ToArray().Reverse()) StopAndRemoveBusDevice(child);
            dev.Bus.Children.Remove(sub);
            ResourceTree.Release(sub.Busn); // pci_remove_bus → pci_bus_release_busn_res
            dev.Subordinate = null;
        }
        if (_shpc.Remove(dev, out var ctrl) && ctrl.MmioRegion is { } mmio)
        {
            // shpc_remove → shpchp_release_ctlr: the register window goes before the BARs.
            foreach (var s in ctrl.Slots) SlotNames.Remove(s.Name);
            ResourceTree.Release(mmio);
        }
        foreach (var r in dev.Resources)
        {
            // pci_free_resources: release_resource of everything in the tree (a window's children are gone already).
            if (r.IsAssigned) ResourceTree.Release(r);
        }
        dev.Bus.Devices.Remove(dev);
        dev.Driver = null;
    }

    /// <summary>acpiphp_disable_and_eject_slot: disable_slot (every function of the device, last first), then _EJ0.</summary>
    public List<PciDev> AcpiphpDisableAndEjectSlot(PciBusNode bus, int slot, IAcpiEjector? ejector)
    {
        var removed = RemoveSlotFunctions(bus, slot, reverse: true);
        ejector?.Eject(bus.Number, slot);
        return removed;
    }

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
            StopAndRemoveBusDevice(d);
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
}
