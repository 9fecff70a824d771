using System.Text.Json;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Os.Tests.Support;

/// <summary>
/// A recorded x86 case (firmware.json or linux.json next to seabios.log) as the product sees it: the recorded QEMU
/// command line (-M, -m, -global, -nodefaults, the PCI -device list) parsed by <see cref="TopologyParser"/>, built
/// with the device catalog and booted through <see cref="ScenarioRunner"/> with the SeaBIOS port.
/// </summary>
public sealed record RecordedTopology(string Name, string Directory, string Machine, bool FirmwareOnly, IReadOnlyList<string> Arguments)
{
    private const string FirmwareJson = "firmware.json";
    private const string LinuxJson = "linux.json";

    /// <summary>Every pc/q35 case with a SeaBIOS log, in name order.</summary>
    public static IReadOnlyList<RecordedTopology> All()
    {
        if (SharedPaths.Conformance is not { } root || !System.IO.Directory.Exists(root)) return [];
        var list = new List<RecordedTopology>();
        foreach (var dir in System.IO.Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            if (!File.Exists(Path.Combine(dir, "seabios.log"))) continue;
            var fw = Path.Combine(dir, FirmwareJson);
            var json = File.Exists(fw) ? fw : Path.Combine(dir, LinuxJson);
            if (!File.Exists(json)) continue;
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var machine = doc.RootElement.GetProperty("machine").GetString()!;
            if (machine is not ("pc" or "q35")) continue;
            var argv = doc.RootElement.GetProperty("qemu_argv").EnumerateArray().Select(a => a.GetString()!).ToArray();
            list.Add(new RecordedTopology(Path.GetFileName(dir), dir, machine, File.Exists(fw), TopologyArguments(argv)));
        }
        return list;
    }

    public static RecordedTopology Load(string name) => All().Single(c => c.Name == name);

    /// <summary>The topology part of a recorded QEMU argv (the debug console and host plumbing dropped).</summary>
    public static IReadOnlyList<string> TopologyArguments(IReadOnlyList<string> argv) => PciEmu.Testing.RecordedArguments.Topology(argv);

    /// <summary>The parsed scenario (no steps).</summary>
    public Scenario Scenario() => new TopologyParser().ParseArguments(Arguments);

    /// <summary>Machine reset, the SeaBIOS port; no kernel (the caller creates the enumerator it wants).</summary>
    public ScenarioRunner BootFirmware() => ScenarioRunner.Boot(new RunRequest { Scenario = Scenario(), Firmware = FirmwareKind.SeaBios });

    /// <summary>pci.devices[] of firmware.json (what QEMU reported after SeaBIOS).</summary>
    public JsonDocument RecordedPci() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, FirmwareJson)));
}
