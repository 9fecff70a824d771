using PciEmu.Firmware.SeaBios.Tests.Support;
using static PciEmu.Firmware.SeaBios.Tests.Support.TestMachine;

namespace PciEmu.Firmware.SeaBios.Tests;

/// <summary>
/// A QEMU bus reservation no larger than the buses below rewinds pci_bios_init_bus_rec's counter; with a bridge
/// after it on the same bus the recursion never ends, and SeaBIOS dies when its 0x7000-byte POST stack runs out
/// (recorded: conformance random/fw-010). The port dies at the same depth instead of overflowing the .NET stack.
/// </summary>
public class BusLoopStackTests
{
    private static SeaBiosResult Run(string machine, params string[] devices) =>
        ConformanceRunner.Run(new ConformanceCase("synthetic", "", machine, 128 * MiB, devices, FirmwareOnly: false)).Result;

    [Fact]
    public void StackModel_FitsTheRecordedDepth()
    {
        // random/fw-010's log stops in the entry dprintf of the 984th nested call: 983 fit.
        Assert.Equal(983, SeaBiosStack.MaxBusRecLevels);
        Assert.True(984 * SeaBiosStack.BusRecFrame <= SeaBiosStack.StackSize);
        Assert.True(984 * (SeaBiosStack.BusRecFrame + 4) > SeaBiosStack.StackSize, "a 32-byte frame could not hold 984 levels");
    }

    [Theory]
    [InlineData("pc", "pci.0")]
    [InlineData("q35", "pcie.0")]
    public void RewindBehindNestedBridges_HangsAtTheStackLimit_NamingTheLoop(string machine, string root)
    {
        var r = Run(machine,
            $"pci-bridge,id=b1,bus={root},addr=0x1e,chassis_nr=1",
            "pci-bridge,id=b2,bus=b1,addr=0x3,chassis_nr=2,bus-reserve=0",
            "pci-bridge,id=b3,bus=b2,addr=0x1,chassis_nr=3",
            "pci-bridge,id=b4,bus=b1,addr=0x5,chassis_nr=4");

        Assert.Equal(SeaBiosOutcomeKind.Hung, r.Outcome.Kind);
        Assert.True(r.Outcome.IsFailure);
        // Nesting when it died: calls entered minus calls returned (each return is followed by its bridge's "subordinate bus" line).
        var entered = r.PciSetupLog.Count(l => l.StartsWith("PCI: pci_bios_init_bus_rec bus = ", StringComparison.Ordinal));
        var returned = r.PciSetupLog.Count(l => l.StartsWith("PCI: subordinate bus = ", StringComparison.Ordinal));
        Assert.Equal(SeaBiosStack.MaxBusRecLevels + 1, entered - returned);
        Assert.StartsWith("PCI: pci_bios_init_bus_rec bus = ", r.PciSetupLog[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("=== PCI device probing ===", r.PciSetupLog);
        Assert.Contains("pci_bios_init_bus_rec", r.Outcome.Message, StringComparison.Ordinal);
        Assert.Contains("bridge 01:05.0 was given secondary bus 0x1", r.Outcome.Message, StringComparison.Ordinal);
        Assert.Contains("bridge 01:03.0's QEMU bus reservation", r.Outcome.Message, StringComparison.Ordinal);
        Assert.NotEmpty(r.BusCounterRewinds);
    }

    /// <summary>More nested bridges than bus numbers: the u8 counter wraps to bus 0, which is on every path.</summary>
    [Fact]
    public void NestingDeeperThanTheBusNumbers_WrapsIntoALoop_AndEndsAtTheStackLimit()
    {
        const int bridges = 300;
        var devices = Enumerable.Range(0, bridges)
            .Select(i => $"pci-bridge,id=b{i},bus={(i == 0 ? "pci.0" : $"b{i - 1}")},addr=0x{3 + i % 28:x},chassis_nr={i % 255 + 1},shpc=off")
            .ToArray();
        var r = Run("pc", devices);

        Assert.Equal(SeaBiosOutcomeKind.Hung, r.Outcome.Kind);
        Assert.Contains("was given secondary bus 0x0", r.Outcome.Message, StringComparison.Ordinal);
        Assert.Contains("more …", r.Outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReservationAboveTheBusesBelow_DoesNotRewind()
    {
        var r = Run("pc",
            "pci-bridge,id=b1,bus=pci.0,addr=0x1e,chassis_nr=1",
            "pci-bridge,id=b2,bus=b1,addr=0x3,chassis_nr=2,bus-reserve=3",
            "pci-bridge,id=b3,bus=b2,addr=0x1,chassis_nr=3",
            "pci-bridge,id=b4,bus=b1,addr=0x5,chassis_nr=4");

        Assert.True(r.Outcome.IsOk, r.Outcome.Message);
        Assert.Empty(r.BusCounterRewinds);
    }
}
