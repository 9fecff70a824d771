using PciEmu.Core;
using PciEmu.Devices.Catalog;
using PciEmu.Devices.Devices;

namespace PciEmu.Devices.Tests;

/// <summary>The device table: flags, property lists, generic options.</summary>
public sealed class CatalogTests
{
    [Theory]
    [InlineData("pcie-root-port", true, true)]
    [InlineData("ioh3420", true, true)]
    [InlineData("x3130-upstream", true, true)]
    [InlineData("xio3130-downstream", true, true)]
    [InlineData("pcie-pci-bridge", true, true)]
    [InlineData("pci-bridge", true, false)]
    [InlineData("pci-testdev", false, false)]
    [InlineData("e1000", false, false)]
    [InlineData("e1000e", false, false)]
    [InlineData("virtio-net-pci", false, false)]
    [InlineData("virtio-rng-pci", false, false)]
    public void Entry_Flags(string driver, bool bridge, bool pcieOnly)
    {
        var e = DeviceCatalog.Get(driver);
        Assert.Equal(bridge, e.IsBridge);
        Assert.Equal(pcieOnly, e.PcieOnly);
    }

    [Fact]
    public void EveryEntry_BuildsAndRealizes_WithDefaults()
    {
        foreach (var e in DeviceCatalog.Entries)
        {
            var spec = e.Name + (e.Name == "pci-bridge" ? ",chassis_nr=1" : "") + (e.IsBridge ? ",id=x" : "");
            var f = DeviceCatalog.Create(DeviceProperties.Parse(spec));
            f.Realize();
            Assert.Equal(e.Name, f.TypeName);
            Assert.Equal(e.IsBridge, f.IsBridge);
        }
    }

    [Fact]
    public void ChipsetEntries_MatchTheirTypeNames_AndAreNotUserCreatable()
    {
        foreach (var e in DeviceCatalog.ChipsetEntries)
        {
            var f = DeviceCatalog.Create(new DeviceProperties(e.Name));
            f.Realize();
            Assert.Equal(e.Name, f.TypeName);
            Assert.False(e.Hotpluggable);
            Assert.Same(e, DeviceCatalog.Get(e.Name));
        }
        Assert.False(DeviceCatalog.Get("ICH9-LPC").UserCreatable);
        Assert.True(DeviceCatalog.Create(new DeviceProperties("ICH9-SMB")).Options.Multifunction);
    }

    [Fact]
    public void UnknownDriver_Throws() => Assert.Throws<UnknownDriverException>(() => DeviceCatalog.Get("nope"));

    [Fact]
    public void Multifunction_SetsHeaderBit7()
    {
        var f = TestDevices.Catalog("pcie-root-port,id=r,multifunction=on");
        f.Realize();
        Assert.Equal(0x81, f.Config.GetByte(CommonHeader.HeaderType.Offset));
    }

    [Theory]
    [InlineData("e1000", 0x40000UL)]
    [InlineData("e1000,romfile=", 0UL)]
    [InlineData("e1000,rombar=0", 0UL)]
    [InlineData("e1000,romsize=0x80000", 0x80000UL)]
    [InlineData("virtio-net-pci", 0x40000UL)]
    [InlineData("virtio-rng-pci", 0UL)]
    public void RomBar_FollowsRomfileAndRombar(string spec, ulong romSize)
    {
        var f = TestDevices.Catalog(spec);
        f.Realize();
        Assert.Equal(romSize, f.RomSize);
        Assert.Equal(romSize == 0 ? 0u : (uint)~(romSize - 1) | 1, f.Config.GetWriteMask(0x30, 4));
    }

    [Fact]
    public void RomSize_NotPowerOfTwo_FailsRealize()
    {
        var f = TestDevices.Catalog("e1000,romsize=0x30000");
        Assert.Equal("ROM size 196608 is not a power of two", Assert.Throws<DeviceRealizeException>(f.Realize).Message);
    }

    [Fact]
    public void VirtioRng_BehindPort_IsModernExpress()
    {
        var f = (VirtioPci)DeviceCatalog.Create(DeviceProperties.Parse("virtio-rng-pci"), new PlugContext(true, false));
        f.Realize();
        Assert.True(f.IsExpress);
        Assert.Equal(0x1044, f.Config.GetWord(2));
        Assert.Equal(1, f.Config.GetByte(8));
        Assert.Equal(0x1100, f.Config.GetWord(0x2e));
        var caps = f.GetCapabilities().Select(c => (c.Offset, c.Extended)).ToArray();
        Assert.Equal([(0xdc, false), (0xc8, false), (0xb4, false), (0xa4, false), (0x94, false), (0x84, false), (0x7c, false), (0x40, false)], caps);
        Assert.Equal(0u, f.ReadConfig(0x100, 4));
        Assert.Equal(0u, f.Config.GetWriteMask(0x100, 4));
        Assert.Equal([1, 4], f.Bars.Select(b => b.Index));
    }

    [Fact]
    public void VirtioNet_OnRootBus_IsTransitional()
    {
        var f = (VirtioPci)TestDevices.Catalog("virtio-net-pci");
        f.Realize();
        Assert.False(f.IsExpress);
        Assert.Equal(0x1000, f.Config.GetWord(2));
        Assert.Equal(0x0001, f.Config.GetWord(0x2e));
        Assert.Equal(0x98, f.Config.GetByte(0x34));
        Assert.Equal(3, f.Config.GetByte(0x98 + 2)); // 4 vectors → table size field 3
        Assert.Equal(32UL, f.Bars.Single(b => b.Index == 0).Size);
    }

    [Fact]
    public void E1000e_CapabilityLayout()
    {
        var f = TestDevices.Realized("e1000e");
        var caps = f.GetCapabilities().Select(c => (c.Id, c.Offset)).ToArray();
        // As QEMU 7.2 lists them (recorded config_hex of every e1000e in conformance/random): PM → MSI → Express → MSI-X.
        Assert.Equal([((ushort)0x01, 0xc8), ((ushort)0x05, 0xd0), ((ushort)0x10, 0xe0), ((ushort)0x11, 0xa0), ((ushort)0x0001, 0x100), ((ushort)0x0003, 0x148)], caps);
        Assert.Equal(0x525400ffff123456UL, f.Config.GetQuad(0x14c));
    }
}

/// <summary>Function-level reset through DEVCTL.BCR_FLR (pcie_cap_flr_write_config).</summary>
public sealed class FlrTests
{
    [Theory]
    [InlineData("virtio-rng-pci-modern", 0x40)]
    [InlineData("x3130-upstream", 0x90)]
    [InlineData("xio3130-downstream", 0x90)]
    public void Flr_ResetsFunction_AndReadsZero(string device, int exp)
    {
        var f = TestDevices.Realized(device);
        f.WriteConfig(CommonHeader.Command.Offset, 2, (uint)CommandBits.Memory);
        f.WriteConfig(exp + PcieCap.DevCtl, 2, PcieCap.DevCtlBcrFlr | 0x1);
        Assert.Equal(0u, f.ReadConfig(exp + PcieCap.DevCtl, 2));
        Assert.Equal(0u, f.ReadConfig(CommonHeader.Command.Offset, 2));
    }
}

/// <summary>Every property a catalogue entry lists is accepted with a value of its type.</summary>
public sealed class CatalogPropertyTests
{
    private static string Sample(PropertyType t) => t switch
    {
        PropertyType.Bool => "on",
        PropertyType.OnOffAuto => "auto",
        PropertyType.U8 => "1",
        PropertyType.U16 => "1",
        PropertyType.U32 => "1",
        PropertyType.Size => "4K",
        PropertyType.LinkSpeed => "8",
        PropertyType.LinkWidth => "4",
        _ => "x",
    };

    public static TheoryData<string, string> Properties()
    {
        var data = new TheoryData<string, string>();
        foreach (var e in DeviceCatalog.Entries.Concat(DeviceCatalog.ChipsetEntries))
        {
            foreach (var p in e.Properties) data.Add(e.Name, p.Name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Properties))]
    public void ListedProperty_IsAccepted(string driver, string property)
    {
        var type = DeviceCatalog.Get(driver).Properties.Single(p => p.Name == property).Type;
        var props = new DeviceProperties(driver, [new(property, Sample(type)), new("id", "x")]);
        var f = DeviceCatalog.Create(props);
        Assert.Equal(driver, f.TypeName);
    }
}
