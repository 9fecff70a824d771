using PciEmu.Os;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Tests.Running;

public class KernelSpecTests
{
    [Fact]
    public void Parse_OptionsAndSizes()
    {
        var o = KernelSpec.Parse("linux,realloc,hpmmioprefsize=1G,hpiosize=0x1000,hpbussize=4,v6.1");
        Assert.Equal(ReallocMode.UserEnabled, o.Realloc);
        Assert.Equal(1UL << 30, o.HpMmioPrefSize);
        Assert.Equal(0x1000UL, o.HpIoSize);
        Assert.Equal(4, o.HpBusSize);
        Assert.Equal(KernelVersion.Linux6_1, o.Version);
        var m = KernelSpec.Parse("linux,hpmemsize=8M");
        Assert.Equal((8UL << 20, 8UL << 20), (m.HpMmioSize, m.HpMmioPrefSize));
        Assert.Equal(KernelVersion.Linux6_12, KernelSpec.Parse("linux").Version);
    }

    [Theory]
    [InlineData("windows", "kernel: unknown kernel 'windows' (only 'linux')")]
    [InlineData("linux,hpfoo=1", "kernel: unknown option 'hpfoo' (realloc, hpiosize, hpmmiosize, hpmmioprefsize, hpmemsize, hpbussize, v6.1)")]
    [InlineData("linux,hpmemsize=lots", "kernel: bad value in 'hpmemsize=lots'")]
    [InlineData("linux,hpmemsize=", "kernel: bad value in 'hpmemsize='")]
    [InlineData("linux,hpbussize=300", "kernel: bad value in 'hpbussize=300'")]
    [InlineData("linux,realloc=maybe", "kernel: bad value in 'realloc=maybe'")]
    public void Parse_Errors(string text, string message)
    {
        var e = Assert.Throws<TopologyException>(() => KernelSpec.Parse(text));
        Assert.Equal(message, e.Message);
    }
}
