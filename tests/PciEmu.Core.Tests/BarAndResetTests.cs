using PciEmu.Core;
using PciEmu.Testing;

namespace PciEmu.Core.Tests;

public class BarAndResetTests
{
    private static TestEndpoint Make(ulong rom = 0)
    {
        var f = new TestEndpoint(romSize: rom);
        f.Realize();
        return f;
    }

    [Fact]
    public void IoBar_SizedWithAllOnes_ReadsBackMaskOverFull32Bits()
    {
        var f = Make();
        f.WriteConfig(Type0Header.BaseAddress1.Offset, 4, uint.MaxValue);
        Assert.Equal(0xffffff01u, f.ReadConfig(Type0Header.BaseAddress1.Offset, 4));
    }

    [Fact]
    public void Mem64Bar_SizedAcrossPair_TypeBitsReadOnly()
    {
        var f = Make();
        f.WriteConfig(Type0Header.BaseAddress2.Offset, 4, uint.MaxValue);
        f.WriteConfig(Type0Header.BaseAddress3.Offset, 4, uint.MaxValue);
        Assert.Equal(0xfff0000cu, f.ReadConfig(Type0Header.BaseAddress2.Offset, 4));
        Assert.Equal(0xffffffffu, f.ReadConfig(Type0Header.BaseAddress3.Offset, 4));
        f.WriteConfig(Type0Header.BaseAddress2.Offset, 4, 0);
        Assert.Equal(0x0000000cu, f.ReadConfig(Type0Header.BaseAddress2.Offset, 4));
    }

    [Fact]
    public void UnregisteredBar_IsReadOnlyZero()
    {
        var f = Make();
        f.WriteConfig(Type0Header.BaseAddress4.Offset, 4, uint.MaxValue);
        Assert.Equal(0u, f.ReadConfig(Type0Header.BaseAddress4.Offset, 4));
    }

    [Fact]
    public void Rom_EnableBitWritable_LowBitsReadOnly()
    {
        var f = Make(0x40000);
        f.WriteConfig(Type0Header.RomAddress.Offset, 4, uint.MaxValue);
        Assert.Equal(0xfffc0001u, f.ReadConfig(Type0Header.RomAddress.Offset, 4));
    }

    [Fact]
    public void BarAddress_DecodesOnlyWithCommandEnable_AndNotAtZeroOrSizingValue()
    {
        var f = Make();
        var bar0 = f.Bars[0];
        f.WriteConfig(Type0Header.BaseAddress0.Offset, 4, 0xfe800000);
        Assert.Equal(BarAddress.Unmapped, f.GetBarAddress(bar0));
        f.WriteConfig(CommonHeader.Command.Offset, 2, (uint)CommandBits.Memory);
        Assert.Equal(0xfe800000UL, f.GetBarAddress(bar0));
        f.WriteConfig(Type0Header.BaseAddress0.Offset, 4, uint.MaxValue);
        Assert.Equal(BarAddress.Unmapped, f.GetBarAddress(bar0));
        f.WriteConfig(Type0Header.BaseAddress0.Offset, 4, 0);
        Assert.Equal(BarAddress.Unmapped, f.GetBarAddress(bar0));
    }

    [Fact]
    public void Mem64Bar_DecodesAbove4G()
    {
        var f = Make();
        f.WriteConfig(Type0Header.BaseAddress2.Offset, 4, 0);
        f.WriteConfig(Type0Header.BaseAddress3.Offset, 4, 0x1);
        f.WriteConfig(CommonHeader.Command.Offset, 2, (uint)CommandBits.Memory);
        Assert.Equal(0x1_0000_0000UL, f.GetBarAddress(f.Bars[2]));
    }

    [Fact]
    public void Reset_ClearsCommandStatusErrorsLineCacheAndBars_KeepsPinAndIds()
    {
        var f = Make();
        f.WriteConfig(CommonHeader.Command.Offset, 2, 0x0507);
        f.WriteConfig(CommonHeader.CacheLineSize.Offset, 1, 0x10);
        f.WriteConfig(CommonHeader.InterruptLine.Offset, 1, 0x0b);
        f.WriteConfig(Type0Header.BaseAddress0.Offset, 4, 0xfe800000);
        f.Config.SetWord(CommonHeader.Status.Offset, (ushort)StatusBits.RecMasterAbort);
        f.Reset();
        Assert.Equal(0u, f.ReadConfig(CommonHeader.Command.Offset, 2));
        Assert.Equal(0u, f.ReadConfig(CommonHeader.Status.Offset, 2));
        Assert.Equal(0u, f.ReadConfig(CommonHeader.CacheLineSize.Offset, 1));
        Assert.Equal(0u, f.ReadConfig(CommonHeader.InterruptLine.Offset, 1));
        Assert.Equal(0u, f.ReadConfig(Type0Header.BaseAddress0.Offset, 4));
        Assert.Equal(0x1u, f.ReadConfig(Type0Header.BaseAddress1.Offset, 4));
        Assert.Equal(0x0005_1b36u, f.ReadConfig(0, 4));
    }

    [Fact]
    public void Bridge_Reset_LeavesPrefetchTypeNibbles_AndClearsBusNumbers()
    {
        var b = new TestBridge();
        b.Realize();
        b.WriteConfig(Type1Header.PrimaryBus.Offset, 4, 0x00050100);
        b.WriteConfig(Type1Header.PrefMemoryBase.Offset, 4, 0xfff0fff0);
        b.Reset();
        Assert.Equal(0u, b.ReadConfig(Type1Header.PrimaryBus.Offset, 4));
        Assert.Equal(0x0001_0001u, b.ReadConfig(Type1Header.PrefMemoryBase.Offset, 4));
        Assert.Equal(0x00a0u, b.ReadConfig(Type1Header.SecStatus.Offset, 2));
    }

    [Fact]
    public void BridgeWindows_DecodeAsQemu()
    {
        var b = new TestBridge();
        b.Realize();
        b.WriteConfig(Type1Header.IoBase.Offset, 1, 0xc0);
        b.WriteConfig(Type1Header.IoLimit.Offset, 1, 0xc0);
        b.WriteConfig(Type1Header.MemoryBase.Offset, 2, 0xfe60);
        b.WriteConfig(Type1Header.MemoryLimit.Offset, 2, 0xfe70);
        b.WriteConfig(Type1Header.PrefMemoryBase.Offset, 2, 0x0001);
        b.WriteConfig(Type1Header.PrefMemoryLimit.Offset, 2, 0x3ff1);
        b.WriteConfig(Type1Header.PrefBaseUpper32.Offset, 4, 0x1);
        b.WriteConfig(Type1Header.PrefLimitUpper32.Offset, 4, 0x1);
        Assert.Equal(new BridgeWindow(0xc000, 0xcfff), b.IoWindow);
        Assert.Equal(new BridgeWindow(0xfe600000, 0xfe7fffff), b.MemoryWindow);
        Assert.Equal(new BridgeWindow(0x1_0000_0000, 0x1_3fff_ffff), b.PrefetchableWindow);
    }

    [Fact]
    public void ExpressFunction_WithoutExtendedCaps_HasReadOnlyZeroAt0x100_AndScratchAbove()
    {
        var f = new TestEndpoint(express: true);
        f.Realize();
        f.WriteConfig(0x100, 4, uint.MaxValue);
        Assert.Equal(0u, f.ReadConfig(0x100, 4));
        f.WriteConfig(0x104, 4, 0xa5a5a5a5);
        Assert.Equal(0xa5a5a5a5u, f.ReadConfig(0x104, 4));
    }

    [Fact]
    public void Builder_RejectsBitBothWritableAndW1c()
    {
        var space = new ConfigSpace(ConfigSpace.ConventionalSize);
        var b = new ConfigSpaceBuilder(space, isBridge: false);
        b.Rw(0x44, 2, 0x00ff);
        Assert.Throws<InvalidOperationException>(() => b.Rw1c(0x44, 2, 0x0001));
        b.Rw1c(0x46, 2, 0x0100);
        Assert.Throws<InvalidOperationException>(() => b.Rw(0x46, 2, 0x0100));
    }
}
