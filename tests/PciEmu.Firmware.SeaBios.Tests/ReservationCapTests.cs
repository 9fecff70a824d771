using PciEmu.Core;
using PciEmu.Firmware.SeaBios.Tests.Support;
using static PciEmu.Firmware.SeaBios.Tests.Support.TestMachine;

namespace PciEmu.Firmware.SeaBios.Tests;

/// <summary>pci_find_resource_reserve_capability and the reservation paths of numbering and sizing.</summary>
public class ReservationCapTests
{
    [Fact]
    public void Pref32AndPref64Both_LogConflictAndFallBackToTheDefault()
    {
        var m = Q35();
        m.Root.Plug(DevFn(4), new TestRootPort(new ReserveCap(Pref32: 16 << 20, Pref64: 64 << 20)));
        var r = m.Run();

        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: resource reserve cap PREF32 and PREF64 conflict",
            "PCI: secondary bus 1 size 00200000 type prefmem");
    }

    [Fact]
    public void ShortCapability_IsRejectedWithItsLength()
    {
        var m = Q35();
        m.Root.Plug(DevFn(4), new TestRootPort(new ReserveCap(BusRes: 3), reserveLength: 16));
        var r = m.Run();

        Assert.Equal(2, r.PciSetupLog.Count(l => l == "PCI: QEMU resource reserve cap length 16 is invalid"));
        Assert.Contains("PCI: subordinate bus = 0x0 -> 0x1", r.PciSetupLog);
    }

    [Fact]
    public void OverflowingBusReserve_IsInvalidAndRewindsToZero()
    {
        var m = Q35();
        m.Root.Plug(DevFn(4), new TestRootPort(new ReserveCap(BusRes: 255)));
        var r = m.Run();

        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: pci_bios_init_bus_rec bus = 0x1",
            "PCI: bus_reserve value 255 is invalid",
            "PCI: subordinate bus = 0x0 -> 0x0");
        Assert.Equal((byte)0, ((PciBridgeFunction)m.Function("00:04.0")).SubordinateBus);
    }

    [Fact]
    public void ReservationSmallerThanTheDefault_IsSilentlyIgnored()
    {
        var m = Q35();
        m.Root.Plug(DevFn(4), new TestRootPort(new ReserveCap(Mem: 1 << 20)));
        var r = m.Run();

        Assert.Contains("PCI: secondary bus 1 size 00200000 type mem", r.PciSetupLog);
        Assert.DoesNotContain(r.PciSetupLog, l => l.StartsWith("PCI: QEMU resource reserve cap: size", StringComparison.Ordinal));
    }

    [Fact]
    public void NonQemuBridge_IsSilentAtLevel1_AndUpstreamPortIsNotHotplug()
    {
        var m = Q35();
        m.Root.Plug(DevFn(4), new TestRootPort(vendor: 0x104c, deviceId: 0x8232, portType: 5));
        var r = m.Run();

        Assert.DoesNotContain(r.PciSetupLog, l => l.Contains("resource reserve cap", StringComparison.Ordinal));
        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: secondary bus 1 size 00000000 type io",
            "PCI: secondary bus 1 size 00000000 type mem",
            "PCI: secondary bus 1 size 00000000 type prefmem");
    }

    [Fact]
    public void BridgeWithoutPrefWindow_GetsNoPrefEntryAndKeepsTheProbeValue()
    {
        var m = Pc();
        var bridge = new TestPciBridge(shpc: false);
        m.Root.Plug(DevFn(5), bridge);
        // A bridge without a prefetchable window: make 0x24..0x2f read-only zero.
        bridge.Config.SetWriteMask(0x24, 4, 0);
        bridge.Config.SetLong(0x24, 0);
        var r = m.Run();

        Assert.DoesNotContain("PCI: secondary bus 1 size 00000000 type prefmem", r.PciSetupLog);
        Assert.Contains("PCI: secondary bus 1 size 00000000 type mem", r.PciSetupLog);
    }
}
