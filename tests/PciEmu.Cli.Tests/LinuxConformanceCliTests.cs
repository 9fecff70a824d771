using System.Text.Json;
using System.Text.RegularExpressions;
using PciEmu.Cli;
using PciEmu.Testing;

namespace PciEmu.Cli.Tests;

/// <summary>
/// End to end through the product: every recorded pc/q35 Linux case (the top-level ones and the random/ set, found by
/// <see cref="Recordings.X86LinuxCases"/>) is rebuilt as a `pciemu run` command line (the recorded
/// -M/-m/-nodefaults/-device/-global, --firmware seabios, --kernel linux[,v6.1], --device-add of the recorded
/// hot-plug) and the kernel log PciEmu prints must equal the PCI lines of the real dmesg (boot, then the hot-plug),
/// timestamps stripped. Line filter: messages starting with "pci ", "pci_bus ", "pcieport ", "shpchp", "acpiphp" or
/// "PCI: No. ". The /proc/iomem and /proc/ioports PCI entries PciEmu emits for the final state (after the hot-plug
/// when there is one) must equal the recorded ones.
/// </summary>
public partial class LinuxConformanceCliTests
{
    public static TheoryData<string> Cases() => Recordings.AsTheoryData(Recordings.Root is null ? [] : Recordings.X86LinuxCases());

    [Fact]
    public void ConformanceCasesArePresent()
    {
        Assert.True(Cases().Count >= 10, $"expected the recorded x86 Linux cases under {Golden.ConformanceRoot()}");
        Assert.Contains(Recordings.X86LinuxCases(), n => n.StartsWith("random/", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void KernelLog_EqualsRecordedDmesg(string name)
    {
        var dir = Recordings.Dir(name);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "linux.json")));
        var j = doc.RootElement;
        var argv = j.GetProperty("qemu_argv").EnumerateArray().Select(a => a.GetString()!).ToArray();
        var args = new List<string> { "run" };
        args.AddRange(RecordedArguments.Topology(argv));
        var is612 = j.TryGetProperty("kernel_version", out var kv) && kv.GetString() == "6.12";
        args.AddRange(["--firmware", "seabios", "--kernel", is612 ? "linux" : "linux,v6.1"]);
        var hotplugs = j.GetProperty("hotplug");
        if (hotplugs.GetArrayLength() > 0) args.AddRange(["--device-add", hotplugs[0].GetProperty("spec").GetString()!]);
        var scratch = Directory.CreateTempSubdirectory("pciemu-linux-");
        var iomem = Path.Combine(scratch.FullName, "iomem.txt");
        var ioports = Path.Combine(scratch.FullName, "ioports.txt");
        args.AddRange(["--emit", "kernel-log", "--emit", $"iomem={iomem}", "--emit", $"ioports={ioports}"]);

        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter();
        var code = PciEmuCli.Run([.. args], o, e);
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {e}");
        var procIomem = File.ReadAllLines(iomem);
        var procIoports = File.ReadAllLines(ioports);
        scratch.Delete(recursive: true);

        var boot = Filter(File.ReadAllLines(Path.Combine(dir, "boot.dmesg.txt")));
        var expected = boot.ToList();
        var hp = Path.Combine(dir, "hotplug0.dmesg.txt");
        if (File.Exists(hp)) expected.AddRange(Filter(File.ReadAllLines(hp)).Skip(boot.Count));
        var actual = o.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < Math.Min(expected.Count, actual.Length); i++)
        {
            Assert.True(expected[i] == actual[i], $"{name}: line {i + 1}\n  expected: {expected[i]}\n  actual:   {actual[i]}");
        }
        Assert.Equal(expected.Count, actual.Length);

        var phase = hotplugs.GetArrayLength() > 0 ? "hotplug0" : "boot";
        AssertProc(name, File.ReadAllLines(Path.Combine(dir, $"{phase}.iomem.txt")), procIomem);
        AssertProc(name, File.ReadAllLines(Path.Combine(dir, $"{phase}.ioports.txt")), procIoports);
    }

    /// <summary>The PCI entries (bus windows and functions) of a /proc/iomem or /proc/ioports dump, line for line.</summary>
    private static void AssertProc(string name, IEnumerable<string> recorded, IEnumerable<string> emitted)
    {
        var expected = recorded.Where(l => ProcPci().IsMatch(l)).ToArray();
        var actual = emitted.Where(l => ProcPci().IsMatch(l)).ToArray();
        Assert.NotEmpty(expected);
        for (var i = 0; i < Math.Min(expected.Length, actual.Length); i++)
        {
            Assert.True(expected[i] == actual[i], $"{name}: proc line {i + 1}\n  expected: {expected[i]}\n  actual:   {actual[i]}");
        }
        Assert.Equal(expected.Length, actual.Length);
    }

    [GeneratedRegex(@"^\s*[0-9a-f]+-[0-9a-f]+ : (PCI Bus [0-9a-f]{4}:[0-9a-f]{2}|[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])$")]
    private static partial Regex ProcPci();

    private static IReadOnlyList<string> Filter(IEnumerable<string> lines) =>
        lines.Select(l => Timestamp().Replace(l, string.Empty))
            .Where(l => l.StartsWith("pci ", StringComparison.Ordinal) || l.StartsWith("pci_bus ", StringComparison.Ordinal)
                        || l.StartsWith("pcieport ", StringComparison.Ordinal) || l.StartsWith("shpchp", StringComparison.Ordinal)
                        || l.StartsWith("acpiphp", StringComparison.Ordinal) || l.StartsWith("PCI: No. ", StringComparison.Ordinal))
            .ToArray();

    [GeneratedRegex(@"^\[\s*\d+\.\d+\] ")]
    private static partial Regex Timestamp();
}
