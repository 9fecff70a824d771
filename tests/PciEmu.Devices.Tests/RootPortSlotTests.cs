using PciEmu.Core;
using PciEmu.Devices.Capabilities;
using PciEmu.Devices.Devices;

namespace PciEmu.Devices.Tests;

/// <summary>pcie-root-port slot semantics (qemu-devices.md §4.3-§4.4).</summary>
public sealed class RootPortSlotTests
{
    private const int P = PcieRootPort.ExpOffset;
    private const int SltCtl = P + PcieCap.SltCtl;
    private const int SltSta = P + PcieCap.SltSta;
    private const int LnkSta = P + PcieCap.LnkSta;

    private static PcieRootPort Port(string extra = "", bool acpi = false)
    {
        var rp = (PcieRootPort)TestDevices.Catalog("pcie-root-port,id=rp1,chassis=1" + extra);
        rp.AcpiManaged = acpi;
        rp.Realize();
        return rp;
    }

    private static PciFunction Child(string spec = "pci-testdev")
    {
        var f = TestDevices.Catalog(spec);
        f.Realize();
        return f;
    }

    private static ushort Read16(PciFunction f, int offset) => (ushort)f.ReadConfig(offset, 2);

    [Fact]
    public void EmptyPort_AfterReset_SlotOffUnpoweredLinkFromLnkCap()
    {
        var rp = Port();
        Assert.Equal(0x07c0, Read16(rp, SltCtl));
        Assert.Equal(0, Read16(rp, SltSta));
        Assert.False(rp.SecondaryPowered);
        Assert.Equal(0x0204, Read16(rp, LnkSta));
    }

    [Fact]
    public void ColdPlug_Native_SetsPresenceAndDllla_AndPowersSlot()
    {
        var rp = Port();
        var child = Child();
        rp.PlugChild(0, child, hotplugged: false);
        rp.Reset();
        Assert.Equal(0x01c0, Read16(rp, SltCtl));
        Assert.Equal(PcieCap.SltStaPds, Read16(rp, SltSta));
        Assert.Equal(0x2204, Read16(rp, LnkSta));
        Assert.True(rp.SecondaryPowered);
        Assert.True(child.HasPower);
    }

    [Fact]
    public void ColdPlug_AcpiManaged_LeavesPresenceClear()
    {
        var rp = Port(acpi: true);
        rp.PlugChild(0, Child(), hotplugged: false);
        rp.Reset();
        Assert.Equal(0x01c0, Read16(rp, SltCtl));
        Assert.Equal(0, Read16(rp, SltSta));
        Assert.Equal(0x0204, Read16(rp, LnkSta));
    }

    [Fact]
    public void LinkStatus_FollowsExpressChild_ClampedToPort()
    {
        var rp = Port(",x-speed=5,x-width=1");
        rp.PlugChild(0, Child("pcie-pci-bridge,id=b"), hotplugged: false);
        rp.Reset();
        Assert.Equal(0x0011, Read16(rp, LnkSta) & (PcieCap.LnkStaSpeedMask | PcieCap.LnkStaWidthMask));
        Assert.Equal(0x00000412u, rp.ReadConfig(P + PcieCap.LnkCap, 4) & 0xffff);
    }

    [Fact]
    public void SlotControlWrite_LatchesCommandCompleted_AndEicToggleReadsZero()
    {
        var rp = Port();
        rp.WriteConfig(SltCtl, 2, 0x07c0 | PcieCap.SltCtlEic);
        Assert.Equal(0, Read16(rp, SltCtl) & PcieCap.SltCtlEic);
        Assert.Equal(PcieCap.SltStaEis | PcieCap.SltStaCc, Read16(rp, SltSta));
        rp.WriteConfig(SltCtl, 2, 0x07c0 | PcieCap.SltCtlEic);
        Assert.Equal(PcieCap.SltStaCc, Read16(rp, SltSta));
    }

    [Fact]
    public void SlotStatusWrite_ClearsOnlyLatchedEvents_AndRevertsWhenUnlatchedBitWritten()
    {
        var rp = Port();
        rp.PlugChild(0, Child(), hotplugged: true);
        rp.WriteConfig(SltCtl, 2, 0x07c0);   // latches CC as well
        Assert.Equal(PcieCap.SltStaPds | PcieCap.SltStaPdc | PcieCap.SltStaAbp | PcieCap.SltStaCc, Read16(rp, SltSta));
        rp.WriteConfig(SltSta, 2, PcieCap.SltStaPdc);
        Assert.Equal(PcieCap.SltStaPds | PcieCap.SltStaAbp | PcieCap.SltStaCc, Read16(rp, SltSta));
        // A 1 written to PFD (never latched) cancels the whole W1C (pcie_cap_slot_write_config quirk).
        rp.WriteConfig(SltSta, 2, PcieCap.SltStaAbp | PcieCap.SltStaPfd);
        Assert.Equal(PcieCap.SltStaPds | PcieCap.SltStaAbp | PcieCap.SltStaCc, Read16(rp, SltSta));
    }

    [Fact]
    public void HotAdd_Native_SetsPresenceAndEvents_AndSignalsIntxWhenEnabled()
    {
        var rp = Port();
        var notes = new List<SlotNotification>();
        rp.Notification += notes.Add;
        rp.WriteConfig(SltCtl, 2, 0x07c0 | PcieCap.SltCtlHpie | PcieCap.SltCtlPdce | PcieCap.SltCtlAbpe);
        rp.WriteConfig(SltSta, 2, PcieCap.SltStaCc);
        notes.Clear();
        var child = Child();
        rp.PlugChild(0, child, hotplugged: true);
        Assert.Equal(PcieCap.SltStaPds | PcieCap.SltStaPdc | PcieCap.SltStaAbp, Read16(rp, SltSta));
        Assert.Equal(PcieCap.LnkStaDllla, Read16(rp, LnkSta) & PcieCap.LnkStaDllla);
        Assert.False(child.HasPower); // PCC still off: the guest must power the slot
        Assert.Equal([new SlotNotification(SlotInterruptKind.Intx, 0, true)], notes);
    }

    [Fact]
    public void HotAdd_WithMsixEnabled_SendsVectorZero()
    {
        var rp = Port();
        var notes = new List<SlotNotification>();
        rp.Notification += notes.Add;
        rp.WriteConfig(0x48 + MsixCap.Control, 2, MsixCap.ControlEnable);
        rp.WriteConfig(SltCtl, 2, 0x07c0 | PcieCap.SltCtlHpie | PcieCap.SltCtlPdce);
        rp.WriteConfig(SltSta, 2, PcieCap.SltStaCc);
        notes.Clear();
        rp.PlugChild(0, Child(), hotplugged: true);
        Assert.Equal([new SlotNotification(SlotInterruptKind.MsiX, 0, true)], notes);
    }

    [Fact]
    public void PowerOn_ByGuest_PowersChild_PowerOffUnplugs()
    {
        var rp = Port();
        var child = Child();
        var removed = new List<int>();
        rp.ChildUnplugged += (devFn, _) => removed.Add(devFn);
        rp.PlugChild(0, child, hotplugged: true);
        rp.WriteConfig(SltCtl, 2, PcieCap.SltCtlPwrIndOn | PcieCap.SltCtlAttnIndOff);
        Assert.True(rp.SecondaryPowered);
        Assert.True(child.HasPower);
        rp.WriteConfig(SltCtl, 2, PcieCap.SltCtlPwrIndOff | PcieCap.SltCtlAttnIndOff | PcieCap.SltCtlPcc);
        Assert.Equal([0], removed);
        Assert.Equal(0, Read16(rp, SltSta) & PcieCap.SltStaPds);
        Assert.NotEqual(0, Read16(rp, SltSta) & PcieCap.SltStaPdc);
        Assert.Equal(0, Read16(rp, LnkSta) & PcieCap.LnkStaDllla);
        Assert.False(rp.SecondaryPowered);
        Assert.Empty(rp.Children);
    }

    [Fact]
    public void UnplugRequest_PoweredSlot_PressesAttentionButton_PoweredOffRemovesAtOnce()
    {
        var rp = Port();
        var removed = new List<int>();
        rp.ChildUnplugged += (devFn, _) => removed.Add(devFn);
        rp.PlugChild(0, Child(), hotplugged: false);
        rp.Reset();
        rp.WriteConfig(SltSta, 2, 0x1f);
        rp.RequestUnplug(0);
        Assert.Empty(removed);
        Assert.NotEqual(0, Read16(rp, SltSta) & PcieCap.SltStaAbp);
        rp.WriteConfig(SltCtl, 2, PcieCap.SltCtlPwrIndOff | PcieCap.SltCtlAttnIndOff | PcieCap.SltCtlPcc);
        Assert.Equal([0], removed);

        var rp2 = Port();
        var removed2 = new List<int>();
        rp2.ChildUnplugged += (devFn, _) => removed2.Add(devFn);
        rp2.PlugChild(0, Child(), hotplugged: true);
        rp2.RequestUnplug(0);
        Assert.Equal([0], removed2);
    }

    [Fact]
    public void UnplugRequest_WhilePowerIndicatorBlinks_IsRefused()
    {
        var rp = Port();
        rp.PlugChild(0, Child(), hotplugged: false);
        rp.Reset();
        rp.WriteConfig(SltCtl, 2, PcieCap.SltCtlPwrIndBlink | PcieCap.SltCtlAttnIndOff);
        var e = Assert.Throws<DeviceRealizeException>(() => rp.RequestUnplug(0));
        Assert.Equal("Hot-unplug failed: guest is busy (power indicator blinking)", e.Message);
    }

    [Fact]
    public void HotplugOff_RefusesHotAdd_AndClearsHpcHps()
    {
        var rp = Port(",hotplug=off");
        Assert.Equal(0x0002001bu, rp.ReadConfig(P + PcieCap.SltCap, 4));
        var e = Assert.Throws<DeviceRealizeException>(() => rp.PlugChild(0, Child(), hotplugged: true));
        Assert.Equal("Hot-plug failed: unsupported by the port device 'rp1'", e.Message);
    }

    [Fact]
    public void NoPowerController_SlotAlwaysPowered_PccReadOnly()
    {
        var rp = Port(",power_controller_present=off");
        Assert.Equal(0x0bf9u, rp.Config.GetWriteMask(SltCtl, 2));
        Assert.Equal(PcieCap.SltCtlAttnIndOff, Read16(rp, SltCtl));
        Assert.True(rp.SecondaryPowered);
        Assert.Equal(0x00020079u, rp.ReadConfig(P + PcieCap.SltCap, 4));
    }

    [Fact]
    public void HotAdd_AcpiManaged_OnlyPowersSlot()
    {
        var rp = Port(acpi: true);
        var child = Child();
        rp.PlugChild(0, child, hotplugged: true);
        Assert.Equal(0x03c0, Read16(rp, SltCtl));
        Assert.Equal(0, Read16(rp, SltSta));
        Assert.True(child.HasPower);
    }

    [Fact]
    public void NativeHotplugOff_ClearsHpc_AndDefaultsIoReserveTo4K()
    {
        var rp = Port(",x-native-hotplug=off");
        Assert.Equal(0u, rp.ReadConfig(P + PcieCap.SltCap, 4) & PcieCap.SltCapHpc);
        Assert.Equal(0x90, rp.Config.GetByte(CommonHeader.CapabilityList.Offset));
        Assert.Equal(0x1000UL, rp.Config.GetQuad(0x90 + ResourceReserveCap.Io));
    }
}

/// <summary>(chassis, slot) uniqueness (pcie_chassis_add_slot).</summary>
public sealed class PcieChassisTests
{
    [Fact]
    public void DuplicateChassisSlot_FailsWithEbusy()
    {
        var chassis = new PcieChassis();
        chassis.Add((PcieSlotPort)TestDevices.Catalog("pcie-root-port,id=a,chassis=1,slot=1"));
        chassis.Add((PcieSlotPort)TestDevices.Catalog("pcie-root-port,id=b,chassis=1,slot=2"));
        var e = Assert.Throws<DeviceRealizeException>(() => chassis.Add((PcieSlotPort)TestDevices.Catalog("ioh3420,id=c,chassis=1,slot=1")));
        Assert.Equal("Can't add chassis slot, error -16", e.Message);
    }

    [Fact]
    public void DefaultChassisZeroSlotZero_SecondPortFails()
    {
        var chassis = new PcieChassis();
        var first = (PcieSlotPort)TestDevices.Catalog("pcie-root-port,id=a");
        chassis.Add(first);
        Assert.Throws<DeviceRealizeException>(() => chassis.Add((PcieSlotPort)TestDevices.Catalog("pcie-root-port,id=b")));
        chassis.Remove(first);
        chassis.Add((PcieSlotPort)TestDevices.Catalog("pcie-root-port,id=b"));
    }
}

/// <summary>ioh3420 (2.5 GT/s, no DLLLARC) still reports DLLLA for a conventional child (x-pcie-lnksta-dllla).</summary>
public sealed class Ioh3420SlotTests
{
    [Fact]
    public void ColdPlug_Native_SetsDllla()
    {
        var rp = (Ioh3420)TestDevices.Catalog("ioh3420,id=r,chassis=9");
        rp.Realize();
        var child = TestDevices.Realized("pci-testdev");
        rp.PlugChild(0, child, hotplugged: false);
        rp.Reset();
        Assert.Equal(0x2011u, rp.ReadConfig(Ioh3420.ExpOffset + PcieCap.LnkSta, 2));
    }
}
