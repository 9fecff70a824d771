using PciEmu.Core;
using PciEmu.Devices.Capabilities;

namespace PciEmu.Devices.Devices;

/// <summary>The hot-plug side of a PCIe slot: events, interrupts and the platform's plug/unplug entry points.</summary>
public abstract partial class PcieSlotPort
{
    /// <summary>pcie_cap_slot_event: latch an event; notify only if it was not already latched.</summary>
    private void SlotEvent(ushort ev)
    {
        var c = Config;
        var sta = c.GetWord(ExpCap + PcieCap.SltSta);
        c.SetWord(ExpCap + PcieCap.SltSta, (ushort)(sta | ev));
        if ((sta & ev) == ev) return;
        HotplugEventNotify();
    }

    /// <summary>hotplug_event_update_event_status.</summary>
    private void UpdateEventStatus()
    {
        var ctl = SlotControl;
        _hpevNotified = (ctl & PcieCap.SltCtlHpie) != 0 && (SlotStatus & ctl & PcieCap.HotplugEventsSupported) != 0;
    }

    /// <summary>hotplug_event_notify: message (MSI-X, MSI, vector 0) or INTx level on a state change.</summary>
    private void HotplugEventNotify()
    {
        var prev = _hpevNotified;
        UpdateEventStatus();
        if (prev == _hpevNotified) return;
        if (MsixPos != 0 && QemuMsix.Enabled(Config, MsixPos))
            Notification?.Invoke(new SlotNotification(SlotInterruptKind.MsiX, 0, true));
        else if (MsiPos != 0 && QemuMsi.Enabled(Config, MsiPos))
            Notification?.Invoke(new SlotNotification(SlotInterruptKind.Msi, 0, true));
        else if (Identity.InterruptPin != 0)
            Notification?.Invoke(new SlotNotification(SlotInterruptKind.Intx, 0, _hpevNotified));
    }

    /// <summary>hotplug_event_clear: lower INTx when nothing is pending any more.</summary>
    private void HotplugEventClear()
    {
        UpdateEventStatus();
        var msix = MsixPos != 0 && QemuMsix.Enabled(Config, MsixPos);
        var msi = MsiPos != 0 && QemuMsi.Enabled(Config, MsiPos);
        if (!msix && !msi && Identity.InterruptPin != 0 && !_hpevNotified)
            Notification?.Invoke(new SlotNotification(SlotInterruptKind.Intx, 0, false));
    }

    /// <inheritdoc />
    public void PlugChild(int devFn, PciFunction child, bool hotplugged)
    {
        if (!AcpiManaged)
        {
            // pcie_cap_slot_pre_plug_cb
            if (hotplugged && !HotplugCapable)
                throw new DeviceRealizeException($"Hot-plug failed: unsupported by the port device '{Id}'");
            if ((SlotStatus & PcieCap.SltStaEis) != 0)
                throw new DeviceRealizeException("slot is electromechanically locked: Device or resource busy");
        }
        _children[devFn] = child;
        child.Hotplugged = hotplugged;
        if (AcpiManaged)
        {
            // acpi_pcihp_device_plug_cb: a hot-added device gets slot power.
            if (hotplugged) EnablePower();
        }
        else if (!hotplugged)
        {
            SetPresence();
        }
        else if (_children.ContainsKey(0))
        {
            SetPresence();
            SlotEvent(PcieCap.SltStaPdc | PcieCap.SltStaAbp);
        }
        child.HasPower = SecondaryPowered;
        UpdatePower();
    }

    /// <inheritdoc />
    public void RequestUnplug(int devFn)
    {
        if (!_children.TryGetValue(devFn, out var child)) return;
        if (!HotplugCapable)
            throw new DeviceRealizeException($"Hot-unplug failed: unsupported by the port device '{Id}'");
        if ((SlotStatus & PcieCap.SltStaEis) != 0)
            throw new DeviceRealizeException("slot is electromechanically locked: Device or resource busy");
        var ctl = SlotControl;
        if ((ctl & PcieCap.SltCtlPic) == PcieCap.SltCtlPwrIndBlink)
            throw new DeviceRealizeException("Hot-unplug failed: guest is busy (power indicator blinking)");
        if (devFn != 0 && !_children.ContainsKey(0))
        {
            _children.Remove(devFn);
            ChildUnplugged?.Invoke(devFn, child);
            return;
        }
        if (PoweredOff(ctl))
        {
            // slot is powered off -> unplug without round-trip to the guest
            DoUnplug();
            HotplugEventNotify();
            Config.SetWord(ExpCap + PcieCap.SltSta, (ushort)(SlotStatus & ~PcieCap.SltStaAbp));
            return;
        }
        SlotEvent(PcieCap.SltStaAbp);
    }

    /// <inheritdoc />
    public void RemoveChild(int devFn) => _children.Remove(devFn);

    /// <summary>pcie_cap_slot_enable_power: with a power controller, PCC := on (what ACPI hot-add does).</summary>
    public void EnablePower()
    {
        if ((SlotCapabilities & PcieCap.SltCapPcp) == 0) return;
        Config.SetWord(ExpCap + PcieCap.SltCtl, (ushort)(SlotControl & ~PcieCap.SltCtlPcc));
        UpdatePower();
    }
}
