using PciEmu.Devices.Catalog;

namespace PciEmu.Devices.Tests;

/// <summary>The devices of a Xen HVM guest's bus 0 (xen-platform, xl's cirrus-vga and rtl8139, -usb's UHCI), register by register.</summary>
public class XenfvDeviceTests
{
    private static Core.PciFunction Realized(string spec)
    {
        var f = DeviceCatalog.Create(DeviceProperties.Parse(spec));
        f.Realize();
        f.Reset();
        return f;
    }

    /// <summary>Size of a BAR as a driver sees it: write all ones, read back, restore.</summary>
    private static uint Probe(Core.PciFunction f, int offset)
    {
        var old = f.ReadConfig(offset, 4);
        f.WriteConfig(offset, 4, uint.MaxValue);
        var v = f.ReadConfig(offset, 4);
        f.WriteConfig(offset, 4, old);
        return v;
    }

    [Fact]
    public void XenPlatform_IsXen5853_0001_WithIo256AndPrefetchable16MiB()
    {
        var f = Realized("xen-platform");
        Assert.Equal(0x00015853u, f.ReadConfig(0x00, 4));
        Assert.Equal(0xff800001u, f.ReadConfig(0x08, 4)); // class ff80, prog-if 0, revision 1
        Assert.Equal(0x00015853u, f.ReadConfig(0x2c, 4)); // subsystem 5853:0001
        Assert.Equal(1u, f.ReadConfig(0x3d, 1));
        Assert.Equal(0xffffff01u, Probe(f, 0x10));
        Assert.Equal(0xff000008u, Probe(f, 0x14));
        Assert.Equal(0u, Probe(f, 0x18));
        Assert.Equal(0u, f.ReadConfig(0x04, 2) & 0x3); // realize set IO|MEM, the reset cleared it
    }

    [Fact]
    public void CirrusVga_Is1013_00b8_With32MiBLinearBar4KiBMmioAnd64KiBRom()
    {
        var f = Realized("cirrus-vga");
        Assert.Equal(0x00b81013u, f.ReadConfig(0x00, 4));
        Assert.Equal(0x03000000u, f.ReadConfig(0x08, 4));
        Assert.Equal(0xfe000008u, Probe(f, 0x10));
        Assert.Equal(0xfffff000u, Probe(f, 0x14));
        Assert.Equal(0xffff0001u, Probe(f, 0x30));
        Assert.Equal(0u, f.ReadConfig(0x3d, 1));
        Assert.False(DeviceCatalog.Get("cirrus-vga").Hotpluggable);
    }

    [Fact]
    public void Rtl8139_Is10ec_8139_Rev20_WithIoAndMem256_AndTheStrayCapabilityPointer()
    {
        var f = Realized("rtl8139");
        Assert.Equal(0x813910ecu, f.ReadConfig(0x00, 4));
        Assert.Equal(0x02000020u, f.ReadConfig(0x08, 4));
        Assert.Equal(0xffffff01u, Probe(f, 0x10));
        Assert.Equal(0xffffff00u, Probe(f, 0x14));
        Assert.Equal(0xfffc0001u, Probe(f, 0x30));
        Assert.Equal(0xdcu, f.ReadConfig(0x34, 1));
        Assert.Equal(0u, f.ReadConfig(0x06, 2) & 0x10); // no capability-list bit
        Assert.Equal(1u, f.ReadConfig(0x3d, 1));
    }

    [Fact]
    public void Piix3Uhci_Is8086_7020_OnIntDWithIo32AtBar4()
    {
        var f = Realized("piix3-usb-uhci");
        Assert.Equal(0x70208086u, f.ReadConfig(0x00, 4));
        Assert.Equal(0x0c030001u, f.ReadConfig(0x08, 4));
        Assert.Equal(4u, f.ReadConfig(0x3d, 1));
        Assert.Equal(0xffffffe1u, Probe(f, 0x20));
        Assert.Equal(0x10u, f.ReadConfig(0x60, 1));
    }
}
