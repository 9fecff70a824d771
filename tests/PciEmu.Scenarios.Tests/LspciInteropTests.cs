using System.Diagnostics;
using System.Text.RegularExpressions;
using PciEmu.Core;
using PciEmu.Platform;
using PciEmu.Scenarios.Reports;
using PciEmu.Scenarios.Topology;
using Xunit.Abstractions;

namespace PciEmu.Scenarios.Tests;

/// <summary>
/// Our lspci -xxxx dump read back by the real pciutils (lspci -F), when lspci is on PATH: the listing and the tree
/// must equal ours, and -vvv must decode the capabilities we put there. Without pciutils the test says so and returns.
/// </summary>
public sealed class LspciInteropTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pciemu-lspci-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string? FindLspci()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var p = Path.Combine(dir, "lspci");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    private static string Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return stdout;
    }

    private const string Q35Topology = """
        -M q35
        -nodefaults
        -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=2.0,multifunction=on,pref64-reserve=1G
        -device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,addr=2.1
        -device pci-testdev,bus=rp1,membar=4M
        -device e1000e,bus=rp2
        -device pci-bridge,id=br1,chassis_nr=3
        -device pci-testdev,bus=br1,addr=1
        -device virtio-rng-pci
        """;

    private const string PcTopology = """
        -M pc
        -device virtio-net-pci
        -device pci-bridge,id=br1,chassis_nr=1,addr=6
        -device pci-testdev,bus=br1,addr=3,membar=1M
        """;

    public static TheoryData<string, string> Topologies() => new()
    {
        { "q35", Q35Topology },
        { "pc", PcTopology },
        { "q35-before-firmware", Q35Topology },
        { "pc-before-firmware", PcTopology },
    };

    /// <summary>Builds the topology and numbers the buses below every root-bus bridge in slot order, as firmware would.</summary>
    private static Machine BuildProgrammed(string name, string scenario)
    {
        var m = new TopologyParser().ParseText(scenario, "interop").Build(DevicesCatalog.Instance);
        if (name.EndsWith("before-firmware", StringComparison.Ordinal)) return m;
        if (m.Type.Kind == MachineKind.Q35) m.Cf8.Write32(new Bdf(0, 0, 0), 0x60, 0xb0000001);
        byte next = 1;
        foreach (var f in m.Snapshot().Root.Functions.Where(f => f.IsBridgeHeader))
        {
            var bridge = new Bdf(0, f.Slot, f.Function);
            m.Cf8.Write8(bridge, Type1Header.SecondaryBus.Offset, next);
            m.Cf8.Write8(bridge, Type1Header.SubordinateBus.Offset, next);
            next++;
        }
        return m;
    }

    [Fact]
    public void LspciTree_UnconfiguredBridge_MatchesRealLspci()
    {
        var lspci = FindLspci();
        if (lspci is null)
        {
            output.WriteLine("SKIPPED: lspci (pciutils) is not on PATH.");
            return;
        }
        var m = new TopologyParser().ParseText("-M pc\n-nodefaults\n-device pci-bridge,id=br1,chassis_nr=1\n-device pci-testdev,bus=br1\n").Build(DevicesCatalog.Instance);
        var dump = Path.Combine(_dir, "unconfigured.txt");
        File.WriteAllText(dump, LspciReport.RenderDump(m.Snapshot()));
        Assert.Equal(TreeReport.Render(m.Snapshot()), Run(lspci, "-F", dump, "-tv"));
        Assert.Equal(LspciReport.Render(m.Snapshot()), Run(lspci, "-F", dump, "-nn"));
    }

    [Theory]
    [MemberData(nameof(Topologies))]
    public void LspciDump_ReadBackByRealLspci_MatchesOurViews(string name, string topology)
    {
        var lspci = FindLspci();
        if (lspci is null)
        {
            output.WriteLine("SKIPPED: lspci (pciutils) is not on PATH; install Debian's pciutils to run this check.");
            return;
        }
        var snapshot = BuildProgrammed(name, topology).Snapshot();
        var dump = Path.Combine(_dir, "dump.txt");
        File.WriteAllText(dump, LspciReport.RenderDump(snapshot));

        Assert.Equal(LspciReport.Render(snapshot), Run(lspci, "-F", dump, "-nn"));
        Assert.Equal(TreeReport.Render(snapshot), Run(lspci, "-F", dump, "-tv"));

        var vvv = Run(lspci, "-F", dump, "-nn", "-vvv");
        output.WriteLine(vvv);
        Assert.Contains("Vendor Specific Information: VirtIO: CommonCfg", vvv, StringComparison.Ordinal);
        if (name == "q35")
        {
            Assert.Contains("00:02.0 PCI bridge [0604]: Red Hat, Inc. QEMU PCIe Root port [1b36:000c]", vvv, StringComparison.Ordinal);
            Assert.Contains("02:00.0 Unclassified device [00ff]: Red Hat, Inc. QEMU PCI Test Device [1b36:0005]", vvv, StringComparison.Ordinal);
            Assert.Contains("Express (v2) Root Port (Slot+), MSI 00", vvv, StringComparison.Ordinal);
            Assert.Contains("Capabilities: [100 v2] Advanced Error Reporting", vvv, StringComparison.Ordinal);
        }

        // Our -vvv is lspci's, line for line, in order, except what a dump cannot tell lspci (BAR sizes, the
        // reservation capability) and the PCIe v2 registers (DevCap2 ...) we do not render.
        var real = vvv.Split('\n');
        var at = 0;
        foreach (var raw in LspciVerboseReport.Render(snapshot).Split('\n'))
        {
            var line = raw;
            if (line.StartsWith("\tRegion ", StringComparison.Ordinal) || line.StartsWith("\tExpansion ROM", StringComparison.Ordinal))
                line = Regex.Replace(line, @" \[size=[^\]]+\]$", string.Empty);
            if (line.Contains("QEMU resource reservation", StringComparison.Ordinal)) line = Regex.Replace(line, @"QEMU resource reservation, Len=(\w+)", "Len=$1 <?>");
            // lspci skips a BAR whose register is 0 when it has no size (a dump); we know it is registered.
            if (line.StartsWith("\t\tBus: ", StringComparison.Ordinal) || line.Contains("at <unassigned>", StringComparison.Ordinal)) continue;
            var found = Array.IndexOf(real, line, at);
            Assert.True(found >= 0, $"line not in lspci's output (after line {at}): '{line}'");
            at = found + 1;
        }
    }
}
