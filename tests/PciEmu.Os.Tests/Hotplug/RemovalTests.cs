using PciEmu.Core;
using PciEmu.Scenarios.Running;
using PciEmu.Platform;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Os.Tests.Hotplug;

/// <summary>
/// device_del: QEMU raises the unplug request, Linux's driver for the slot removes the functions and releases their
/// resources, and the platform completes the unplug (acpiphp _EJ0; pciehp power off + indicator off; SHPC slot
/// disable). pciehp lines are the pciehp_ctrl.c / pciehp_hpc.c formats of 6.1 and 6.12.
/// </summary>
public sealed class RemovalTests
{
    private const string NativeQ35 = "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off";

    [Theory]
    [InlineData(KernelVersion.Linux6_1, new[] { "pcieport 0000:00:01.0: pciehp: Slot(0): Attention button pressed", "pcieport 0000:00:01.0: pciehp: Slot(0): Powering off due to button press" })]
    [InlineData(KernelVersion.Linux6_12, new[] { "pcieport 0000:00:01.0: pciehp: Slot(0): Button press: will power off in 5 sec" })]
    public void Pciehp_NativeUnplug_ButtonThenPowerOff(KernelVersion version, string[] expected)
    {
        var h = HotplugHarness.Boot(version, "-M", "q35", "-global", NativeQ35, "-device", "pcie-root-port,id=rp1,chassis=1");
        var add = h.Add("pci-testdev,id=hp0,bus=rp1,membar=1M");
        Assert.True(add.AllBarsAssigned);
        var iomemBefore = h.Linux.ProcIomem();
        Assert.Contains("0000:01:00.0", iomemBefore, StringComparison.Ordinal);
        var r = h.Remove("hp0");
        Assert.Equal(expected, r.Log);
        Assert.Equal([Bdf.Parse("01:00.0")], r.Removed);
        Assert.False(h.Present("hp0")); // QEMU detached it on Power Controller off + Power Indicator off
        Assert.DoesNotContain("0000:01:00.0", h.Linux.ProcIomem(), StringComparison.Ordinal);
        Assert.DoesNotContain("0000:01:00.0", h.Linux.ProcIoports(), StringComparison.Ordinal);
        Assert.DoesNotContain(h.Linux.DeviceResources(), x => x.Bdf == Bdf.Parse("01:00.0"));
        var again = h.Add("pci-testdev,id=hp1,bus=rp1,membar=1M");
        Assert.True(again.AllBarsAssigned, string.Join('\n', again.Log));
        Assert.Equal(iomemBefore, h.Linux.ProcIomem());
    }

    [Fact]
    public void Acpiphp_RootBusEject_SilentAndThePlatformCompletesTheUnplug()
    {
        var h = HotplugHarness.Boot(KernelVersion.Linux6_12, "-M", "pc");
        var before = h.Linux.ProcIoports();
        h.Add("pci-testdev,id=hp0,addr=5");
        Assert.Contains("0000:00:05.0", h.Linux.ProcIoports(), StringComparison.Ordinal);
        var r = h.Remove("hp0");
        Assert.Empty(r.Log); // acpiphp's eject path logs at debug level only
        Assert.Equal([Bdf.Parse("00:05.0")], r.Removed);
        Assert.False(h.Present("hp0"));
        Assert.Equal(before, h.Linux.ProcIoports());
        Assert.DoesNotContain("0000:00:05.0", h.Linux.ProcIomem(), StringComparison.Ordinal);
    }

    [Fact]
    public void Acpiphp_BridgeSlotEject_RemovesEveryFunctionOfTheSlot()
    {
        var h = HotplugHarness.Boot(KernelVersion.Linux6_1, "-M", "pc", "-device", "pci-bridge,id=br1,chassis_nr=1");
        h.Add("pci-testdev,id=hp0,bus=br1,addr=3");
        var r = h.Remove("hp0");
        Assert.Equal([Bdf.Parse("01:03.0")], r.Removed);
        Assert.False(h.Present("hp0"));
        Assert.DoesNotContain("0000:01:03.0", h.Linux.ProcIomem(), StringComparison.Ordinal);
    }

    [Fact]
    public void NoDriver_RemovalRequestDoesNothing()
    {
        var h = HotplugHarness.Boot(KernelVersion.Linux6_12, "-M", "pc");
        var r = h.Linux.DeviceRemoveRequested(HotplugDriver.None, null, 5);
        Assert.Empty(r.Log);
        Assert.Empty(r.Removed);
    }

    /// <summary>What ScenarioRunner's device_del step should do once wired: DeviceDel on the machine, then the
    /// kernel's removal for the slot's driver (with the machine's _EJ0 for acpiphp).</summary>
    [Fact]
    public void ScenarioRunner_DeviceAddThenDeviceDel_ThroughTheKernelEntryPoint()
    {
        var scenario = new TopologyParser().ParseArguments(["-M", "q35", "-m", "1G", "-nodefaults", "-global", NativeQ35,
            "-device", "pcie-root-port,id=rp1,chassis=1"]);
        var runner = ScenarioRunner.Boot(new RunRequest
        {
            Scenario = scenario,
            Firmware = FirmwareKind.SeaBios,
            Kernel = new KernelOptions { Version = KernelVersion.Linux6_12 },
        });
        var kernel = runner.Kernel!;
        kernel.AcpiEjector = MachineFacts.AcpiEjector(runner.Machine);
        runner.RunSteps([new DeviceAddStep(DeviceLineParser.Parse("pci-testdev,id=hp0,bus=rp1"), "device_add")]);
        Assert.True(runner.Steps[^1].Passed);

        var removal = MachineFacts.DeviceDel(runner.Machine, kernel, "hp0");
        Assert.Equal(["pcieport 0000:00:01.0: pciehp: Slot(0): Button press: will power off in 5 sec"], removal.Log);
        Assert.Equal([Bdf.Parse("01:00.0")], removal.Removed);
        Assert.DoesNotContain("0000:01:00.0", kernel.ProcIomem(), StringComparison.Ordinal);
    }

    [Fact]
    public void ScenarioRunner_PcAcpiphp_DeviceDelEjectsThroughTheMachine()
    {
        var scenario = new TopologyParser().ParseArguments(["-M", "pc", "-m", "1G", "-nodefaults", "-device", "pci-bridge,id=br1,chassis_nr=1"]);
        var runner = ScenarioRunner.Boot(new RunRequest { Scenario = scenario, Firmware = FirmwareKind.SeaBios, Kernel = new KernelOptions() });
        var kernel = runner.Kernel!;
        kernel.AcpiEjector = MachineFacts.AcpiEjector(runner.Machine);
        runner.RunSteps([new DeviceAddStep(DeviceLineParser.Parse("pci-testdev,id=hp0,bus=br1,addr=2"), "device_add")]);
        Assert.True(runner.Steps[^1].Passed);
        var removal = MachineFacts.DeviceDel(runner.Machine, kernel, "hp0");
        Assert.Empty(removal.Log);
        Assert.Equal([Bdf.Parse("01:02.0")], removal.Removed);
        Assert.False(HasDevice(runner.Machine.Snapshot().Root, "hp0"));
        Assert.True(HasDevice(runner.Machine.Snapshot().Root, "br1"));
        Assert.Throws<QemuException>(() => MachineFacts.DeviceDel(runner.Machine, kernel, "hp0"));
    }

    private static bool HasDevice(BusSnapshot bus, string id) =>
        bus.Functions.Any(f => f.QdevId == id || (f.Secondary is { } sec && HasDevice(sec, id)));
}
