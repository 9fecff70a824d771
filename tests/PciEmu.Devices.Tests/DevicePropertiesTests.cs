using PciEmu.Devices.Catalog;

namespace PciEmu.Devices.Tests;

/// <summary>QEMU 7.2 value parsing (qemu_strtosz, qemu_strtou64, qapi_bool_parse) and errors.</summary>
public sealed class DevicePropertiesTests
{
    [Theory]
    [InlineData("4096", 4096UL)]
    [InlineData("4k", 4096UL)]
    [InlineData("8K", 8192UL)]
    [InlineData("2M", 2UL << 20)]
    [InlineData("1G", 1UL << 30)]
    [InlineData("1.5G", 3UL << 29)]
    [InlineData("2T", 2UL << 40)]
    [InlineData("1P", 1UL << 50)]
    [InlineData("1E", 1UL << 60)]
    [InlineData("0x1000", 0x1000UL)]
    [InlineData("512B", 512UL)]
    public void Size_Parses(string s, ulong expected) => Assert.Equal(expected, DeviceProperties.ParseSize("x", s));

    [Theory]
    [InlineData("16E")]
    [InlineData("G")]
    [InlineData("1Q")]
    [InlineData("1.5")]
    public void Size_Rejects(string s) =>
        Assert.Equal("Parameter 'x' expects size", Assert.Throws<DevicePropertyException>(() => DeviceProperties.ParseSize("x", s)).Message);

    [Theory]
    [InlineData("on", true)]
    [InlineData("yes", true)]
    [InlineData("true", true)]
    [InlineData("off", false)]
    [InlineData("no", false)]
    [InlineData("false", false)]
    public void Bool_Parses(string s, bool expected) => Assert.Equal(expected, DeviceProperties.ParseBool("b", s));

    [Fact]
    public void Bool_Rejects() =>
        Assert.Equal("Parameter 'hotplug' expects 'on' or 'off'",
            Assert.Throws<DevicePropertyException>(() => TestDevices.Catalog("pcie-root-port,id=r,hotplug=maybe")).Message);

    [Theory]
    [InlineData("255", 255)]
    [InlineData("0x10", 16)]
    [InlineData("010", 8)]
    public void U8_Parses(string s, int expected) => Assert.Equal((byte)expected, new DeviceProperties("d", [new("chassis", s)]).GetU8("chassis", 0));

    [Fact]
    public void U8_OutOfRange() =>
        Assert.Equal("Parameter 'chassis' expects uint8_t",
            Assert.Throws<DevicePropertyException>(() => TestDevices.Catalog("pcie-root-port,id=r,chassis=256")).Message);

    [Fact]
    public void Integer_NotANumber() =>
        Assert.Equal("Parameter 'slot' expects integer",
            Assert.Throws<DevicePropertyException>(() => TestDevices.Catalog("pcie-root-port,id=r,slot=x")).Message);

    /// <summary>qemu_strtou64 wraps "-1" to 2^64-1, which then fails the uint32 range check.</summary>
    [Fact]
    public void U32_MinusOne_IsOutOfRange() =>
        Assert.Equal("Parameter 'bus-reserve' expects uint32_t",
            Assert.Throws<DevicePropertyException>(() => new DeviceProperties("d", [new("bus-reserve", "-1")]).GetU32("bus-reserve", 0)).Message);

    [Fact]
    public void Parse_SplitsDriverAndProperties_WithCommaEscape()
    {
        var p = DeviceProperties.Parse("pci-testdev,id=a,,b,membar=1M,multifunction");
        Assert.Equal("pci-testdev", p.Driver);
        Assert.Equal("a,b", p.GetString("id"));
        Assert.Equal("1M", p.GetString("membar"));
        Assert.True(p.GetBool("multifunction", false));
    }

    [Fact]
    public void Parse_AcceptsDriverEquals()
    {
        var p = DeviceProperties.Parse("id=t,driver=pci-testdev,membar=1M");
        Assert.Equal("pci-testdev", p.Driver);
        Assert.Equal("t", p.GetString("id"));
        Assert.False(p.Has("driver"));
    }

    [Fact]
    public void LinkSpeedAndWidth_Enums()
    {
        var rp = TestDevices.Catalog("pcie-root-port,id=r,x-speed=8,x-width=4");
        rp.Realize();
        Assert.Equal(0x00300443u, rp.ReadConfig(0x60, 4));
        Assert.Equal("Parameter 'x-speed' does not accept value '3'",
            Assert.Throws<DevicePropertyException>(() => TestDevices.Catalog("pcie-root-port,id=r,x-speed=3")).Message);
    }
}
