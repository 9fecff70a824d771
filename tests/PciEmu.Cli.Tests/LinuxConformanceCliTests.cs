using System.Text.Json;
using System.Text.RegularExpressions;
using PciEmu.Cli;
using PciEmu.Testing;

namespace PciEmu.Cli.Tests;

/// <summary>
/// End to end through the product: every recorded pc/q35 Linux case is rebuilt as a `pciemu run` command line
/// (the recorded -M/-m/-nodefaults/-device/-global, --firmware seabios, --kernel linux[,v6.1], --device-add of the
/// recorded hot-plug) and the kernel log PciEmu prints must equal the PCI lines of the real dmesg (boot, then the
/// hot-plug), timestamps stripped. Line filter: messages starting with "pci ", "pci_bus ", "pcieport ", "shpchp",
/// "acpiphp" or "PCI: No. ".
/// </summary>
public partial class LinuxConformanceCliTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        var root = Golden.ConformanceRoot();
        if (!Directory.Exists(root)) return data;
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var json = Path.Combine(dir, "linux.json");
            if (!File.Exists(json)) continue;
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            if (doc.RootElement.GetProperty("arch").GetString() == "x86_64") data.Add(Path.GetFileName(dir));
        }
        return data;
    }

    [Fact]
    public void ConformanceCasesArePresent() => Assert.True(Cases().Count >= 10, $"expected the recorded x86 Linux cases under {Golden.ConformanceRoot()}");

    [Theory]
    [MemberData(nameof(Cases))]
    public void KernelLog_EqualsRecordedDmesg(string name)
    {
        var dir = Path.Combine(Golden.ConformanceRoot(), name);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "linux.json")));
        var j = doc.RootElement;
        var argv = j.GetProperty("qemu_argv").EnumerateArray().Select(a => a.GetString()!).ToArray();
        var args = new List<string> { "run" };
        args.AddRange(RecordedArguments.Topology(argv));
        var is612 = j.TryGetProperty("kernel_version", out var kv) && kv.GetString() == "6.12";
        args.AddRange(["--firmware", "seabios", "--kernel", is612 ? "linux" : "linux,v6.1"]);
        var hotplugs = j.GetProperty("hotplug");
        if (hotplugs.GetArrayLength() > 0) args.AddRange(["--device-add", hotplugs[0].GetProperty("spec").GetString()!]);
        args.AddRange(["--emit", "kernel-log"]);

        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter();
        var code = PciEmuCli.Run([.. args], o, e);
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {e}");

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
    }

    private static IReadOnlyList<string> Filter(IEnumerable<string> lines) =>
        lines.Select(l => Timestamp().Replace(l, string.Empty))
            .Where(l => l.StartsWith("pci ", StringComparison.Ordinal) || l.StartsWith("pci_bus ", StringComparison.Ordinal)
                        || l.StartsWith("pcieport ", StringComparison.Ordinal) || l.StartsWith("shpchp", StringComparison.Ordinal)
                        || l.StartsWith("acpiphp", StringComparison.Ordinal) || l.StartsWith("PCI: No. ", StringComparison.Ordinal))
            .ToArray();

    [GeneratedRegex(@"^\[\s*\d+\.\d+\] ")]
    private static partial Regex Timestamp();
}
