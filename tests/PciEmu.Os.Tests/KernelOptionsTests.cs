namespace PciEmu.Os.Tests;

public sealed class KernelOptionsTests
{
    private const ulong MiB = 1024 * 1024;

    [Fact]
    public void Defaults_AreLinuxDefaults()
    {
        var o = new KernelOptions();
        Assert.Equal(256UL, o.HpIoSize);
        Assert.Equal(2 * MiB, o.HpMmioSize);
        Assert.Equal(2 * MiB, o.HpMmioPrefSize);
        Assert.Equal(1, o.HpBusSize);
        Assert.Equal(ReallocMode.Undefined, o.Realloc);
        Assert.Equal(KernelVersion.Linux6_12, o.Version);
    }

    [Theory]
    [InlineData("console=ttyS0 pci=realloc", ReallocMode.UserEnabled)]
    [InlineData("pci=realloc=on", ReallocMode.UserEnabled)]
    [InlineData("pci=realloc=off", ReallocMode.UserDisabled)]
    [InlineData("quiet", ReallocMode.Undefined)]
    public void WithCommandLine_Realloc(string cmdline, ReallocMode expected) =>
        Assert.Equal(expected, new KernelOptions().WithCommandLine(cmdline).Realloc);

    [Fact]
    public void WithCommandLine_HotplugSizes_WithSuffixesAndLastWins()
    {
        var o = new KernelOptions().WithCommandLine("pci=hpmemsize=8M,hpiosize=4K pci=hpmmioprefsize=0x4000000,hpbussize=3");
        Assert.Equal(8 * MiB, o.HpMmioSize);
        Assert.Equal(64 * MiB, o.HpMmioPrefSize);
        Assert.Equal(4096UL, o.HpIoSize);
        Assert.Equal(3, o.HpBusSize);
    }

    [Fact]
    public void WithCommandLine_HpBusSizeAboveFf_FallsBackToDefault() =>
        Assert.Equal(KernelOptions.DefaultHotplugBusSize, new KernelOptions().WithCommandLine("pci=hpbussize=0x100").HpBusSize);
}
