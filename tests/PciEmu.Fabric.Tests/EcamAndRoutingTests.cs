using PciEmu.Core;
using PciEmu.Testing;

namespace PciEmu.Fabric.Tests;

public class EcamTests
{
    [Fact]
    public void Ecam_Disabled_ReadsUnclaimedMemory()
    {
        var f = new TestFabric();
        Assert.Equal(0UL, f.Cpu.MmioRead(TestFabric.EcamBase, 4));
        Assert.Equal(0, f.Cpu.Stats.TotalConfigAccesses);
    }

    [Fact]
    public void Ecam_Enable_Resize_Move_Disable()
    {
        var f = new TestFabric();
        var bus255 = TestFabric.EcamBase + (255UL << 20);
        f.EnableEcam();
        Assert.Equal(0x29c08086UL, f.Cpu.MmioRead(TestFabric.EcamBase, 4));
        Assert.Equal(0xffffffffUL, f.Cpu.MmioRead(bus255, 4));
        // Resize to 64 MiB: bus 255 falls outside the window.
        f.Ecam.Update(true, TestFabric.EcamBase, 64UL << 20);
        Assert.Equal(0UL, f.Cpu.MmioRead(bus255, 4));
        Assert.Equal(0x29c08086UL, f.Cpu.MmioRead(TestFabric.EcamBase, 4));
        // Move to 0xe0000000.
        f.Ecam.Update(true, 0xe0000000, 256UL << 20);
        Assert.Equal(0UL, f.Cpu.MmioRead(TestFabric.EcamBase, 4));
        Assert.Equal(0x29c08086UL, f.Cpu.MmioRead(0xe0000000, 4));
        // Disable.
        f.Ecam.Update(false, 0xe0000000, 256UL << 20);
        Assert.Equal(0UL, f.Cpu.MmioRead(0xe0000000, 4));
        Assert.False(f.Ecam.IsMapped);
    }

    [Fact]
    public void Ecam_QwordAccess_SplitsIntoTwoDwords_LowFirst()
    {
        var f = new TestFabric();
        f.EnableEcam();
        f.Root[0]!.Config.SetWord(CommonHeader.Status.Offset, 0x0010);
        Assert.Equal(0x0010_0000_29c0_8086UL, f.Cpu.MmioRead(TestFabric.EcamBase, 8));
        Assert.Equal(2, f.Cpu.Stats.ConfigAccesses(PciEmu.Core.Tracing.AccessMechanism.Ecam, 4, write: false));
    }
}

public class RoutingTests
{
    [Fact]
    public void ThreeLevelsOfBridges_RouteToEndpoint_WithHopCost()
    {
        var f = new TestFabric();
        f.EnableEcam();
        var (_, ep) = f.Chain(3);
        var bdf = new Bdf(3, 1, 0);
        Assert.Equal(0x00051b36u, f.EcamAccessor.Read32(bdf, 0));
        Assert.Equal(0x00051b36u, f.Cf8Accessor.Read32(bdf, 0));
        f.EcamAccessor.Write8(bdf, CommonHeader.InterruptLine.Offset, 0x0b);
        Assert.Equal(0x0b, ep.Config.GetByte(CommonHeader.InterruptLine.Offset));
        f.Cpu.ResetStats();
        var before = f.Cpu.Cycle;
        f.EcamAccessor.Read32(bdf, 0);
        Assert.Equal(CostProfiles.BareMetal.MmioAccess + 3 * CostProfiles.BareMetal.BridgeHop, f.Cpu.Cycle - before);
    }

    [Fact]
    public void AbsentDevice_AbsentFunction_AndBusOutsideEveryRange_MasterAbort()
    {
        var f = new TestFabric();
        f.EnableEcam();
        f.Chain(1);
        Assert.Equal(0xffffffffu, f.EcamAccessor.Read32(new Bdf(0, 5, 0), 0));
        Assert.Equal(0xffffu, f.EcamAccessor.Read16(new Bdf(1, 1, 3), 0));
        Assert.Equal(0xffu, f.EcamAccessor.Read8(new Bdf(7, 1, 0), 0));
        Assert.Equal(3, f.Cpu.Stats.ConfigAborts);
        f.EcamAccessor.Write32(new Bdf(7, 1, 0), 0x3c, 0x12);
        Assert.Equal(4, f.Cpu.Stats.ConfigAborts);
    }

    [Fact]
    public void UnconfiguredBridge_HidesEverythingBehindIt()
    {
        var f = new TestFabric();
        f.EnableEcam();
        f.Chain(1, program: false);
        // Bus 0 resolves to the root bus first; bus 1 is behind a bridge whose numbers are still 0.
        Assert.Equal(0xffffffffu, f.EcamAccessor.Read32(new Bdf(1, 1, 0), 0));
        Assert.Equal(0x00011b36u, f.EcamAccessor.Read32(new Bdf(0, 1, 0), 0));
    }

    [Fact]
    public void SecondaryBusReset_ExposesDirectBus_BlocksDeeper()
    {
        var f = new TestFabric();
        f.EnableEcam();
        var (bridges, _) = f.Chain(2);
        bridges[0].WriteConfig(Type1Header.BridgeControl.Offset, 2, (uint)BridgeControlBits.BusReset);
        // Bus 1 is matched by number (no range check); bus 2 needs descending through bridge 0.
        Assert.Equal(0x00011b36u, f.EcamAccessor.Read32(new Bdf(1, 1, 0), 0));
        Assert.Equal(0xffffffffu, f.EcamAccessor.Read32(new Bdf(2, 1, 0), 0));
    }

    [Fact]
    public void SecondaryBusReset_ZeroToOne_RaisesResetEvent()
    {
        var f = new TestFabric();
        var (bridges, _) = f.Chain(1);
        var n = 0;
        bridges[0].SecondaryBusReset += _ => n++;
        bridges[0].WriteConfig(Type1Header.BridgeControl.Offset, 1, (uint)BridgeControlBits.BusReset);
        bridges[0].WriteConfig(Type1Header.BridgeControl.Offset, 1, (uint)BridgeControlBits.BusReset);
        bridges[0].WriteConfig(Type1Header.BridgeControl.Offset, 1, 0);
        bridges[0].WriteConfig(Type1Header.BridgeControl.Offset, 2, (uint)BridgeControlBits.BusReset);
        Assert.Equal(2, n);
    }

    [Fact]
    public void NewestBridgeWins_WhenRangesOverlap()
    {
        var f = new TestFabric();
        f.EnableEcam();
        var a = new TestBridge(new PciDeviceOptions { Id = "a" });
        var b = new TestBridge(new PciDeviceOptions { Id = "b" });
        var busA = f.Root.Plug(1 << 3, a)!;
        var busB = f.Root.Plug(2 << 3, b)!;
        busA.Plug(0, new TestEndpoint());
        busB.Plug(3 << 3, new TestEndpoint());
        foreach (var br in new[] { a, b })
        {
            br.WriteConfig(Type1Header.SecondaryBus.Offset, 1, 1);
            br.WriteConfig(Type1Header.SubordinateBus.Offset, 1, 1);
        }
        Assert.Equal(0xffffffffu, f.EcamAccessor.Read32(new Bdf(1, 0, 0), 0));
        Assert.Equal(0x00051b36u, f.EcamAccessor.Read32(new Bdf(1, 3, 0), 0));
    }

    [Fact]
    public void HotpluggedFunctionAboveZero_HiddenUntilFunctionZero_ColdPluggedVisible()
    {
        var f = new TestFabric();
        f.EnableEcam();
        var cold = new TestEndpoint();
        f.Root.Plug((4 << 3) | 2, cold);
        Assert.Equal(0x00051b36u, f.EcamAccessor.Read32(new Bdf(0, 4, 2), 0));
        var hot = new TestEndpoint { Hotplugged = true };
        f.Root.Plug((5 << 3) | 1, hot);
        Assert.Equal(0xffffffffu, f.EcamAccessor.Read32(new Bdf(0, 5, 1), 0));
        f.Root.Plug(5 << 3, new TestEndpoint { Hotplugged = true });
        Assert.Equal(0x00051b36u, f.EcamAccessor.Read32(new Bdf(0, 5, 1), 0));
    }

    [Fact]
    public void BelowPcieSlot_FunctionZeroMeansDeviceZero_AndUnpoweredSlotHidesChildren()
    {
        var f = new TestFabric();
        f.EnableEcam();
        var port = new TestBridge(new PciDeviceOptions { Id = "rp" }, express: true);
        var bus = f.Root.Plug(1 << 3, port)!;
        port.WriteConfig(Type1Header.SecondaryBus.Offset, 1, 1);
        port.WriteConfig(Type1Header.SubordinateBus.Offset, 1, 1);
        // A hot-plugged device 3 function 0 below a port: "function 0" means devfn 0, which is absent.
        bus.Plug(3 << 3, new TestEndpoint { Hotplugged = true });
        Assert.Equal(0xffffffffu, f.EcamAccessor.Read32(new Bdf(1, 3, 0), 0));
        bus.Plug(0, new TestEndpoint { Hotplugged = true });
        Assert.Equal(0x00051b36u, f.EcamAccessor.Read32(new Bdf(1, 3, 0), 0));
        Assert.Equal(0x00051b36u, f.EcamAccessor.Read32(new Bdf(1, 0, 0), 0));
        port.Powered = false;
        Assert.Equal(0xffffffffu, f.EcamAccessor.Read32(new Bdf(1, 0, 0), 0));
        Assert.Equal(0x000c1b36u, f.EcamAccessor.Read32(new Bdf(0, 1, 0), 0));
    }

    [Fact]
    public void ExtendedSpace_LimitedTo256_BehindConventionalBus()
    {
        var f = new TestFabric();
        f.EnableEcam();
        var br = new TestBridge(new PciDeviceOptions { Id = "pb" });
        var bus = f.Root.Plug(1 << 3, br)!;
        var ep = new TestEndpoint(express: true);
        bus.Plug(0, ep);
        br.WriteConfig(Type1Header.SecondaryBus.Offset, 1, 1);
        br.WriteConfig(Type1Header.SubordinateBus.Offset, 1, 1);
        ep.Config.SetLong(0x104, 0x11223344);
        Assert.Equal(0xffffffffu, f.EcamAccessor.Read32(new Bdf(1, 0, 0), 0x104));
        f.EcamAccessor.Write32(new Bdf(1, 0, 0), 0x104, 0);
        Assert.Equal(0x11223344u, ep.Config.GetLong(0x104));
    }

    [Fact]
    public void ReadStraddlingLimit_IsShortened_HighBytesZero()
    {
        var f = new TestFabric();
        f.EnableEcam();
        var ep = new TestEndpoint();
        f.Root.Plug(3 << 3, ep);
        ep.Config.SetByte(0xff, 0xab);
        Assert.Equal(0x00abu, f.EcamAccessor.Read16(new Bdf(0, 3, 0), 0xff));
        Assert.Equal(0xffffffffu, f.EcamAccessor.Read32(new Bdf(0, 3, 0), 0x100));
    }
}
