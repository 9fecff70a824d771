using PciEmu.Core;

namespace PciEmu.Os.Tests.Hotplug;

/// <summary>
/// shpchp on QEMU 7.2's SHPC model, end to end (parser + catalog + SeaBIOS port + enumerator). No real-Linux recording
/// exists for a bound shpchp; the expected lines follow shpchp_core.c / shpchp_hpc.c / shpchp_ctrl.c message formats
/// and QEMU's hw/pci/shpc.c event latching (button + MRL + presence on hot-add, button on unplug request).
/// </summary>
public sealed class ShpchpTests
{
    private const string NativeQ35 = "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off";
    private const string Bridge = "0000:01:00.0";

    private static HotplugHarness NativePciePciBridge() => HotplugHarness.Boot(KernelVersion.Linux6_12, "-M", "q35", "-global", NativeQ35,
        "-device", "pcie-root-port,id=rp1,chassis=1", "-device", "pcie-pci-bridge,id=pb1,bus=rp1");

    [Fact]
    public void Q35Native_PciePciBridge_ShpchpBindsAndReservesTheRegisterWindow()
    {
        var h = NativePciePciBridge();
        var log = h.Linux.Log.Lines;
        Assert.Contains($"shpchp {Bridge}: HPC vendor_id 1b36 device_id e ss_vid 0 ss_did 0", log);
        Assert.DoesNotContain(log, l => l.Contains("pci_hp_register failed", StringComparison.Ordinal));
        Assert.Equal("shpchp: Standard Hot Plug PCI Controller Driver version: 0.4", log[^1]);
        Assert.Equal(HotplugDriver.Shpchp, h.Linux.DriverFor(Bdf.Parse("01:00.0")));
        // request_mem_region(BAR 0 + base offset, 0x24 + 4 * 31, "shpchp") nests under the SHPC BAR.
        Assert.Contains("      fe600000-fe60009f : shpchp", h.Linux.ProcIomem().Split('\n'));
    }

    [Fact]
    public void Q35Native_HotAdd_LatchButtonPresenceThenPowerOnAndEnumerate()
    {
        var h = NativePciePciBridge();
        var v = h.Add("pci-testdev,id=hp0,bus=pb1,addr=1,membar=1M");
        Assert.True(v.AllBarsAssigned, string.Join('\n', v.Log));
        Assert.Equal(
        [
            $"shpchp {Bridge}: Latch close on Slot(1)",
            $"shpchp {Bridge}: Button pressed on Slot(1)",
            $"shpchp {Bridge}: Card present on Slot(1)",
            $"shpchp {Bridge}: PCI slot #1 - powering on due to button press",
            "pci 0000:02:01.0: [1b36:0005] type 00 class 0x00ff00 conventional PCI endpoint",
        ], v.Log.Take(5));
        Assert.Contains($"shpchp {Bridge}: PCI bridge to [bus 02]", v.Log);
        Assert.Equal(Bdf.Parse("02:01.0"), v.Devices.Single().Bdf);
        // The slot as QEMU holds it afterwards: enabled, power indicator on, attention indicator off.
        var status = ShpcSlotStatus(h, Bdf.Parse("01:00.0"), 1);
        Assert.Equal(2, status & 0x3);
        Assert.Equal(1, (status >> 2) & 0x3);
        Assert.Equal(3, (status >> 4) & 0x3);
    }

    [Fact]
    public void Q35Native_Unplug_ButtonPowerOffThenLatchOpenAndCardNotPresent()
    {
        var h = NativePciePciBridge();
        h.Add("pci-testdev,id=hp0,bus=pb1,addr=1,membar=1M");
        var r = h.Remove("hp0");
        Assert.Equal(
        [
            $"shpchp {Bridge}: Button pressed on Slot(1)",
            $"shpchp {Bridge}: PCI slot #1 - powering off due to button press",
            $"shpchp {Bridge}: Latch open on Slot(1)",
            $"shpchp {Bridge}: Card not present on Slot(1)",
        ], r.Log);
        Assert.Equal([Bdf.Parse("02:01.0")], r.Removed);
        Assert.False(h.Present("hp0"));
        Assert.DoesNotContain("0000:02:01.0", h.Linux.ProcIomem(), StringComparison.Ordinal);
        Assert.DoesNotContain("0000:02:01.0", h.Linux.ProcIoports(), StringComparison.Ordinal);
        var again = h.Add("pci-testdev,id=hp1,bus=pb1,addr=1,membar=1M");
        Assert.True(again.AllBarsAssigned, string.Join('\n', again.Log));
    }

    [Fact]
    public void Pc_BridgeHotplugOff_ShpchpCannotGetControlAndNothingHandlesTheSlot()
    {
        var h = HotplugHarness.Boot(KernelVersion.Linux6_12, "-M", "pc", "-global", "PIIX4_PM.acpi-pci-hotplug-with-bridge-support=off",
            "-device", "pci-bridge,id=br1,chassis_nr=1,shpc=on");
        Assert.Equal(
        [
            @"shpchp 0000:00:02.0: Requesting control of SHPC hotplug via OSHP (\_SB_.PCI0.S10_)",
            @"shpchp 0000:00:02.0: Requesting control of SHPC hotplug via OSHP (\_SB_.PCI0)",
            "shpchp 0000:00:02.0: Cannot get control of SHPC hotplug",
            "shpchp: Standard Hot Plug PCI Controller Driver version: 0.4",
        ], h.Linux.Log.Lines.TakeLast(4));
        Assert.Equal(HotplugDriver.None, h.Linux.DriverFor(Bdf.Parse("00:02.0")));
        var v = h.Add("pci-testdev,id=hp0,bus=br1,addr=1");
        Assert.Empty(v.Log);
        Assert.Empty(v.Devices);
        Assert.False(v.AllBarsAssigned);
        // The root bus keeps its ACPI slots (acpi-root-pci-hotplug stays on): acpiphp still registers them.
        Assert.Contains("acpiphp: Slot [3] registered", h.Linux.Log.Lines);
    }

    [Fact]
    public void Q35AcpiHotplug_ShpcSlotsCollideWithAcpiphp_ShpchpGivesUp()
    {
        var h = HotplugHarness.Boot(KernelVersion.Linux6_12, "-M", "q35",
            "-device", "pcie-root-port,id=rp1,chassis=1", "-device", "pcie-pci-bridge,id=pb1,bus=rp1");
        Assert.Equal(
        [
            $"shpchp {Bridge}: HPC vendor_id 1b36 device_id e ss_vid 0 ss_did 0",
            $"shpchp {Bridge}: pci_hp_register failed with error -16",
            $"shpchp {Bridge}: Slot initialization failed",
        ], h.Linux.Log.Lines.Where(l => l.StartsWith("shpchp 0000", StringComparison.Ordinal)));
        Assert.DoesNotContain(": shpchp", h.Linux.ProcIomem(), StringComparison.Ordinal);
        Assert.Equal(HotplugDriver.Acpiphp, h.Linux.DriverFor(Bdf.Parse("01:00.0")));
    }

    [Fact]
    public void Q35Native_PciBridgeWithShpc_AddAndRemoveOnTheRootBusBridge()
    {
        var h = HotplugHarness.Boot(KernelVersion.Linux6_1, "-M", "q35", "-global", NativeQ35,
            "-device", "pci-bridge,id=br1,bus=pcie.0,chassis_nr=1,shpc=on,addr=3");
        Assert.Contains("shpchp 0000:00:03.0: HPC vendor_id 1b36 device_id 1 ss_vid 0 ss_did 0", h.Linux.Log.Lines);
        var v = h.Add("pci-testdev,id=hp0,bus=br1,addr=4");
        Assert.True(v.AllBarsAssigned, string.Join('\n', v.Log));
        Assert.Equal("shpchp 0000:00:03.0: PCI slot #4 - powering on due to button press", v.Log[3]);
        Assert.Equal(Bdf.Parse("01:04.0"), v.Devices.Single().Bdf);
        var r = h.Remove("hp0");
        Assert.Equal("shpchp 0000:00:03.0: Card not present on Slot(4)", r.Log[^1]);
        Assert.False(h.Present("hp0"));
    }

    /// <summary>The slot's status word read the way shpchp reads it: DWORD select, DWORD data.</summary>
    private static int ShpcSlotStatus(HotplugHarness h, Bdf bridge, int pciSlot)
    {
        const int dwordSelect = 2;
        const int dwordData = 4;
        const int slot1Index = 9;
        var cfg = PciEmu.Scenarios.Running.MachineFacts.AccessorFor(h.Machine);
        var cap = PciRegs.FindCapability(cfg, bridge, CapabilityId.Shpc);
        cfg.Write8(bridge, cap + dwordSelect, (byte)(slot1Index + pciSlot - 1));
        return (int)(cfg.Read32(bridge, cap + dwordData) & 0xffff);
    }
}
