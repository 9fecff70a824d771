using System.Text.Json;
using PciEmu.Core;
using PciEmu.Firmware.SeaBios;
using PciEmu.Os.Platform;
using PciEmu.Platform;
using SbCase = PciEmu.Firmware.SeaBios.Tests.Support.ConformanceCase;
using PciEmu.Firmware.SeaBios.Tests.Support;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Os.Tests.Pipeline;

/// <summary>
/// The whole chain for one recorded Linux case: the machine (PciEmu.Platform + PciEmu.Devices), the SeaBIOS port,
/// then the enumerator over the machine's own accessor (ECAM on q35, CF8/CFC on pc), then QEMU's device_add.
/// </summary>
public sealed class PipelineCase
{
    /// <summary>A recorded Linux case (linux.json): machine, memory, device args, kernel series, hot-plug mode.</summary>
    public PipelineCase(string name)
    {
        Name = name;
        var dir = Path.Combine(Support.SharedPaths.Conformance!, name);
        Linux = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "linux.json"))).RootElement;
        var machine = Linux.GetProperty("machine").GetString()!;
        var args = Linux.GetProperty("device_args").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Native = Linux.GetProperty("qemu_argv").EnumerateArray().Any(a => a.GetString()!.Contains("acpi-pci-hotplug-with-bridge-support=off", StringComparison.Ordinal));
        var version = Linux.TryGetProperty("kernel_version", out var kv) && kv.ValueKind == JsonValueKind.String && kv.GetString() == "6.12"
            ? KernelVersion.Linux6_12 : KernelVersion.Linux6_1;
        (Machine, Firmware, Accessor, Facts, Enumerator) = Start(new SbCase(name, dir, machine, SbCase.ParseSize(Linux.GetProperty("memory").GetString()!), args, FirmwareOnly: false), version);
    }

    /// <summary>Any recorded pc/q35 topology (firmware-only cases too), booted with the default kernel.</summary>
    public PipelineCase(SbCase sb)
    {
        Name = sb.Name;
        (Machine, Firmware, Accessor, Facts, Enumerator) = Start(sb, KernelVersion.Linux6_12);
    }

    private (Machine, SeaBiosResult, IConfigAccessor, PlatformFacts, LinuxEnumerator) Start(SbCase sb, KernelVersion version)
    {
        var (machine, firmware) = Run(sb);
        var accessor = MachineFacts.AccessorFor(machine);
        var facts = MachineFacts.For(machine, accessor);
        return (machine, firmware, accessor, facts, new LinuxEnumerator(accessor, facts, new KernelOptions { Version = version }));
    }

    public string Name { get; }
    public JsonElement Linux { get; }
    public bool Native { get; }
    public Machine Machine { get; }
    public SeaBiosResult Firmware { get; }
    public IConfigAccessor Accessor { get; }
    public PlatformFacts Facts { get; }
    public LinuxEnumerator Enumerator { get; }

    /// <summary>ConformanceRunner.Run, plus the -global the native-hot-plug cases were recorded with.</summary>
    private (Machine, SeaBiosResult) Run(SbCase c)
    {
        var type = c.Machine == "pc" ? MachineType.Pc : MachineType.Q35;
        var builder = new MachineBuilder().WithType(type).WithRam(c.RamSize).WithCatalog(DevicesCatalog.Instance);
        if (Native) builder.WithGlobal(new GlobalProperty("ICH9-LPC", "acpi-pci-hotplug-with-bridge-support", "off"));
        foreach (var arg in c.DeviceArgs) builder.AddDevice(Parse(arg));
        var machine = builder.Build();
        machine.Reset(); // qemu_system_reset before the firmware, as the SeaBIOS harness does
        var env = SeaBiosEnvironments.ForMachine(machine) with { FwCfg = new FwCfgWithTableLoader(machine.FwCfg) };
        return (machine, SeaBiosFirmware.Run(env));
    }

    /// <summary>DeviceLineParser with QEMU's strtoul(…, 16) tolerance for an "addr=0x…" prefix (as the SeaBIOS harness).</summary>
    private static DeviceRequest Parse(string arg)
    {
        var r = DeviceLineParser.Parse(arg);
        return r with
        {
            Properties = r.Properties.Select(p => p.Key == "addr" && p.Value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? new KeyValuePair<string, string>(p.Key, p.Value[2..]) : p).ToArray(),
        };
    }

    /// <summary>HMP device_add of the recorded spec, then the hot-plug driver Linux would run for that slot.</summary>
    public HotplugVerdict? HotplugFirst()
    {
        var hps = Linux.GetProperty("hotplug");
        if (hps.GetArrayLength() == 0) return null;
        var placed = Machine.DeviceAdd(Parse(hps[0].GetProperty("spec").GetString()!));
        var parentBdf = ScenarioRunner.FindBridgeOfBus(Machine.Snapshot().Root, placed.BusName, 0);
        return Enumerator.DeviceAdded(Enumerator.DriverFor(parentBdf), parentBdf, placed.Slot);
    }
}
