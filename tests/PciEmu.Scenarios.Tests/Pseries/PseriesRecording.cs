using System.Globalization;
using System.Text.Json;
using PciEmu.Core.Tracing;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;
using PciEmu.Testing;

namespace PciEmu.Scenarios.Tests.Pseries;

/// <summary>
/// One recorded pseries case (tests/recordings/pseries/CASE, tools/recorder/pseries-cases.sh): the recorded command
/// line run through PciEmu with --firmware slof, and the recorder's data to compare with.
/// </summary>
internal sealed class PseriesRecording
{
    private PseriesRecording(string name, JsonDocument doc, ScenarioRunner run, List<string> trace)
    {
        Name = name;
        Doc = doc;
        Run = run;
        Trace = trace;
    }

    public string Name { get; }
    public JsonDocument Doc { get; }
    public ScenarioRunner Run { get; }

    /// <summary>Our RTAS config accesses, in QEMU's pci_cfg_read / pci_cfg_write trace format.</summary>
    public List<string> Trace { get; }

    public JsonElement Root => Doc.RootElement;

    public string File(string file) => System.IO.File.ReadAllText(Path.Combine(Recordings.Dir(Name), file));

    /// <summary>The firmware-only cases recorded so far ("fw-*").</summary>
    public static TheoryData<string> FirmwareCases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Recordings.ProjectCases("pseries", "firmware.json")) data.Add(c);
        return data;
    }

    /// <summary>-M (the machine name without its cap-* TCG settings), -m, -nodefaults, -global, the -device list.</summary>
    public static PseriesRecording Load(string name)
    {
        var doc = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(Recordings.Dir(name), "firmware.json")));
        var root = doc.RootElement;
        var argv = root.GetProperty("qemu_argv").EnumerateArray().Select(a => a.GetString()!).ToList();
        var args = new List<string> { "-M", root.GetProperty("machine").GetString()!, "-m", root.GetProperty("memory").GetString()!, "--firmware", "slof" };
        if (argv.Contains("-nodefaults")) args.Add("-nodefaults");
        for (var i = 0; i + 1 < argv.Count; i++)
        {
            if (argv[i] == "-global") args.AddRange(["-global", argv[i + 1]]);
        }
        foreach (var d in root.GetProperty("device_args").EnumerateArray()) args.AddRange(["-device", d.GetString()!]);
        var settings = new RunSettings();
        var scenario = ScenarioOptions.CreateParser(settings).ParseArguments(args);
        var trace = new List<string>();
        var sink = new QemuTraceSink(trace);
        var run = ScenarioRunner.Run(new RunRequest
        {
            Scenario = scenario,
            Firmware = settings.Firmware,
            Kernel = settings.Kernel,
            Trace = m =>
            {
                sink.Names = (host, bdf) =>
                {
                    // Config events carry the PHB's BUID (0 for PHB 0, the machine's own host).
                    var phb = host == 0 ? m.Hierarchy : m.Hosts[PseriesHostIndex(m, host)];
                    return phb.Route(bdf.Bus, bdf.DevFn).Function?.TypeName ?? "?";
                };
                return sink;
            },
        });
        return new PseriesRecording(name, doc, run, trace);
    }

    private static int PseriesHostIndex(PciEmu.Platform.Machine m, ulong buid)
    {
        var board = PciEmu.Platform.Machines.Pseries.PseriesMachineKind.BoardOf(m)!;
        var phb = board.FindPhb(buid)!;
        return m.Hosts.ToList().FindIndex(h => ReferenceEquals(h.Root, phb.Root));
    }

    /// <summary>QEMU's trace-events lines for pci_cfg_read / pci_cfg_write.</summary>
    private sealed class QemuTraceSink(List<string> lines) : ITraceSink
    {
        public Func<ulong, PciEmu.Core.Bdf, string> Names { get; set; } = (_, _) => "?";

        public void Emit(in TraceEvent e)
        {
            if (e.Via != AccessMechanism.Rtas) return;
            // hw/pci/trace-events: "%s %02u:%02u.%u @0x%x -> 0x%x" (decimal bus and slot).
            var where = $"{Names(e.Address, e.Bdf)} {e.Bdf.Bus:d2}:{e.Bdf.Device:d2}.{e.Bdf.Function}";
            var off = e.Offset.ToString("x", CultureInfo.InvariantCulture);
            var v = e.Value.ToString("x", CultureInfo.InvariantCulture);
            if (e.Kind == TraceEventKind.ConfigRead) lines.Add($"pci_cfg_read {where} @0x{off} -> 0x{v}");
            else if (e.Kind == TraceEventKind.ConfigWrite) lines.Add($"pci_cfg_write {where} @0x{off} <- 0x{v}");
        }
    }
}
