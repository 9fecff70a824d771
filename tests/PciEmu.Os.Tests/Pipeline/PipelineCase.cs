using System.Text.Json;
using PciEmu.Core;
using PciEmu.Firmware.SeaBios;
using PciEmu.Scenarios.Running;
using PciEmu.Os.Tests.Support;
using PciEmu.Platform;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Os.Tests.Pipeline;

/// <summary>
/// The whole chain for one recorded Linux case through product code: the recorded command line parsed by the
/// topology parser, built with the device catalog, the SeaBIOS port (ScenarioRunner), then the enumerator over the
/// machine's own accessor (ECAM on q35, CF8/CFC on pc), then QEMU's device_add.
/// </summary>
public sealed class PipelineCase
{
    /// <summary>A recorded Linux case (linux.json): machine, memory, device args, kernel series, hot-plug mode.</summary>
    public PipelineCase(string name)
    {
        Name = name;
        var dir = Path.Combine(SharedPaths.Conformance!, name);
        Linux = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "linux.json"))).RootElement;
        var argv = Linux.GetProperty("qemu_argv").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var version = Linux.TryGetProperty("kernel_version", out var kv) && kv.ValueKind == JsonValueKind.String && kv.GetString() == "6.12"
            ? KernelVersion.Linux6_12 : KernelVersion.Linux6_1;
        (Machine, Firmware, Accessor, Facts, Enumerator) = Start(new RecordedTopology(name, dir, Linux.GetProperty("machine").GetString()!, false,
            RecordedTopology.TopologyArguments(argv)), version);
    }

    /// <summary>Any recorded pc/q35 topology (firmware-only cases too), booted with the default kernel.</summary>
    public PipelineCase(RecordedTopology topology)
    {
        Name = topology.Name;
        (Machine, Firmware, Accessor, Facts, Enumerator) = Start(topology, KernelVersion.Linux6_12);
    }

    private static (Machine, SeaBiosResult, IConfigAccessor, PlatformFacts, LinuxEnumerator) Start(RecordedTopology topology, KernelVersion version)
    {
        var runner = topology.BootFirmware();
        var machine = runner.Machine;
        var accessor = MachineFacts.AccessorFor(machine);
        var facts = MachineFacts.For(machine);
        return (machine, runner.Firmware!, accessor, facts, new LinuxEnumerator(accessor, facts, new KernelOptions { Version = version }));
    }

    public string Name { get; }
    public JsonElement Linux { get; }
    public Machine Machine { get; }
    public SeaBiosResult Firmware { get; }
    public IConfigAccessor Accessor { get; }
    public PlatformFacts Facts { get; }
    public LinuxEnumerator Enumerator { get; }

    /// <summary>HMP device_add of the recorded spec, then the hot-plug driver Linux would run for that slot.</summary>
    public HotplugVerdict? HotplugFirst()
    {
        var hps = Linux.GetProperty("hotplug");
        if (hps.GetArrayLength() == 0) return null;
        var placed = Machine.DeviceAdd(DeviceLineParser.Parse(hps[0].GetProperty("spec").GetString()!));
        var parentBdf = ScenarioRunner.FindBridgeOfBus(Machine.Snapshot().Root, placed.BusName, 0);
        return Enumerator.DeviceAdded(Enumerator.DriverFor(parentBdf), parentBdf, placed.Slot);
    }
}
