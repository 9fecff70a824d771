using PciEmu.Core;
using PciEmu.Devices.Capabilities;

namespace PciEmu.Devices.Devices;

/// <summary>Properties shared by PCIe root and downstream ports (PCIESlot / PCIEPort).</summary>
public record PcieSlotOptions : PciDeviceOptions
{
    public byte Chassis { get; init; }
    public ushort Slot { get; init; }
    public byte Port { get; init; }
    public bool Hotplug { get; init; } = true;
    /// <summary>x-native-hotplug (7.2); off clears HPC/HPS for cold-plugged ports.</summary>
    public bool NativeHotplug { get; init; } = true;
    public bool PowerControllerPresent { get; init; } = true;
    public int AerLogMax { get; init; } = AerCap.DefaultLogMax;
}

/// <summary>
/// A PCIe root or downstream port with a hot-plug slot (hw/pci/pcie.c slot code, hw/pci-bridge/pcie_root_port.c):
/// slot control side effects, slot power, the Slot Status W1C quirk, LNKSTA recomputed on read.
/// </summary>
public abstract partial class PcieSlotPort(PcieSlotOptions options) : PciBridgeFunction(options), IHotplugSlot
{
    private readonly SortedDictionary<int, PciFunction> _children = [];

    protected int ExpCap { get; set; }
    protected int MsixPos { get; set; }
    protected int MsiPos { get; set; }
    protected int AerPos { get; set; }
    protected int AcsPos { get; set; }
    private bool _hpevNotified;

    public PcieSlotOptions SlotOptions => options;
    public sealed override bool IsExpress => true;
    public sealed override bool SecondaryIsExpress => true;
    public sealed override bool HasSingleDeviceSecondary => true;
    public bool AcpiManaged { get; set; }
    public event Action<int, PciFunction>? ChildUnplugged;
    public event Action<SlotNotification>? Notification;

    public int ExpressCapOffset => ExpCap;
    public ushort SlotControl => Config.GetWord(ExpCap + PcieCap.SltCtl);
    public ushort SlotStatus => Config.GetWord(ExpCap + PcieCap.SltSta);
    public uint SlotCapabilities => Config.GetLong(ExpCap + PcieCap.SltCap);
    public bool HotplugCapable => (SlotCapabilities & PcieCap.SltCapHpc) != 0;
    public IReadOnlyDictionary<int, PciFunction> Children => _children;

    /// <summary>pcie_cap_update_power: with a power controller the slot is powered iff SLTCTL.PCC = 0.</summary>
    public override bool SecondaryPowered =>
        (SlotCapabilities & PcieCap.SltCapPcp) == 0 || (SlotControl & PcieCap.SltCtlPcc) == 0;

    /// <summary>pcie_cap_slot_init.</summary>
    protected void SlotInit(ConfigSpaceBuilder b)
    {
        var c = b.Config;
        var o = options;
        var cap = ((uint)o.Slot << PcieCap.SltCapPsnShift) | PcieCap.SltCapEip | PcieCap.SltCapPip | PcieCap.SltCapAip | PcieCap.SltCapAbp;
        if (o.Hotplug && (o.NativeHotplug || Hotplugged)) cap |= PcieCap.SltCapHps | PcieCap.SltCapHpc;
        var ctl = (ushort)0;
        ushort wmask = PcieCap.SltCtlPic | PcieCap.SltCtlAic | PcieCap.SltCtlHpie | PcieCap.SltCtlCcie | PcieCap.SltCtlPdce | PcieCap.SltCtlAbpe | PcieCap.SltCtlEic;
        if (o.PowerControllerPresent)
        {
            cap |= PcieCap.SltCapPcp;
            wmask |= PcieCap.SltCtlPcc;
        }
        ctl |= PcieCap.SltCtlPwrIndOff | PcieCap.SltCtlAttnIndOff;
        c.SetLong(ExpCap + PcieCap.SltCap, cap);
        c.SetWord(ExpCap + PcieCap.SltCtl, ctl);
        c.SetWord(ExpCap + PcieCap.Flags, (ushort)(c.GetWord(ExpCap + PcieCap.Flags) | PcieCap.FlagsSlot));
        b.Rw(ExpCap + PcieCap.SltCtl, 2, wmask);
        b.Rw1c(ExpCap + PcieCap.SltSta, 2, PcieCap.HotplugEventsSupported);
        b.OnConfigRead(ExpCap + PcieCap.LnkSta, sizeof(ushort));
    }

    /// <summary>pcie_cap_slot_reset: without a power controller the power indicator field is left cleared.</summary>
    protected void SlotReset()
    {
        var c = Config;
        var at = ExpCap + PcieCap.SltCtl;
        var ctl = c.GetWord(at) & ~(PcieCap.SltCtlEic | PcieCap.SltCtlPic | PcieCap.SltCtlAic | PcieCap.SltCtlHpie | PcieCap.SltCtlCcie | PcieCap.SltCtlPdce | PcieCap.SltCtlAbpe);
        ctl |= PcieCap.SltCtlAttnIndOff;
        if ((SlotCapabilities & PcieCap.SltCapPcp) != 0)
        {
            var populated = _children.ContainsKey(0);
            ctl = populated ? ctl & ~PcieCap.SltCtlPcc : ctl | PcieCap.SltCtlPcc;
            ctl |= populated ? PcieCap.SltCtlPwrIndOn : PcieCap.SltCtlPwrIndOff;
        }
        c.SetWord(at, (ushort)ctl);
        var sta = c.GetWord(ExpCap + PcieCap.SltSta) & ~(PcieCap.SltStaEis | PcieCap.SltStaCc | PcieCap.SltStaPdc | PcieCap.SltStaAbp);
        c.SetWord(ExpCap + PcieCap.SltSta, (ushort)sta);
        UpdatePower();
        UpdateEventStatus();
    }

    /// <summary>pci_default_read_config: a read overlapping LNKSTA of a downstream port re-syncs it first (the range is
    /// declared in <see cref="SlotInit"/>).</summary>
    protected override void OnConfigRead(int offset, int width) => SyncBridgeLink();

    /// <summary>pcie_sync_bridge_lnk (7.2 stable): width/speed from the child at devfn 0, clamped to LNKCAP.</summary>
    private void SyncBridgeLink()
    {
        var c = Config;
        var lnkcap = c.GetWord(ExpCap + PcieCap.LnkCap);
        ushort lnksta;
        var childCap = _children.TryGetValue(0, out var child) ? FindExpressCap(child) : 0;
        if (child is null || childCap == 0)
        {
            lnksta = lnkcap;
        }
        else
        {
            lnksta = (ushort)child.ReadConfig(childCap + PcieCap.LnkSta, 2);
            if ((lnksta & PcieCap.LnkStaWidthMask) > (lnkcap & PcieCap.LnkCapWidthMask))
                lnksta = (ushort)((lnksta & ~(uint)PcieCap.LnkStaWidthMask) | (lnkcap & PcieCap.LnkCapWidthMask));
            if ((lnksta & PcieCap.LnkStaSpeedMask) > (lnkcap & PcieCap.LnkCapSpeedMask))
                lnksta = (ushort)((lnksta & ~(uint)PcieCap.LnkStaSpeedMask) | (lnkcap & PcieCap.LnkCapSpeedMask));
        }
        if ((lnksta & PcieCap.LnkStaWidthMask) == 0) lnksta |= (ushort)((uint)PcieLinkWidth.X1 << PcieCap.LnkCapWidthShift);
        if ((lnksta & PcieCap.LnkStaSpeedMask) == 0) lnksta |= (ushort)PcieLinkSpeed.Speed2_5;
        const ushort fields = PcieCap.LnkStaWidthMask | PcieCap.LnkStaSpeedMask;
        var at = ExpCap + PcieCap.LnkSta;
        c.SetWord(at, (ushort)((c.GetWord(at) & ~fields) | (lnksta & fields)));
    }

    private static int FindExpressCap(PciFunction f)
    {
        foreach (var cap in f.GetCapabilities())
        {
            if (!cap.Extended && cap.Id == CapabilityId.Express) return cap.Offset;
        }
        return 0;
    }

    /// <summary>rp_write_config / xio3130_downstream_write_config: bridge write, then the slot side effects.</summary>
    protected override void OnConfigWritten(in ConfigWrite w)
    {
        base.OnConfigWritten(w);
        AerVectorUpdate();
        SlotWriteConfig(w);
    }

    /// <summary>The AER interrupt message number a root port reports (rpc->aer_vector); null for ports without one.</summary>
    protected virtual int? AerVector => null;

    /// <summary>rp_aer_vector_update → pcie_aer_root_set_vector: root error status bits 31:27.</summary>
    protected void AerVectorUpdate()
    {
        if (AerPos == 0 || AerVector is not { } vector) return;
        var at = AerPos + AerCap.RootStatus;
        var sta = Config.GetLong(at) & ~AerCap.RootStatusIrqMask;
        Config.SetLong(at, sta | ((uint)vector << AerCap.RootStatusIrqShift));
    }

    /// <summary>pcie_cap_slot_write_config.</summary>
    private void SlotWriteConfig(in ConfigWrite w)
    {
        var c = Config;
        var ctlAt = ExpCap + PcieCap.SltCtl;
        var staAt = ExpCap + PcieCap.SltSta;
        var oldCtl = OldWord(w, ctlAt);
        var oldSta = OldWord(w, staAt);
        var sltsta = c.GetWord(staAt);
        if (w.Overlaps(staAt, 2))
        {
            // QEMU tests the raw written value (not shifted to the register): the W1C is undone if the guest
            // wrote 1 to an event bit that was not set.
            if ((w.Value & ~(uint)oldSta & PcieCap.SlotEvents) != 0)
            {
                sltsta = (ushort)((sltsta & ~PcieCap.SlotEvents) | (oldSta & PcieCap.SlotEvents));
                c.SetWord(staAt, sltsta);
            }
            HotplugEventClear();
        }
        if (!w.Overlaps(ctlAt, 2)) return;
        var ctl = c.GetWord(ctlAt);
        if ((ctl & PcieCap.SltCtlEic) != 0)
        {
            c.SetWord(ctlAt, (ushort)(ctl & ~PcieCap.SltCtlEic));
            sltsta ^= PcieCap.SltStaEis;
            c.SetWord(staAt, sltsta);
        }
        if ((sltsta & PcieCap.SltStaPds) != 0 && PoweredOff((ushort)w.Value) && !PoweredOff(oldCtl)) DoUnplug();
        UpdatePower();
        HotplugEventNotify();
        SlotEvent(PcieCap.SltStaCc);
    }

    /// <summary>pcie_sltctl_powered_off: PCC off and power indicator off.</summary>
    private static bool PoweredOff(ushort sltctl) =>
        (sltctl & PcieCap.SltCtlPcc) == PcieCap.SltCtlPcc && (sltctl & PcieCap.SltCtlPic) == PcieCap.SltCtlPwrIndOff;

    private ushort OldWord(in ConfigWrite w, int at)
    {
        var value = Config.GetWord(at);
        for (var i = 0; i < w.Width; i++)
        {
            var o = w.Offset + i - at;
            if (o is < 0 or > 1) continue;
            value = (ushort)(((uint)value & ~(0xffu << (8 * o))) | (((w.OldValue >> (8 * i)) & 0xff) << (8 * o)));
        }
        return value;
    }

    /// <summary>pcie_cap_slot_do_unplug: detach every child, clear PDS/DLLLA, set PDC.</summary>
    private void DoUnplug()
    {
        foreach (var (devFn, child) in _children.ToArray())
        {
            _children.Remove(devFn);
            ChildUnplugged?.Invoke(devFn, child);
        }
        var c = Config;
        c.SetWord(ExpCap + PcieCap.SltSta, (ushort)(c.GetWord(ExpCap + PcieCap.SltSta) & ~PcieCap.SltStaPds));
        ClearDllla();
        c.SetWord(ExpCap + PcieCap.SltSta, (ushort)(c.GetWord(ExpCap + PcieCap.SltSta) | PcieCap.SltStaPdc));
    }

    /// <summary>
    /// PDS, and DLLLA when the child has QEMU_PCIE_LNKSTA_DLLLA (the x-pcie-lnksta-dllla property every PCI device
    /// has, default on) or the port's LNKCAP has DLLLARC: i.e. always, for the modelled devices.
    /// </summary>
    private void SetPresence()
    {
        var c = Config;
        c.SetWord(ExpCap + PcieCap.SltSta, (ushort)(c.GetWord(ExpCap + PcieCap.SltSta) | PcieCap.SltStaPds));
        c.SetWord(ExpCap + PcieCap.LnkSta, (ushort)(c.GetWord(ExpCap + PcieCap.LnkSta) | PcieCap.LnkStaDllla));
    }

    private void ClearDllla()
    {
        var c = Config;
        c.SetWord(ExpCap + PcieCap.LnkSta, (ushort)(c.GetWord(ExpCap + PcieCap.LnkSta) & ~PcieCap.LnkStaDllla));
    }

    /// <summary>pcie_cap_update_power / pci_set_power: children follow slot power; losing power resets them.</summary>
    private void UpdatePower()
    {
        var power = SecondaryPowered;
        foreach (var child in _children.Values)
        {
            if (child.HasPower == power) continue;
            child.HasPower = power;
            if (!power && child.IsRealized) child.Reset();
        }
    }

    /// <summary>The PCIe-port part of rp_reset_hold / xio3130 reset, before pci_bridge_reset.</summary>
    protected void PortReset()
    {
        var c = Config;
        QemuPcieCap.DevErrReset(c, ExpCap);
        SlotReset();
        QemuPcieCap.AriFwdReset(c, ExpCap);
        if (AcsPos != 0) AcsCap.Reset(c, AcsPos);
    }
}
