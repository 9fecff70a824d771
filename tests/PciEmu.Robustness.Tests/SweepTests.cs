using PciEmu.Cli;
using PciEmu.Scenarios.Checking;
using PciEmu.Scenarios.Generation;
using Xunit.Abstractions;

namespace PciEmu.Robustness.Tests;

/// <summary>
/// Seeded random topologies (the CI sweep): firmware + kernel + a random hot-plug on each, every invariant checked;
/// SeaBIOS out-of-space panics are outcomes (with SeaBIOS's own text), anything else failing is a failure.
/// </summary>
public class SweepTests(ITestOutputHelper output)
{
    /// <summary>The CI sweep: seeds 1..2000 (about 10-20 s on 2 cores).</summary>
    public const int CiSeeds = 2000;
    private const int FirstSeed = 1;

    private static readonly string[] Drivers =
    [
        "pci-bridge", "pcie-root-port", "pcie-pci-bridge", "x3130-upstream", "xio3130-downstream", "ioh3420",
        "pci-testdev", "e1000", "e1000e", "virtio-net-pci", "virtio-rng-pci",
    ];

    private static readonly string[] Properties =
    [
        "chassis_nr=", "shpc=off", "chassis=", "slot=", "hotplug=off", "bus-reserve=", "io-reserve=", "mem-reserve=",
        "pref32-reserve=", "pref64-reserve=", "membar=",
    ];

    private static readonly Lazy<List<SweepCase>> Ci = new(() => [.. Enumerable.Range(FirstSeed, CiSeeds).Select(SweepRunner.RunOne)]);

    [Fact]
    public void Sweep_CiSeeds_HaveNoFailures()
    {
        var cases = Ci.Value;
        foreach (var g in cases.GroupBy(c => c.Outcome)) output.WriteLine($"{g.Key}: {g.Count()}");
        var failures = cases.Where(c => c.IsFailure).ToList();
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(3).Select(f => f.ToScenarioText())));
        Assert.Contains(cases, c => c.Outcome == SweepOutcome.Ok);
        Assert.Contains(cases, c => c.HotplugOk == true);
    }

    [Fact]
    public void Sweep_FirmwarePanics_AreSeaBiosOwnTexts()
    {
        var panics = Ci.Value.Where(c => c.Outcome == SweepOutcome.FirmwarePanic).ToList();
        Assert.NotEmpty(panics);
        Assert.All(panics, p => Assert.Contains(p.Details[0], SweepRunner.SeaBiosOutOfSpacePanics));
    }

    /// <summary>
    /// The class of conformance random/fw-010: nested bridges with a rewinding bus-reserve loop SeaBIOS's bus numbering
    /// until its stack overflows. The generator draws such topologies, so a regression (a .NET stack overflow would
    /// abort the whole test run) is found again; each is reported as the known upstream hang, never as a crash.
    /// </summary>
    [Fact]
    public void Sweep_FindsBusNumberingLoops_AsKnownFirmwareHangs()
    {
        var hangs = Ci.Value.Where(c => c.Outcome == SweepOutcome.FirmwareHang).ToList();
        Assert.NotEmpty(hangs);
        Assert.All(hangs, h => Assert.True(h.Topology.RewindsBusCounter));
        Assert.All(hangs, h => Assert.StartsWith($"{InvariantRules.FirmwareFinishes}: SeaBIOS died: pci_bios_init_bus_rec recursed", h.Details[0], StringComparison.Ordinal));
        Assert.All(hangs, h => Assert.Contains(InvariantChecker.BusNumberingLoop, h.Details[0], StringComparison.Ordinal));
        Assert.Contains(hangs, h => h.Topology.Devices.Count(d => d.StartsWith("pci-bridge,", StringComparison.Ordinal)) >= 3);
    }

    [Fact]
    public void Generator_CoversEveryDriverAndProperty_WithinDepthAndBusLimits()
    {
        var topologies = Ci.Value.Select(c => c.Topology).ToList();
        var lines = topologies.SelectMany(t => t.Devices.Append(t.HotplugDevice ?? string.Empty)).ToList();
        foreach (var d in Drivers) Assert.Contains(lines, l => l.StartsWith(d + ",", StringComparison.Ordinal));
        foreach (var p in Properties) Assert.Contains(lines, l => l.Contains("," + p, StringComparison.Ordinal));
        Assert.Contains(topologies, t => t.Machine == "pc");
        Assert.Contains(topologies, t => t.Machine == "q35");
        Assert.All(topologies, t => Assert.InRange(t.Depth, 0, RandomTopologyGenerator.MaxDepth));
        Assert.All(topologies, t => Assert.InRange(t.Buses, 1, RandomTopologyGenerator.MaxBuses));
        Assert.Contains(topologies, t => t.Depth == RandomTopologyGenerator.MaxDepth);
        Assert.Contains(topologies, t => t.Buses > 100);
    }

    /// <summary>Found by the 100,000 sweep: Linux undoes a reserved I/O window below an io-reserve=0 port.</summary>
    [Fact]
    public void Seed8741_ReservationUndoneBelowReadOnlyIoWindow_IsKnownUpstream()
    {
        var c = SweepRunner.Run(RandomTopologyGenerator.Generate(8741, rewindingBusReservePercent: 0));
        Assert.Equal(SweepOutcome.KnownUpstream, c.Outcome);
        Assert.Contains(c.Details, d => d.StartsWith("reserve-cap: bridge 02:01.0: io-reserve=0x2000", StringComparison.Ordinal));
    }

    /// <summary>Found by the 100,000 sweep: a BAR Linux fails to reassign below an io-reserve=0 port keeps its stale value.</summary>
    [Fact]
    public void Seed3857_StaleIoBarBelowReadOnlyIoWindow_IsKnownUpstream()
    {
        var c = SweepRunner.Run(RandomTopologyGenerator.Generate(3857, rewindingBusReservePercent: 0));
        Assert.Equal(SweepOutcome.KnownUpstream, c.Outcome);
        Assert.Contains(c.Details, d => d.StartsWith("containment: 0e:01.0 BAR1 [io 0x1400-0x143f]", StringComparison.Ordinal));
    }

    /// <summary>Found by the 100,000 sweep: that stale I/O BAR collides with one Linux did assign.</summary>
    [Fact]
    public void Seed28278_StaleIoBarOverlapBelowReadOnlyIoWindow_IsKnownUpstream()
    {
        var c = SweepRunner.Run(RandomTopologyGenerator.Generate(28278, rewindingBusReservePercent: 0));
        Assert.Equal(SweepOutcome.KnownUpstream, c.Outcome);
        Assert.Contains(c.Details, d => d.StartsWith("overlap: bus 05: 05:1d.0 BAR1 [io 0x2400-0x24ff]", StringComparison.Ordinal));
    }

    [Fact]
    public void Generator_IsDeterministic()
    {
        Assert.Equal(RandomTopologyGenerator.Generate(42).ToScenarioText(), RandomTopologyGenerator.Generate(42).ToScenarioText());
        Assert.NotEqual(RandomTopologyGenerator.Generate(42).ToScenarioText(), RandomTopologyGenerator.Generate(43).ToScenarioText());
    }

    [Fact]
    public void ScenarioFile_ReproducesTheOutcome_ThroughPciemuRun()
    {
        var dir = Directory.CreateTempSubdirectory("pciemu-sweep-").FullName;
        try
        {
            var ok = Ci.Value.First(c => c.Outcome == SweepOutcome.Ok);
            var panic = Ci.Value.First(c => c.Outcome == SweepOutcome.FirmwarePanic);
            var hang = Ci.Value.First(c => c.Outcome == SweepOutcome.FirmwareHang);
            var (okCode, okOut, _) = RunFile(dir, ok);
            Assert.Equal(ExitCodes.Ok, okCode);
            Assert.Contains("invariants: ok", okOut, StringComparison.Ordinal);
            var (panicCode, _, panicErr) = RunFile(dir, panic);
            Assert.Equal(ExitCodes.FirmwareFailure, panicCode);
            Assert.Equal(panic.Details[0] + "\n", panicErr);
            var (hangCode, _, hangErr) = RunFile(dir, hang);
            Assert.Equal(ExitCodes.FirmwareFailure, hangCode);
            Assert.Contains("pci_bios_init_bus_rec recursed", hangErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void SweepCommand_PrintsASummary_AndExitsZero()
    {
        var dir = Path.Combine(Path.GetTempPath(), "pciemu-sweep-" + Guid.NewGuid().ToString("N"));
        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter { NewLine = "\n" };
        var code = PciEmuCli.Run(["sweep", "--seed", "7", "--count", "25", "--out", dir], o, e);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("sweep: seeds 7..31, 25 topologies", o.ToString(), StringComparison.Ordinal);
        Assert.Contains("sweep: no failures", o.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));
    }

    private static (int Code, string Out, string Err) RunFile(string dir, SweepCase c)
    {
        var path = Path.Combine(dir, $"seed-{c.Topology.Seed}.pciemu");
        File.WriteAllText(path, c.ToScenarioText());
        var o = new StringWriter { NewLine = "\n" };
        var e = new StringWriter { NewLine = "\n" };
        var code = PciEmuCli.Run(["run", path, "--check"], o, e);
        return (code, o.ToString(), e.ToString());
    }
}
