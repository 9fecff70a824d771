using PciEmu.Core;
using PciEmu.Testing;

namespace PciEmu.Fabric.Tests;

/// <summary>
/// PciHierarchy caches bus lookups per bus number; every way the routing can change must drop the cache: a config
/// write to a bridge's bus numbers or bridge control, a device-side Set*, a reset, and plug/unplug.
/// </summary>
public class RoutingCacheTests
{
    private const uint EndpointId = 0x00051b36u;
    private const uint Absent = 0xffffffffu;

    [Fact]
    public void RenumberingThroughConfigWrite_MovesTheBus()
    {
        var f = new TestFabric();
        f.EnableEcam();
        var (bridges, _) = f.Chain(1);
        Assert.Equal(EndpointId, f.EcamAccessor.Read32(new Bdf(1, 1, 0), 0));
        f.EcamAccessor.Write8(new Bdf(0, 1, 0), Type1Header.SecondaryBus.Offset, 5);
        f.EcamAccessor.Write8(new Bdf(0, 1, 0), Type1Header.SubordinateBus.Offset, 5);
        Assert.Equal(Absent, f.EcamAccessor.Read32(new Bdf(1, 1, 0), 0));
        Assert.Equal(EndpointId, f.EcamAccessor.Read32(new Bdf(5, 1, 0), 0));
        Assert.Equal(5, bridges[0].SecondaryBus);
    }

    [Fact]
    public void DeviceSideSetByte_AndReset_DropTheCache()
    {
        var f = new TestFabric();
        f.EnableEcam();
        var (bridges, _) = f.Chain(1);
        Assert.Equal(EndpointId, f.EcamAccessor.Read32(new Bdf(1, 1, 0), 0));
        bridges[0].Config.SetByte(Type1Header.SecondaryBus.Offset, 2);
        bridges[0].Config.SetByte(Type1Header.SubordinateBus.Offset, 2);
        Assert.Equal(EndpointId, f.EcamAccessor.Read32(new Bdf(2, 1, 0), 0));
        Assert.Equal(Absent, f.EcamAccessor.Read32(new Bdf(1, 1, 0), 0));
        bridges[0].Reset();
        Assert.Equal(Absent, f.EcamAccessor.Read32(new Bdf(2, 1, 0), 0));
    }

    [Fact]
    public void SecondaryBusResetBit_DropsTheCache_BothWays()
    {
        var f = new TestFabric();
        f.EnableEcam();
        var (bridges, _) = f.Chain(2);
        var deep = new Bdf(2, 1, 0);
        Assert.Equal(EndpointId, f.EcamAccessor.Read32(deep, 0));
        bridges[0].WriteConfig(Type1Header.BridgeControl.Offset, 2, (uint)BridgeControlBits.BusReset);
        Assert.Equal(Absent, f.EcamAccessor.Read32(deep, 0));
        bridges[0].WriteConfig(Type1Header.BridgeControl.Offset, 2, 0);
        Assert.Equal(EndpointId, f.EcamAccessor.Read32(deep, 0));
    }

    [Fact]
    public void PlugAndUnplugOfABridge_DropTheCache()
    {
        var f = new TestFabric();
        f.EnableEcam();
        var target = new Bdf(3, 0, 0);
        Assert.Equal(Absent, f.EcamAccessor.Read32(target, 0));
        var br = new TestBridge(new PciDeviceOptions { Id = "late" });
        var bus = f.Root.Plug(4 << 3, br)!;
        bus.Plug(0, new TestEndpoint());
        br.WriteConfig(Type1Header.SecondaryBus.Offset, 1, 3);
        br.WriteConfig(Type1Header.SubordinateBus.Offset, 1, 3);
        Assert.Equal(EndpointId, f.EcamAccessor.Read32(target, 0));
        f.Root.Unplug(4 << 3);
        Assert.Equal(Absent, f.EcamAccessor.Read32(target, 0));
    }
}
