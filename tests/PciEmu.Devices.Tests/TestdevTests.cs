using PciEmu.Core;
using PciEmu.Devices.Catalog;
using PciEmu.Devices.Devices;

namespace PciEmu.Devices.Tests;

/// <summary>pci-testdev BARs and the membar rules (§6).</summary>
public sealed class TestdevTests
{
    [Theory]
    [InlineData("1M", 0xfff00000u, 0xffffffffu)]
    [InlineData("64M", 0xfc000000u, 0xffffffffu)]
    [InlineData("4G", 0x00000000u, 0xffffffffu)]
    [InlineData("8G", 0x00000000u, 0xfffffffeu)]
    [InlineData("0x1000", 0xfffff000u, 0xffffffffu)]
    public void MemBar_IsPrefetchable64Bit_WithSizeMask(string membar, uint lowMask, uint highMask)
    {
        var f = TestDevices.Catalog("pci-testdev,membar=" + membar);
        f.Realize();
        Assert.Equal(0x0000000cu, f.ReadConfig(0x18, 4));
        Assert.Equal(lowMask, f.Config.GetWriteMask(0x18, 4));
        Assert.Equal(highMask, f.Config.GetWriteMask(0x1c, 4));
        f.WriteConfig(0x18, 4, uint.MaxValue);
        Assert.Equal(lowMask | 0xc, f.ReadConfig(0x18, 4));
    }

    [Fact]
    public void NoMemBar_Bar2IsReadOnlyZero()
    {
        var f = TestDevices.Catalog("pci-testdev");
        f.Realize();
        Assert.Equal(2, f.Bars.Count);
        f.WriteConfig(0x18, 4, uint.MaxValue);
        Assert.Equal(0u, f.ReadConfig(0x18, 4));
    }

    [Fact]
    public void IoBar_Sizing_ReadsBackFullWidthMask()
    {
        var f = TestDevices.Catalog("pci-testdev");
        f.Realize();
        f.WriteConfig(0x14, 4, uint.MaxValue);
        Assert.Equal(0xffffff01u, f.ReadConfig(0x14, 4));
    }

    [Fact]
    public void ScratchSurvivesReset()
    {
        var f = TestDevices.Catalog("pci-testdev");
        f.Realize();
        f.WriteConfig(0x40, 4, 0xdeadbeef);
        f.Reset();
        Assert.Equal(0xdeadbeefu, f.ReadConfig(0x40, 4));
    }

    [Fact]
    public void MemBar_NotPowerOfTwo_AbortsLikeQemu()
    {
        var f = TestDevices.Catalog("pci-testdev,membar=3M");
        var e = Assert.Throws<QemuAbortException>(f.Realize);
        Assert.Contains("is_power_of_2(size)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1X")]
    [InlineData("")]
    public void MemBar_NotASize_IsRejectedWithQemuWording(string value)
    {
        var e = Assert.Throws<DevicePropertyException>(() => TestDevices.Catalog("pci-testdev,membar=" + value));
        Assert.Equal("Parameter 'membar' expects size", e.Message);
    }

    [Fact]
    public void UnknownProperty_IsNotFound()
    {
        var e = Assert.Throws<PropertyNotFoundException>(() => TestDevices.Catalog("pci-testdev,membar-backed=on"));
        Assert.Equal("Property 'pci-testdev.membar-backed' not found", e.Message);
    }

    [Fact]
    public void Identity_MatchesQemu()
    {
        var f = TestDevices.Realized("pci-testdev");
        Assert.Equal(PciTestdev.DeviceIdentity.VendorId, f.Config.GetWord(0));
        Assert.Equal(0x0005, f.Config.GetWord(2));
        Assert.Equal(0, f.Config.GetByte(CommonHeader.InterruptPin.Offset));
        Assert.Empty(f.GetCapabilities());
    }
}
