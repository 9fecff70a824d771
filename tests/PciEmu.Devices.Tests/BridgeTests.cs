using PciEmu.Core;
using PciEmu.Devices.Capabilities;
using PciEmu.Devices.Devices;

namespace PciEmu.Devices.Tests;

/// <summary>pci-bridge / pcie-pci-bridge SHPC window and bridge behaviour (§5).</summary>
public sealed class BridgeTests
{
    private static PciBridgeDev Bridge()
    {
        var br = (PciBridgeDev)TestDevices.Catalog("pci-bridge,id=br,chassis_nr=7");
        br.PlugChild(1 << 3, TestDevices.Realized("pci-testdev"), hotplugged: false);
        br.Realize();
        return br;
    }

    private static uint ShpcRegister(ShpcBridge br, int select)
    {
        var cap = br.Shpc!.CapOffset;
        br.WriteConfig(cap + ShpcController.CapDwordSelect, 1, (uint)(select / 4));
        return br.ReadConfig(cap + ShpcController.CapDwordData, 4);
    }

    [Fact]
    public void ShpcWindow_ShowsRegisterFile()
    {
        var br = Bridge();
        Assert.Equal(31u, ShpcRegister(br, ShpcController.SlotsAvailable33));
        Assert.Equal(0xe001011fu, ShpcRegister(br, ShpcController.NumberOfSlots));
        Assert.Equal(0x01000000u, ShpcRegister(br, ShpcController.SecondaryBusConfig));
        Assert.Equal(ShpcController.SerrIntAllDisabled, ShpcRegister(br, ShpcController.SerrInt));
        Assert.Equal(0x7f000000u | ShpcController.SlotStatusOccupied, ShpcRegister(br, ShpcController.SlotRegister(0)));
        Assert.Equal(0x7f000000u | ShpcController.SlotStatusEmpty, ShpcRegister(br, ShpcController.SlotRegister(1)));
    }

    [Fact]
    public void ShpcDataWrite_GoesThroughRegisterMasks()
    {
        var br = Bridge();
        var cap = br.Shpc!.CapOffset;
        br.WriteConfig(cap + ShpcController.CapDwordSelect, 1, ShpcController.SerrInt / 4);
        br.WriteConfig(cap + ShpcController.CapDwordData, 4, 0xffffffff);
        Assert.Equal(0xfu, br.ReadConfig(cap + ShpcController.CapDwordData, 4));
        br.WriteConfig(cap + ShpcController.CapDwordSelect, 1, 0);
        br.WriteConfig(cap + ShpcController.CapDwordData, 4, 0xffffffff);
        Assert.Equal(0u, br.ReadConfig(cap + ShpcController.CapDwordData, 4));
    }

    [Fact]
    public void SlotId_ChassisWritable_NotReset()
    {
        var br = Bridge();
        Assert.Equal(7, br.Config.GetByte(0x48 + SlotIdCap.Chassis));
        br.WriteConfig(0x48 + SlotIdCap.Chassis, 1, 9);
        br.Reset();
        Assert.Equal(9, br.Config.GetByte(0x48 + SlotIdCap.Chassis));
    }

    [Fact]
    public void SecondaryBusReset_RaisedOnZeroToOne()
    {
        var br = Bridge();
        var n = 0;
        br.SecondaryBusReset += _ => n++;
        br.WriteConfig(Type1Header.BridgeControl.Offset, 2, (uint)BridgeControlBits.BusReset);
        br.WriteConfig(Type1Header.BridgeControl.Offset, 2, (uint)BridgeControlBits.BusReset);
        Assert.Equal(1, n);
    }

    [Fact]
    public void Reset_DoesNotDisableWindows_UnlikeRootPort()
    {
        var br = Bridge();
        Assert.Equal(0x0000u, br.ReadConfig(Type1Header.IoBase.Offset, 2));
        Assert.Equal(0x00010001u, br.ReadConfig(Type1Header.PrefMemoryBase.Offset, 4));
        var rp = TestDevices.Realized("pcie-root-port");
        Assert.Equal(0x00f0u, rp.ReadConfig(Type1Header.IoBase.Offset, 2));
    }

    [Fact]
    public void MsiOff_NoMsiCapability()
    {
        var br = TestDevices.Catalog("pci-bridge,id=b,chassis_nr=1,msi=off");
        br.Realize();
        Assert.DoesNotContain(br.GetCapabilities(), c => c.Id == CapabilityId.Msi);
        Assert.Equal(0x48, br.Config.GetByte(CommonHeader.CapabilityList.Offset));
    }
}

/// <summary>msi_write_config and the ioh3420 AER message number.</summary>
public sealed class MsiTests
{
    [Fact]
    public void QsizeAboveCapable_IsClampedOnlyOnceEnabled()
    {
        var br = TestDevices.Realized("pci-bridge");
        br.WriteConfig(0x4c + MsiCap.Flags, 2, 0x0070);
        Assert.Equal(0x01f0u, br.ReadConfig(0x4c + MsiCap.Flags, 2));
        br.WriteConfig(0x4c + MsiCap.Flags, 2, 0x0071);
        Assert.Equal(0x0181u, br.ReadConfig(0x4c + MsiCap.Flags, 2));
    }

    [Fact]
    public void Ioh3420_TwoVectors_AerMessageNumberOne()
    {
        var rp = TestDevices.Realized("ioh3420");
        Assert.Equal(0u, rp.ReadConfig(0x100 + AerCap.RootStatus, 4));
        rp.WriteConfig(Ioh3420.MsiOffset + MsiCap.Flags, 2, 0x0011);
        Assert.Equal(1u << AerCap.RootStatusIrqShift, rp.ReadConfig(0x100 + AerCap.RootStatus, 4));
    }
}

/// <summary>SHPC hot-plug on a pci-bridge whose bus is not ACPI-managed (shpc_device_plug_cb, shpc_command).</summary>
public sealed class ShpcHotplugTests
{
    private const int Slot = 3;
    private const int DevFn = Slot << 3;

    private static (PciBridgeDev Bridge, ShpcController Shpc, List<SlotNotification> Notes, List<int> Removed) Setup()
    {
        var br = (PciBridgeDev)TestDevices.Realized("pci-bridge");
        var notes = new List<SlotNotification>();
        var removed = new List<int>();
        br.Notification += notes.Add;
        br.ChildUnplugged += (devFn, _) => removed.Add(devFn);
        // enable SHPC interrupts (SERR/INT enable: clear all disable bits) and unmask the slot's events
        br.Shpc!.WriteRegister(ShpcController.SerrInt, 4, 0);
        br.Shpc.WriteRegister(ShpcController.SlotRegister(Slot - 1) + ShpcController.SlotSerrIntMask, 1, 0);
        return (br, br.Shpc, notes, removed);
    }

    [Fact]
    public void HotAdd_LatchesButtonMrlPresence_AndRaisesIntx()
    {
        var (br, shpc, notes, _) = Setup();
        notes.Clear();
        br.PlugChild(DevFn, TestDevices.Realized("pci-testdev"), hotplugged: true);
        Assert.Equal(ShpcController.EventButton | ShpcController.EventMrl | ShpcController.EventPresence, shpc.SlotEvents(Slot));
        Assert.Equal(0, shpc.SlotStatus(Slot) & (ShpcController.SlotMrlOpen | ShpcController.SlotPresenceMask));
        Assert.Equal(1u << Slot, shpc.ReadRegister(ShpcController.InterruptLocator, 4));
        Assert.Equal(new SlotNotification(SlotInterruptKind.Intx, 0, true), notes[^1]);
    }

    [Fact]
    public void EnableCommand_ThenDisableWithLedOff_FreesSlot()
    {
        var (br, shpc, _, removed) = Setup();
        br.PlugChild(DevFn, TestDevices.Realized("pci-testdev"), hotplugged: true);
        // command: target slot, state enabled + power LED on
        shpc.WriteRegister(ShpcController.CommandCode, 2, (uint)(Slot << 8 | ShpcController.StateEnabled | ShpcController.LedOn << 2));
        Assert.Equal(ShpcController.StateEnabled, shpc.SlotStatus(Slot) & ShpcController.SlotStateMask);
        Assert.NotEqual(0u, shpc.ReadRegister(ShpcController.SerrInt, 4) & ShpcController.CmdDetected);
        br.RequestUnplug(DevFn);
        Assert.NotEqual(0, shpc.SlotEvents(Slot) & ShpcController.EventButton);
        Assert.Empty(removed);
        shpc.WriteRegister(ShpcController.CommandCode, 2, (uint)(Slot << 8 | ShpcController.StateDisabled | ShpcController.LedOff << 2));
        Assert.Equal([DevFn], removed);
        Assert.Equal(ShpcController.SlotStatusEmpty, shpc.SlotStatus(Slot) & 0x0fff);
    }

    [Fact]
    public void InvalidTarget_SetsInvalidCommand()
    {
        var (_, shpc, _, _) = Setup();
        shpc.WriteRegister(ShpcController.CommandCode, 2, 0 << 8 | ShpcController.StateEnabled);
        Assert.Equal(ShpcController.CmdStatusInvalidCommand, shpc.ReadRegister(ShpcController.CommandStatus, 2));
    }

    [Fact]
    public void Slot0_IsNotHotpluggable()
    {
        var (br, _, _, _) = Setup();
        var e = Assert.Throws<DeviceRealizeException>(() => br.PlugChild(0, TestDevices.Realized("pci-testdev"), hotplugged: true));
        Assert.Equal("Unsupported PCI slot 0 for standard hotplug controller. Valid slots are between 1 and 31.", e.Message);
    }
}

/// <summary>System reset after firmware programmed a root port (rp_reset_hold, pci_bridge_reset, generic reset).</summary>
public sealed class ResetTests
{
    [Fact]
    public void RootPort_Reset_RestoresDisabledWindowsAndClearsBusNumbers()
    {
        var rp = TestDevices.Realized("pcie-root-port");
        rp.WriteConfig(CommonHeader.Command.Offset, 2, 0x0107);
        rp.WriteConfig(Type1Header.PrimaryBus.Offset, 4, 0x00010100);
        rp.WriteConfig(Type1Header.IoBase.Offset, 2, 0x5050);
        rp.WriteConfig(Type1Header.MemoryBase.Offset, 4, 0xfe90fe80);
        rp.WriteConfig(Type1Header.BridgeControl.Offset, 2, 0x0002);
        rp.WriteConfig(0x90, 4, 0x12345678); // scratch
        rp.Reset();
        Assert.Equal(0u, rp.ReadConfig(CommonHeader.Command.Offset, 2));
        Assert.Equal(0u, rp.ReadConfig(Type1Header.PrimaryBus.Offset, 4));
        Assert.Equal(0x00f0u, rp.ReadConfig(Type1Header.IoBase.Offset, 2));
        Assert.Equal(0x0000fff0u, rp.ReadConfig(Type1Header.MemoryBase.Offset, 4));
        Assert.Equal(0x0001fff1u, rp.ReadConfig(Type1Header.PrefMemoryBase.Offset, 4));
        Assert.Equal(0u, rp.ReadConfig(Type1Header.BridgeControl.Offset, 2));
        Assert.Equal(0x12345678u, rp.ReadConfig(0x90, 4));
    }

    [Fact]
    public void Piix3_ResetCommandClearedByGenericReset_StatusSurvives()
    {
        var isa = TestDevices.Realized("piix3");
        Assert.Equal(0x02000000u, isa.ReadConfig(CommonHeader.Command.Offset, 4));
    }

    [Fact]
    public void E1000_RealizeCacheLine_ClearedByFirstReset()
    {
        var nic = TestDevices.Realized("e1000");
        Assert.Equal(0u, nic.ReadConfig(CommonHeader.CacheLineSize.Offset, 1));
    }
}
