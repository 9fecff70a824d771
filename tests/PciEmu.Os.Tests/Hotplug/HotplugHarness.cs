using PciEmu.Core;
using PciEmu.Scenarios.Running;
using PciEmu.Platform;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Os.Tests.Hotplug;

/// <summary>A booted machine (topology parser + device catalog + SeaBIOS port) with the enumerator on top, and the
/// QEMU monitor's device_add / device_del followed by the driver Linux runs for the slot.</summary>
public sealed class HotplugHarness
{
    private HotplugHarness(Machine machine, LinuxEnumerator linux)
    {
        Machine = machine;
        Linux = linux;
    }

    public Machine Machine { get; }
    public LinuxEnumerator Linux { get; }

    /// <summary>QEMU command-line arguments (e.g. "-M", "q35", "-device", "…"); always -m 1G -nodefaults.</summary>
    public static HotplugHarness Boot(KernelVersion version, params string[] args)
    {
        var scenario = new TopologyParser().ParseArguments([.. args, "-m", "1G", "-nodefaults"]);
        var runner = ScenarioRunner.Boot(new RunRequest { Scenario = scenario, Firmware = FirmwareKind.SeaBios });
        Assert.True(runner.Firmware!.Outcome.IsOk);
        var linux = MachineFacts.Enumerator(runner.Machine, new KernelOptions { Version = version });
        linux.Boot();
        return new HotplugHarness(runner.Machine, linux);
    }

    public Bdf? ParentOf(string busName) => ScenarioRunner.FindBridgeOfBus(Machine.Snapshot().Root, busName, 0);

    public HotplugVerdict Add(string device)
    {
        var placed = Machine.DeviceAdd(DeviceLineParser.Parse(device));
        var parent = ParentOf(placed.BusName);
        return Linux.DeviceAdded(Linux.DriverFor(parent), parent, placed.Slot);
    }

    /// <summary>device_del ID, then Linux's unplug path for the slot the device sits in (MachineFacts.DeviceDel).</summary>
    public HotplugRemoval Remove(string id) => MachineFacts.DeviceDel(Machine, Linux, id);

    public bool Present(string id) => Locate(Machine.Snapshot().Root, id) is not null;

    private static (string Bus, int Slot)? Locate(BusSnapshot bus, string id)
    {
        foreach (var f in bus.Functions)
        {
            if (f.QdevId == id) return (bus.Name, f.DevFn >> 3);
            if (f.Secondary is { } sec && Locate(sec, id) is { } found) return found;
        }
        return null;
    }
}
