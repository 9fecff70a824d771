using PciEmu.Scenarios.Running;
using PciEmu.Platform;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Os.Tests.Pipeline;

/// <summary>Hot-plug scenarios beyond the recorded cases, end to end on the platform machine (smoke + invariants).</summary>
public sealed class HotplugScenarioTests
{
    /// <summary>-M type -m 1G -nodefaults -device …, built and booted through ScenarioRunner (SeaBIOS port), then Linux.</summary>
    private static (Machine Machine, LinuxEnumerator Linux) Boot(MachineType type, params string[] devices)
    {
        var args = new List<string> { "-M", type == MachineType.Pc ? "pc" : "q35", "-m", "1G", "-nodefaults" };
        foreach (var d in devices) args.AddRange(["-device", d]);
        var runner = ScenarioRunner.Boot(new RunRequest { Scenario = new TopologyParser().ParseArguments(args), Firmware = FirmwareKind.SeaBios });
        Assert.True(runner.Firmware!.Outcome.IsOk);
        var linux = MachineFacts.Enumerator(runner.Machine);
        linux.Boot();
        return (runner.Machine, linux);
    }

    [Fact]
    public void Pc_AcpiphpOnRootBus_Puts64BitPrefBarInThe64BitRootWindow()
    {
        var (machine, linux) = Boot(MachineType.Pc);
        var placed = machine.DeviceAdd(DeviceLineParser.Parse("pci-testdev,id=hp0,addr=5,membar=64M"));
        var v = linux.DeviceAdded(linux.DriverFor(null), null, placed.Slot);
        Assert.True(v.AllBarsAssigned, string.Join('\n', v.Log));
        Assert.Contains("pci 0000:00:05.0: BAR 2 [mem 0x100000000-0x103ffffff 64bit pref]: assigned", v.Log);
    }

    [Fact]
    public void Pc_AcpiphpHotAddedBridge_GetsNextBusNumberAndHotplugWindows()
    {
        var (machine, linux) = Boot(MachineType.Pc, "pci-bridge,id=br1,chassis_nr=1");
        var placed = machine.DeviceAdd(DeviceLineParser.Parse("pci-bridge,id=br2,chassis_nr=2,addr=5"));
        var v = linux.DeviceAdded(linux.DriverFor(null), null, placed.Slot);
        Assert.Contains("pci_bus 0000:02: busn_res: [bus 02-ff] end is updated to 02", v.Log);
        Assert.Contains("pci 0000:00:05.0: PCI bridge to [bus 02]", v.Log);
        Assert.Contains("pci 0000:00:05.0: bridge window [io  0x1000-0x0fff] to [bus 02] add_size 1000", v.Log);
        Assert.Contains("pci 0000:00:05.0: bridge window [mem 0x00100000-0x000fffff] to [bus 02] add_size 200000 add_align 100000", v.Log);
        Assert.Contains(v.Log, l => l.StartsWith("pci 0000:00:05.0: bridge window [mem ", StringComparison.Ordinal) && l.EndsWith(": assigned", StringComparison.Ordinal));
        Assert.DoesNotContain(v.Log, l => l.Contains("no space", StringComparison.Ordinal));
    }
}
