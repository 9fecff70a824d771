using PciEmu.Testing;
using System.Diagnostics;
using System.Text.RegularExpressions;
using PciEmu.Core;
using PciEmu.Platform;
using PciEmu.Scenarios.Reports;
using PciEmu.Scenarios.Topology;
using Xunit.Abstractions;

namespace PciEmu.Scenarios.Tests;

/// <summary>
/// Our lspci -xxxx dump read back by the real pciutils (lspci -F), when lspci is on PATH: the listing, the tree and
/// -vvv (every capability line, PCIe v2 registers, AER, ACS included) must equal ours, except what a dump cannot carry.
/// Without pciutils the test says so and returns.
/// </summary>
public sealed class LspciInteropTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pciemu-lspci-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

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

    /// <summary>Every PCIe model: root ports, ioh3420, a switch, the PCIe-to-PCI bridge, PCIe endpoints.</summary>
    private const string Q35PcieTopology = """
        -M q35
        -nodefaults
        -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=2.0,multifunction=on
        -device ioh3420,id=rp2,bus=pcie.0,chassis=2,addr=2.1
        -device pcie-root-port,id=rp3,bus=pcie.0,chassis=3,addr=2.2
        -device pcie-root-port,id=rp4,bus=pcie.0,chassis=4,addr=2.3
        -device pcie-root-port,id=rp5,bus=pcie.0,chassis=5,addr=2.4
        -device virtio-net-pci,bus=rp1
        -device x3130-upstream,id=up1,bus=rp2
        -device xio3130-downstream,id=dn1,bus=up1,chassis=6
        -device e1000e,bus=dn1
        -device pcie-pci-bridge,id=pb,bus=rp3
        -device pci-testdev,bus=pb,addr=1
        -device virtio-rng-pci,bus=rp4
        -device pci-testdev,bus=rp5
        -device VGA
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
        { "q35-pcie", Q35PcieTopology },
        { "q35-before-firmware", Q35Topology },
        { "q35-pcie-before-firmware", Q35PcieTopology },
        { "pc-before-firmware", PcTopology },
    };

    private static readonly Regex SizeSuffix = new(@" \[size=[^\]]+\]$", RegexOptions.Compiled);
    private static readonly Regex RegionLine = new(@"^\tRegion (\d+): ", RegexOptions.Compiled);

    /// <summary>
    /// An -vvv listing reduced to what lspci can know from a dump: no BAR/ROM sizes (so no BAR lspci cannot tell is
    /// registered: "&lt;unassigned&gt;" lines go on both sides), no decode of QEMU's reservation capability (real lspci
    /// prints "Len=.. &lt;?&gt;"), and not the upper half of a 64-bit BAR, which lspci reads from the dump as a BAR of
    /// its own (its low bit set by an address above 4 GiB makes it "I/O ports at 0000"; sysfs flags hide it).
    /// </summary>
    private static List<string> ReadableFromDump(string listing, bool ours)
    {
        var lines = new List<string>();
        var previous64 = -1;
        foreach (var raw in listing.Split('\n'))
        {
            var line = SizeSuffix.Replace(raw, string.Empty);
            var region = RegionLine.Match(line);
            var upperHalf = region.Success && int.Parse(region.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) == previous64 + 1
                && line.EndsWith(": I/O ports at 0000", StringComparison.Ordinal);
            previous64 = region.Success && line.Contains("(64-bit", StringComparison.Ordinal) ? int.Parse(region.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
            if (line.Contains("<unassigned>", StringComparison.Ordinal) || (!ours && upperHalf)) continue;
            if (ours && line.StartsWith("\t\tBus: ", StringComparison.Ordinal)) continue;
            if (ours) line = Regex.Replace(line, @"QEMU resource reservation, Len=(\w+)$", "Len=$1 <?>");
            lines.Add(line);
        }
        return lines;
    }

    /// <summary>Builds the topology and numbers every bridge's buses depth first in slot order, as firmware would.</summary>
    private static Machine BuildProgrammed(string name, string scenario)
    {
        var m = new TopologyParser().ParseText(scenario, "interop").Build(DevicesCatalog.Instance);
        if (name.EndsWith("before-firmware", StringComparison.Ordinal)) return m;
        if (m.Type.Kind == MachineKind.Q35) m.Cf8.Write32(new Bdf(0, 0, 0), 0x60, 0xb0000001);
        var next = 1;
        void Number(int busNumber, BusSnapshot bus)
        {
            foreach (var f in bus.Functions.Where(f => f.IsBridgeHeader))
            {
                var bridge = new Bdf(busNumber, f.Slot, f.Function);
                var secondary = next++;
                m.Cf8.Write8(bridge, Type1Header.SecondaryBus.Offset, (byte)secondary);
                m.Cf8.Write8(bridge, Type1Header.SubordinateBus.Offset, byte.MaxValue);
                if (f.Secondary is { } below) Number(secondary, below);
                m.Cf8.Write8(bridge, Type1Header.SubordinateBus.Offset, (byte)(next - 1));
            }
        }
        Number(0, m.Snapshot().Root);
        return m;
    }

    [SkippableFact]
    public void LspciTree_UnconfiguredBridge_MatchesRealLspci()
    {
        var lspci = Oracles.RequireLspci();
        var m = new TopologyParser().ParseText("-M pc\n-nodefaults\n-device pci-bridge,id=br1,chassis_nr=1\n-device pci-testdev,bus=br1\n").Build(DevicesCatalog.Instance);
        var dump = Path.Combine(_dir, "unconfigured.txt");
        File.WriteAllText(dump, LspciReport.RenderDump(m.Snapshot()));
        Assert.Equal(TreeReport.Render(m.Snapshot()), Run(lspci, "-F", dump, "-tv"));
        Assert.Equal(LspciReport.Render(m.Snapshot()), Run(lspci, "-F", dump, "-nn"));
    }

    [SkippableTheory]
    [MemberData(nameof(Topologies))]
    public void LspciDump_ReadBackByRealLspci_MatchesOurViews(string name, string topology)
    {
        var lspci = Oracles.RequireLspci();
        var snapshot = BuildProgrammed(name, topology).Snapshot();
        var dump = Path.Combine(_dir, "dump.txt");
        File.WriteAllText(dump, LspciReport.RenderDump(snapshot));

        Assert.Equal(LspciReport.Render(snapshot), Run(lspci, "-F", dump, "-nn"));
        Assert.Equal(TreeReport.Render(snapshot), Run(lspci, "-F", dump, "-tv"));

        var vvv = Run(lspci, "-F", dump, "-nn", "-vvv");
        output.WriteLine(vvv);
        // (Before firmware numbers the buses, the PCIe topology's virtio devices are unreachable behind their ports.)
        if (name != "q35-pcie-before-firmware") Assert.Contains("Vendor Specific Information: VirtIO: CommonCfg", vvv, StringComparison.Ordinal);
        if (name == "q35")
        {
            Assert.Contains("00:02.0 PCI bridge [0604]: Red Hat, Inc. QEMU PCIe Root port [1b36:000c]", vvv, StringComparison.Ordinal);
            Assert.Contains("02:00.0 Unclassified device [00ff]: Red Hat, Inc. QEMU PCI Test Device [1b36:0005]", vvv, StringComparison.Ordinal);
            Assert.Contains("Express (v2) Root Port (Slot+), MSI 00", vvv, StringComparison.Ordinal);
            Assert.Contains("Capabilities: [100 v2] Advanced Error Reporting", vvv, StringComparison.Ordinal);
        }
        if (name == "q35-pcie")
        {
            Assert.Contains("\t\tDevCap2: Completion Timeout: Not Supported, TimeoutDis- NROPrPrP- LTR-", vvv, StringComparison.Ordinal);
            Assert.Contains("\t\tLnkCap2: Supported Link Speeds: 2.5-16GT/s, Crosslink- Retimer- 2Retimers- DRS-", vvv, StringComparison.Ordinal);
            Assert.Contains("\t\tACSCap:\tSrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans+", vvv, StringComparison.Ordinal);
            Assert.Contains("PCI-Express to PCI/PCI-X Bridge", vvv, StringComparison.Ordinal);
            Assert.Contains("Downstream Port (Slot+)", vvv, StringComparison.Ordinal);
        }

        // Our -vvv is lspci's, exactly, once both are reduced to what a dump can carry (ReadableFromDump).
        Assert.Equal(ReadableFromDump(LspciVerboseReport.Render(snapshot), ours: true), ReadableFromDump(vvv, ours: false));
    }
}
