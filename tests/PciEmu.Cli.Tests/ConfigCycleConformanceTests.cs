using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PciEmu.Core.Tracing;
using PciEmu.Firmware.SeaBios;
using PciEmu.Scenarios.Running;
using PciEmu.Testing;

namespace PciEmu.Cli.Tests;

/// <summary>
/// Item 1 of issue 18: for every recorded case with a <c>pci-trace.log</c> (QEMU's pci_cfg_read / pci_cfg_write trace
/// points of the whole boot: BB:DD.F, offset, value, in order; only accesses that reached a device), the config
/// accesses the SeaBIOS port makes — preinit, pci_setup and the POST steps after it (SMM setup, the mptable's reads,
/// the ATA and AHCI drivers, the option ROM scan, make_bios_readonly) — equal the first accesses of the trace, one
/// for one. The comparison stops where the boot begins (<see cref="SeaBiosFirmware.BootRomPhase"/>): the iPXE option
/// ROM runs there, code PciEmu cannot run and models only by its effect, and the recorder's own config dump
/// interleaves with it in the trace; its effect is the subject of <see cref="FirmwareLspciConformanceTests"/>. When the
/// firmware never finishes (random/fw-010: a bus-numbering loop overflows SeaBIOS's stack) the port's accesses stop
/// where SeaBIOS died; the trace then shows only the recorder's dump of every function's 256 bytes.
/// </summary>
public partial class ConfigCycleConformanceTests
{
    public static TheoryData<string> Cases() => Recordings.AsTheoryData(Recordings.Cases("pci-trace.log"));

    [GeneratedRegex(@"^pci_cfg_(read|write) \S+ ([0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) @0x([0-9a-f]+) (->|<-) 0x([0-9a-f]+)$")]
    private static partial Regex TraceLine();

    [Theory]
    [MemberData(nameof(Cases))]
    public void ConfigAccesses_EqualTheRecordedTrace(string name)
    {
        var dir = Recordings.Dir(name);
        var expected = File.ReadLines(Path.Combine(dir, "pci-trace.log")).Select(Normalize).ToList();
        var (actual, outcome) = Run(dir);

        Assert.True(actual.Count > 0, "the port made no config access");
        Assert.True(actual.Count <= expected.Count, $"the port made {actual.Count} accesses, the trace holds {expected.Count}");
        var mismatch = Enumerable.Range(0, actual.Count).FirstOrDefault(i => actual[i] != expected[i], -1);
        Assert.True(mismatch < 0, mismatch < 0 ? string.Empty :
            $"access #{mismatch}: recorded '{expected[mismatch]}', port '{actual[mismatch]}'\n" +
            $"recorded before: {string.Join(" | ", expected.Skip(Math.Max(0, mismatch - 3)).Take(Math.Min(3, mismatch)))}");

        if (RecordedHang(dir))
        {
            // The firmware died: after its last access the trace holds only the recorder's dump (64 dword reads of
            // every function QEMU lists, offsets 0x0..0xfc in order).
            Assert.Equal(SeaBiosOutcomeKind.Hung, outcome);
            var rest = expected.Skip(actual.Count).ToList();
            Assert.Equal(0, rest.Count % DumpReadsPerFunction);
            for (var i = 0; i < rest.Count; i++)
                Assert.EndsWith(string.Create(CultureInfo.InvariantCulture, $" @0x{i % DumpReadsPerFunction * 4:x} -> "), rest[i][..(rest[i].IndexOf("-> ", StringComparison.Ordinal) + 3)]);
        }
    }

    private const int DumpReadsPerFunction = 64;

    /// <summary>The recording never reached SeaBIOS's done marker and did not panic: the firmware hung.</summary>
    private static bool RecordedHang(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "firmware.json")));
        var r = doc.RootElement;
        return r.TryGetProperty("done_marker", out var m) && m.ValueKind == JsonValueKind.Null
            && (!r.TryGetProperty("seabios_panic", out var p) || p.ValueKind == JsonValueKind.Null);
    }

    /// <summary>"pci_cfg_read NAME 00:01.0 @0xa -> 0x601" → "00:01.0 @0xa -> 0x601" (the QEMU device name dropped).</summary>
    private static string Normalize(string line)
    {
        var m = TraceLine().Match(line);
        Assert.True(m.Success, $"unparsable trace line: {line}");
        return $"{m.Groups[2].Value} @0x{m.Groups[3].Value} {m.Groups[4].Value} 0x{m.Groups[5].Value}";
    }

    private static (List<string> Accesses, SeaBiosOutcomeKind Outcome) Run(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "firmware.json")));
        var argv = doc.RootElement.GetProperty("qemu_argv").EnumerateArray().Select(a => a.GetString()!).ToArray();
        var settings = new RunSettings();
        var scenario = ScenarioOptions.CreateParser(settings).ParseArguments([.. RecordedArguments.Topology(argv), "--firmware", "seabios"]);
        var sink = new Collector();
        var runner = ScenarioRunner.Run(new RunRequest { Scenario = scenario, Firmware = settings.Firmware, Trace = _ => sink });
        var bootRom = runner.Machine.Cpu.Phases.Names.ToList().IndexOf(SeaBiosFirmware.BootRomPhase);
        var beforeBoot = sink.Lines.TakeWhile(l => bootRom < 0 || l.Phase != bootRom).Select(l => l.Line).ToList();
        return (beforeBoot, runner.Firmware!.Outcome.Kind);
    }

    /// <summary>Config accesses that reached a function, as QEMU's trace points print them.</summary>
    private sealed class Collector : ITraceSink
    {
        public List<(string Line, int Phase)> Lines { get; } = [];

        public void Emit(in TraceEvent e)
        {
            if (e.Kind is not (TraceEventKind.ConfigRead or TraceEventKind.ConfigWrite)) return;
            var arrow = e.Kind == TraceEventKind.ConfigRead ? "->" : "<-";
            Lines.Add((string.Create(CultureInfo.InvariantCulture, $"{e.Bdf.Bus:x2}:{e.Bdf.Device:x2}.{e.Bdf.Function:x} @0x{e.Offset:x} {arrow} 0x{e.Value:x}"), e.Phase));
        }
    }
}
