using System.Text.Json;
using PciEmu.Cli;
using PciEmu.Testing;

namespace PciEmu.Cli.Tests;

/// <summary>
/// Through the product: for every recorded x86 case, `pciemu run -M … -m … [-nodefaults] -device … --firmware seabios
/// --emit firmware-log` prints the recorded seabios.log from "=== PCI bus &amp; bridge init ===" through the last line
/// pci_setup prints ("PCI: No VGA devices found" or the VGA line), line for line — every case folder with a
/// seabios.log, the random set included. A recording whose SeaBIOS panicked or never finished (random/fw-010: its
/// stack overflows in pci_bios_init_bus_rec and the log stops) must end the same way: same lines, exit 3, and for a
/// hang a message naming the loop.
/// </summary>
public class FirmwareLogConformanceCliTests
{
    public static TheoryData<string> Cases() => Recordings.AsTheoryData(Recordings.Cases("seabios.log"));

    [Theory]
    [MemberData(nameof(Cases))]
    public void FirmwareLog_EqualsRecordedSeaBiosLog(string name)
    {
        var dir = Recordings.Dir(name);
        var json = File.Exists(Path.Combine(dir, "firmware.json")) ? "firmware.json" : "linux.json";
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, json)));
        var argv = doc.RootElement.GetProperty("qemu_argv").EnumerateArray().Select(a => a.GetString()!).ToArray();
        var args = new List<string> { "run" };
        args.AddRange(RecordedArguments.Topology(argv));
        args.AddRange(["--firmware", "seabios", "--emit", "firmware-log"]);
        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter();
        var code = PciEmuCli.Run([.. args], o, e);
        var root = doc.RootElement;
        var panic = root.TryGetProperty("seabios_panic", out var p) && p.ValueKind == JsonValueKind.String;
        var hang = json == "firmware.json" && !panic && root.TryGetProperty("done_marker", out var m) && m.ValueKind == JsonValueKind.Null;
        Assert.True(code == (panic || hang ? ExitCodes.FirmwareFailure : ExitCodes.Ok), $"exit {code}: {e}");
        if (hang) Assert.Contains("pci_bios_init_bus_rec", e.ToString(), StringComparison.Ordinal);
        var expected = PciSection(File.ReadAllLines(Path.Combine(dir, "seabios.log")));
        var actual = PciSection(o.ToString().Split('\n'));
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    /// <summary>From "=== PCI bus &amp; bridge init ===" to the line before "Found N cpu(s)" (the end of pci_setup).</summary>
    private static IReadOnlyList<string> PciSection(IReadOnlyList<string> lines)
    {
        var start = lines.ToList().FindIndex(l => l == "=== PCI bus & bridge init ===");
        if (start < 0) return [];
        var end = lines.ToList().FindIndex(start, l => l.StartsWith("Found ", StringComparison.Ordinal) && l.Contains("cpu(s)", StringComparison.Ordinal));
        var last = lines.ToList().FindLastIndex(l => l.StartsWith("PCI: ", StringComparison.Ordinal) || l.StartsWith("Q35 LPC", StringComparison.Ordinal) || l.StartsWith("Using pmtimer", StringComparison.Ordinal));
        var stop = end > start ? end : last + 1;
        return lines.Skip(start).Take(stop - start).Where(l => l.Length > 0).ToArray();
    }
}
