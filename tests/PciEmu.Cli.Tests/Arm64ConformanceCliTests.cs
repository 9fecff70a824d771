using System.Text.Json;
using System.Text.RegularExpressions;
using PciEmu.Cli;
using PciEmu.Testing;

namespace PciEmu.Cli.Tests;

/// <summary>
/// End to end through the product for every recorded arm64 case (linux.json with arch aarch64): the recorded QEMU
/// command line as `pciemu run -M virt[-7.2] … --firmware edk2[,version=2022.11] --kernel linux[,v6.1] --device-add …`
/// — EDK2's enumeration through ECAM config cycles, then Linux — must give the recorded boot and hot-plug PCI dmesg
/// lines, /proc/iomem and /proc/ioports (PCI entries) at boot and after the hot-plug, and the verdict.
/// The recording's QEMU and firmware versions pick the machine generation and the EDK2 release.
/// </summary>
public partial class Arm64ConformanceCliTests
{
    /// <summary>The shared conformance arm64 cases, then the project's own arm64 set (tests/recordings/arm64, tools/recorder/arm64-cases.sh).</summary>
    public static TheoryData<string> Cases() =>
        Recordings.AsTheoryData(Recordings.Cases("linux.json").Where(n => Recordings.Arch(n) == "aarch64")
            .Concat(Recordings.ProjectCases("arm64", "linux.json")));

    [Fact]
    public void ProjectArm64CasesArePresent() =>
        Assert.True(Recordings.ProjectCases("arm64", "linux.json").Count >= 12, "expected the twelve matching project's arm64 recordings under tests/recordings/arm64");

    [Fact]
    public void Arm64CasesArePresent() => Assert.True(Cases().Count >= 10, $"expected the ten recorded arm64 cases under {Recordings.Root}");

    /// <summary>pciemu arguments for a recorded case; <paramref name="withHotplug"/> adds its first device_add.</summary>
    private static List<string> Arguments(JsonElement j, bool withHotplug)
    {
        var argv = j.GetProperty("qemu_argv").EnumerateArray().Select(a => a.GetString()!).ToArray();
        var versions = j.GetProperty("versions");
        var efi = versions.TryGetProperty("qemu-efi-aarch64", out var e) ? e.GetString() ?? string.Empty : string.Empty;
        var qemu = versions.TryGetProperty("qemu", out var q) ? q.GetString() ?? string.Empty : string.Empty;
        // Debian 12 (QEMU 7.2 + EDK2 2022.11) or the newer chroot (QEMU 11.1 + EDK2 2026.08).
        var old = qemu.Contains("version 7.2", StringComparison.Ordinal) || efi.StartsWith("2022.11", StringComparison.Ordinal);
        var args = new List<string> { "run" };
        var topology = RecordedArguments.Topology(argv).ToList();
        var m = topology.IndexOf("-M");
        if (old && m >= 0 && topology[m + 1] == "virt") topology[m + 1] = "virt-7.2";
        args.AddRange(topology);
        var is612 = j.TryGetProperty("kernel_version", out var kv) && kv.GetString() == "6.12";
        args.AddRange(["--firmware", old ? "edk2,version=2022.11" : "edk2", "--kernel", is612 ? "linux" : "linux,v6.1"]);
        if (withHotplug) args.AddRange(["--device-add", j.GetProperty("hotplug")[0].GetProperty("spec").GetString()!]);
        return args;
    }

    private static Dictionary<string, string> Run(List<string> args, string name)
    {
        var dir = Directory.CreateTempSubdirectory("pciemu-arm64-");
        try
        {
            var kinds = new[] { "kernel-log", "iomem", "ioports", "hotplug" };
            foreach (var k in kinds) args.AddRange(["--emit", $"{k}={Path.Combine(dir.FullName, k)}"]);
            var o = new StringWriter { NewLine = "\n" };
            var err = new StringWriter();
            var code = PciEmuCli.Run([.. args], o, err);
            Assert.True(code == ExitCodes.Ok, $"{name}: exit {code}: {err}");
            return kinds.ToDictionary(k => k, k => File.ReadAllText(Path.Combine(dir.FullName, k)));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Boot_EqualsRecordedDmesgIomemIoports(string name)
    {
        var dir = Recordings.Dir(name);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "linux.json")));
        var ours = Run(Arguments(doc.RootElement, withHotplug: false), name);
        AssertLines(name + " boot dmesg", Dmesg(File.ReadAllLines(Path.Combine(dir, "boot.dmesg.txt"))), Split(ours["kernel-log"]));
        AssertLines(name + " boot iomem", Proc(File.ReadAllLines(Path.Combine(dir, "boot.iomem.txt"))), Proc(Split(ours["iomem"])));
        AssertLines(name + " boot ioports", Proc(File.ReadAllLines(Path.Combine(dir, "boot.ioports.txt"))), Proc(Split(ours["ioports"])));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Hotplug_EqualsRecordedDmesgIomemIoportsAndVerdict(string name)
    {
        var dir = Recordings.Dir(name);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "linux.json")));
        var ours = Run(Arguments(doc.RootElement, withHotplug: true), name);
        var expected = Dmesg(File.ReadAllLines(Path.Combine(dir, "boot.dmesg.txt"))).ToList();
        expected.AddRange(Dmesg(File.ReadAllLines(Path.Combine(dir, "hotplug0.dmesg.txt"))).Skip(expected.Count));
        AssertLines(name + " hot-plug dmesg", expected, Split(ours["kernel-log"]));
        AssertLines(name + " hot-plug iomem", Proc(File.ReadAllLines(Path.Combine(dir, "hotplug0.iomem.txt"))), Proc(Split(ours["iomem"])));
        AssertLines(name + " hot-plug ioports", Proc(File.ReadAllLines(Path.Combine(dir, "hotplug0.ioports.txt"))), Proc(Split(ours["ioports"])));
        var ok = doc.RootElement.GetProperty("hotplug")[0].GetProperty("outcome").GetProperty("all_bars_assigned").GetBoolean();
        Assert.EndsWith(ok ? ": ok" : ": fails", ours["hotplug"].TrimEnd('\n'), StringComparison.Ordinal);
    }

    private static string[] Split(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static void AssertLines(string what, IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        for (var i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            Assert.True(expected[i] == actual[i], $"{what}: line {i + 1}\n  expected: {expected[i]}\n  actual:   {actual[i]}");
        }
        Assert.True(expected.Count == actual.Count, $"{what}: {expected.Count} lines expected, {actual.Count} printed\n{string.Join('\n', actual)}");
    }

    private static IReadOnlyList<string> Dmesg(IEnumerable<string> lines) =>
        lines.Select(l => Timestamp().Replace(l, string.Empty))
            .Where(l => l.StartsWith("pci ", StringComparison.Ordinal) || l.StartsWith("pci_bus ", StringComparison.Ordinal)
                        || l.StartsWith("pcieport ", StringComparison.Ordinal) || l.StartsWith("shpchp", StringComparison.Ordinal)
                        || l.StartsWith("acpiphp", StringComparison.Ordinal) || l.StartsWith("PCI: No. ", StringComparison.Ordinal))
            .ToArray();

    /// <summary>The PCI entries of /proc/iomem or /proc/ioports (host bridge windows, bridge windows, BDF-owned ranges).</summary>
    private static IReadOnlyList<string> Proc(IEnumerable<string> lines) => lines.Where(l => ProcPci().IsMatch(l)).ToArray();

    [GeneratedRegex(@"^\[\s*\d+\.\d+\] ")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"^\s*[0-9a-f]+-[0-9a-f]+ : (PCI Bus [0-9a-f]{4}:[0-9a-f]{2}|[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])$")]
    private static partial Regex ProcPci();
}
