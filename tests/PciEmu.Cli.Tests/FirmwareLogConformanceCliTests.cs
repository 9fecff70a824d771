using System.Text.Json;
using PciEmu.Cli;
using PciEmu.Testing;

namespace PciEmu.Cli.Tests;

/// <summary>
/// Through the product: for every recorded x86 case, `pciemu run -M … -m … [-nodefaults] -device … --firmware seabios
/// --emit firmware-log` prints the recorded seabios.log from "=== PCI bus &amp; bridge init ===" through the last line
/// pci_setup prints ("PCI: No VGA devices found" or the VGA line), line for line.
/// </summary>
public class FirmwareLogConformanceCliTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        var root = Golden.ConformanceRoot();
        if (!Directory.Exists(root)) return data;
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(dir, "seabios.log"))) data.Add(Path.GetFileName(dir));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FirmwareLog_EqualsRecordedSeaBiosLog(string name)
    {
        var dir = Path.Combine(Golden.ConformanceRoot(), name);
        var json = File.Exists(Path.Combine(dir, "firmware.json")) ? "firmware.json" : "linux.json";
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, json)));
        var argv = doc.RootElement.GetProperty("qemu_argv").EnumerateArray().Select(a => a.GetString()!).ToArray();
        var args = new List<string> { "run" };
        args.AddRange(RecordedArguments.Topology(argv));
        args.AddRange(["--firmware", "seabios", "--emit", "firmware-log"]);
        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter();
        var code = PciEmuCli.Run([.. args], o, e);
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {e}");
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
