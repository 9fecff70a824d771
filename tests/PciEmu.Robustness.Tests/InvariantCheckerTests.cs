using PciEmu.Core;
using PciEmu.Platform;
using PciEmu.Scenarios.Checking;
using static PciEmu.Robustness.Tests.CheckerHarness;

namespace PciEmu.Robustness.Tests;

/// <summary>
/// The invariant checker holds on clean boots and catches each kind of breakage when a guest-style config write
/// (setpci through the kernel's accessor) or a known firmware limitation breaks it.
/// </summary>
public class InvariantCheckerTests
{
    private const string Q35Mixed = """
        -M q35
        -nodefaults
        -device pcie-root-port,id=rp1,chassis=1,addr=4.0,mem-reserve=64M,io-reserve=8K,bus-reserve=3
        -device e1000e,bus=rp1
        -device pcie-root-port,id=rp2,chassis=2,addr=5.0
        -device x3130-upstream,id=up,bus=rp2
        -device xio3130-downstream,id=dp1,bus=up,chassis=3,slot=1
        -device virtio-net-pci,bus=dp1
        -device pcie-root-port,id=rp3,chassis=4,addr=6.0
        -device pci-bridge,id=br,chassis_nr=5,addr=7.0
        -device e1000,bus=br,addr=2
        -device e1000,addr=8.0
        firmware seabios
        kernel linux
        device_add pci-testdev,id=hp,bus=rp3,membar=1M
        """;

    private const string PcTwoNics = """
        -M pc
        -nodefaults
        -device e1000,addr=3
        -device e1000,addr=4
        -device pci-bridge,id=br,chassis_nr=1,addr=5,mem-reserve=32M
        -device e1000,bus=br,addr=1
        """;

    [Fact]
    public void CleanBoots_HoldEveryInvariant()
    {
        Assert.Empty(Check(Boot(Q35Mixed)));
        Assert.Empty(Check(Boot(PcTwoNics)));
    }

    [Fact]
    public void NoFirmware_ResetState_HoldsEveryInvariant()
    {
        var settings = new PciEmu.Scenarios.Running.RunSettings();
        var scenario = PciEmu.Scenarios.Running.ScenarioOptions.CreateParser(settings).ParseText(PcTwoNics, "t");
        var runner = PciEmu.Scenarios.Running.ScenarioRunner.Run(new() { Scenario = scenario });
        Assert.Empty(Check(runner));
    }

    [Fact]
    public void BarMovedOntoAnother_IsAnOverlap()
    {
        var r = Boot(PcTwoNics);
        var first = Bar(r, "00:03.0", 0).Address!.Value;
        Setpci(r, $"-s 00:04.0 BASE_ADDRESS_0={first:x}");
        var v = Check(r);
        Assert.Contains(v, x => x.Rule == InvariantRules.Overlap && x.Message.Contains("00:04.0 BAR0", StringComparison.Ordinal));
        Assert.Contains(v, x => x.Rule == InvariantRules.KernelConfig && x.Message.Contains("00:04.0 BAR0", StringComparison.Ordinal));
    }

    [Fact]
    public void BarMovedOutsideItsBridgeWindow_IsNotContained()
    {
        var r = Boot(PcTwoNics);
        var outside = BridgeRanges.Memory(Function(r, "00:05.0")).Base - 0x100000;
        Setpci(r, $"-s 01:01.0 BASE_ADDRESS_0={outside:x}");
        Assert.Contains(Check(r), x => x.Rule == InvariantRules.Containment && x.Message.Contains("01:01.0 BAR0", StringComparison.Ordinal));
    }

    [Fact]
    public void SubordinateBelowSecondary_BreaksBusRanges()
    {
        var r = Boot(Q35Mixed);
        Setpci(r, "-s 00:05.0 SUBORDINATE_BUS=0");
        Assert.Contains(Check(r), x => x.Rule == InvariantRules.BusRange && x.Message.Contains("00:05.0", StringComparison.Ordinal));
    }

    [Fact]
    public void WindowShrunkBelowTheReservationCap_BreaksTheCapPromise()
    {
        var r = Boot(Q35Mixed);
        var bas = Function(r, "00:04.0").Word(Type1Header.MemoryBase.Offset);
        Setpci(r, $"-s 00:04.0 MEMORY_LIMIT={bas:x}");
        Assert.Contains(Check(r), x => x.Rule == InvariantRules.ReserveCap && x.Message.Contains("mem-reserve=0x4000000", StringComparison.Ordinal));
    }

    [Fact]
    public void ReservationCap_IsReadFromConfigSpace_AndHonoured()
    {
        var r = Boot(Q35Mixed);
        var rp = Function(r, "00:04.0");
        Assert.True(BridgeRanges.Memory(rp).Size >= 64UL << 20);
        Assert.True(BridgeRanges.Io(rp).Size >= 8UL << 10);
        Assert.True(rp.SubordinateBus >= rp.SecondaryBus + 3);
    }

    [Fact]
    public void SeaBiosUnalignedIoReserve_OverlapsTheSiblings()
    {
        // SeaBIOS 1.16.2 does not align I/O reservations (pci_bios_check_devices): a 2K window on a PCIe port gets
        // 4K-aligned, then siblings go into the other half of the 4K block the port decodes. Linux reassigns them.
        const string topology = """
            -M q35
            -nodefaults
            -device pcie-root-port,id=rp,chassis=1,addr=3.0,io-reserve=2K
            -device e1000,addr=4.0
            -device e1000,addr=5.0
            """;
        Assert.Contains(Check(Boot(topology, kernel: false)), x => x.Rule == InvariantRules.Overlap && x.Message.Contains("00:03.0 io window", StringComparison.Ordinal) && !x.IsKnown);
        Assert.Contains(Check(Boot(topology)), x => x.Rule == InvariantRules.FirmwareKernel && x.Message.Contains("00:04.0 BAR1", StringComparison.Ordinal) && !x.IsKnown);
    }

    [Fact]
    public void ReadOnlyIoWindow_IsKnownUpstreamBehaviour()
    {
        var r = Boot("""
            -M q35
            -nodefaults
            -device pcie-root-port,id=rp,chassis=1,addr=4.0,io-reserve=0
            -device e1000e,bus=rp
            """);
        var v = Check(r);
        Assert.NotEmpty(v);
        Assert.All(v, x => Assert.Equal(PciEmu.Scenarios.Checking.InvariantChecker.ReadOnlyIoWindow, x.KnownUpstream));
        Assert.Empty(PciEmu.Scenarios.Checking.InvariantChecker.Failures(v));
    }

    [Fact]
    public void MoreThan256Buses_SeaBiosBusCounterWraps_BreaksBusRanges()
    {
        // QEMU accepts the topology; SeaBIOS 1.16.2's u8 pci_bus wraps, so bus ranges repeat.
        var devices = string.Concat(Enumerable.Range(1, 30).Select(i => $"-device pcie-root-port,id=rp{i},chassis={i},bus-reserve=10\n"));
        var r = Boot("-M q35\n-nodefaults\n" + devices);
        Assert.False(r.FirmwareFailed);
        Assert.Contains(Check(r), x => x.Rule == InvariantRules.BusRange);
    }
}
