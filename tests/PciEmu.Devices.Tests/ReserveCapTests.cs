using PciEmu.Core;
using PciEmu.Devices.Capabilities;
using PciEmu.Devices.Catalog;
using PciEmu.Devices.Devices;

namespace PciEmu.Devices.Tests;

/// <summary>QEMU resource-reservation capability encoding and realize checks (§4.6).</summary>
public sealed class ReserveCapTests
{
    private static int CapOffset(PciFunction f) =>
        f.GetCapabilities().Single(c => !c.Extended && c.Id == CapabilityId.Vendor).Offset;

    [Fact]
    public void RootPort_AllFields_EncodedLittleEndian_UnsetAreAllOnes()
    {
        var rp = TestDevices.Catalog("pcie-root-port,id=rp,chassis=1,bus-reserve=3,io-reserve=8K,mem-reserve=32M,pref64-reserve=1G");
        rp.Realize();
        var c = rp.Config;
        var o = CapOffset(rp);
        Assert.Equal(0x90, o);
        Assert.Equal(CapabilityId.Vendor, c.GetByte(o));
        Assert.Equal(PcieRootPort.ExpOffset, c.GetByte(o + 1));
        Assert.Equal(ResourceReserveCap.Size, c.GetByte(o + ResourceReserveCap.Length));
        Assert.Equal(ResourceReserveCap.TypeResourceReserve, c.GetByte(o + ResourceReserveCap.Type));
        Assert.Equal(3u, c.GetLong(o + ResourceReserveCap.BusRes));
        Assert.Equal(0x2000UL, c.GetQuad(o + ResourceReserveCap.Io));
        Assert.Equal(32u << 20, c.GetLong(o + ResourceReserveCap.Mem));
        Assert.Equal(uint.MaxValue, c.GetLong(o + ResourceReserveCap.Pref32));
        Assert.Equal(1UL << 30, c.GetQuad(o + ResourceReserveCap.Pref64));
        for (var i = 0; i < ResourceReserveCap.Size; i++) Assert.Equal(0, c.WriteMask[o + i]);
    }

    [Fact]
    public void NoReserveProperty_NoCapability()
    {
        var rp = TestDevices.Realized("pcie-root-port");
        Assert.DoesNotContain(rp.GetCapabilities(), c => c.Id == CapabilityId.Vendor && !c.Extended);
        Assert.Equal(PcieRootPort.ExpOffset, rp.Config.GetByte(CommonHeader.CapabilityList.Offset));
    }

    [Fact]
    public void PciBridge_ReserveCap_At0x64_AfterMsi()
    {
        var br = TestDevices.Realized("pci-bridge-reserve");
        Assert.Equal(0x64, CapOffset(br));
        Assert.Equal(0x4c, br.Config.GetByte(0x65));
    }

    [Fact]
    public void PciBridgeWithoutShpc_SlotIdAt40_ReserveAt44()
    {
        var br = TestDevices.Catalog("pci-bridge,id=b,chassis_nr=1,shpc=off,bus-reserve=1");
        br.Realize();
        Assert.Equal(0x44, br.Config.GetByte(CommonHeader.CapabilityList.Offset));
        Assert.Equal(0x40, br.Config.GetByte(0x45));
        Assert.Equal(0, br.Config.GetByte(CommonHeader.InterruptPin.Offset));
        Assert.Empty(br.Bars);
    }

    [Theory]
    [InlineData("pcie-root-port,id=r,pref32-reserve=1M,pref64-reserve=1G", "PCI resource reserve cap: PREF32 and PREF64 conflict")]
    [InlineData("pcie-root-port,id=r,mem-reserve=4G", "PCI resource reserve cap: mem-reserve must be less than 4G")]
    [InlineData("pci-bridge,id=b,chassis_nr=1,pref32-reserve=4G", "PCI resource reserve cap: pref32-reserve  must be less than 4G")]
    [InlineData("pci-bridge,id=b", "Bridge chassis not specified. Each bridge is required to be assigned a unique chassis id > 0.")]
    public void RealizeErrors_UseQemuWording(string spec, string message)
    {
        var f = DeviceCatalog.Create(DeviceProperties.Parse(spec));
        var e = Assert.Throws<DeviceRealizeException>(f.Realize);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void MinusOneValues_MeanUnset()
    {
        var rp = TestDevices.Catalog("pcie-root-port,id=r,bus-reserve=4294967295,io-reserve=0xffffffffffffffff");
        rp.Realize();
        Assert.DoesNotContain(rp.GetCapabilities(), c => c.Id == CapabilityId.Vendor && !c.Extended);
    }
}
