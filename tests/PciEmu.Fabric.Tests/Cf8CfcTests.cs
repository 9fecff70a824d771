using PciEmu.Core;
using PciEmu.Core.Tracing;
using PciEmu.Testing;

namespace PciEmu.Fabric.Tests;

/// <summary>QEMU 7.2 hw/pci/pci_host.c CF8/CFC quirks, one test each.</summary>
public class Cf8CfcTests
{
    [Fact]
    public void OnlyDwordWriteTo0xCF8_Latches()
    {
        var f = new TestFabric();
        f.Cpu.Out(0xcf8, 4, 0x80000000);
        f.Cpu.Out(0xcf8, 2, 0x1234);
        f.Cpu.Out(0xcf8, 1, 0x56);
        f.Cpu.Out(0xcfa, 2, 0xffff);
        f.Cpu.Out(0xcfb, 1, 0x7f);
        Assert.Equal(0x80000000u, f.Cf8.ConfigAddress);
        Assert.Equal(0x80000000u, f.Cpu.In(0xcf8, 4));
    }

    [Fact]
    public void ByteAndWordReadsOfAddressPort_ReturnLowBitsOfLatch_EvenAt0xCFA()
    {
        var f = new TestFabric();
        f.Cpu.Out(0xcf8, 4, 0x8012_3456);
        Assert.Equal(0x56u, f.Cpu.In(0xcf8, 1));
        Assert.Equal(0x3456u, f.Cpu.In(0xcf8, 2));
        Assert.Equal(0x3456u, f.Cpu.In(0xcfa, 2));
        Assert.Equal(0x56u, f.Cpu.In(0xcfb, 1));
    }

    [Fact]
    public void DataPortRegister_IsLatchLowByteOrPortOffset()
    {
        var f = new TestFabric();
        // Latch register 0x08 (revision/class) then read byte at 0xCFE: register 0x08 | 2 = 0x0a.
        f.Cpu.Out(0xcf8, 4, Cf8CfcAccessor.Address(new Bdf(0, 0, 0), 0x08));
        Assert.Equal(0x00u, f.Cpu.In(0xcfe, 1));
        Assert.Equal(0x06u, f.Cpu.In(0xcff, 1));
        // Bits 1:0 left set in CF8 are OR-ed, not added: latch reg 0x03, port offset 1 → 0x03.
        f.Cpu.Out(0xcf8, 4, 0x80000003);
        Assert.Equal(0x29u, f.Cpu.In(0xcfd, 1));
    }

    [Fact]
    public void EnableBitClear_ReadsAllOnes_WritesDropped()
    {
        var f = new TestFabric();
        f.Cpu.Out(0xcf8, 4, 0x0000000c);
        Assert.Equal(0xffffffffu, f.Cpu.In(0xcfc, 4));
        Assert.Equal(0xffu, f.Cpu.In(0xcfc, 1));
        f.Cpu.Out(0xcfc, 1, 0x10);
        Assert.Equal(0u, f.Root[0]!.Config.GetByte(CommonHeader.CacheLineSize.Offset));
        Assert.Equal(0, f.Cpu.Stats.TotalConfigAccesses);
    }

    [Fact]
    public void ByteAccessTo0xCF9_GoesToResetControl_DwordAt0xCF8StillLatches()
    {
        var f = new TestFabric();
        f.Cpu.Out(0xcf9, 1, 0x02);
        Assert.Equal(0x02u, f.Cpu.In(0xcf9, 1));
        Assert.Equal(0u, f.Cf8.ConfigAddress);
        f.Cpu.Out(0xcf9, 1, 0x06);
        Assert.Equal(1, f.Rcr.ResetRequests);
        f.Cpu.Out(0xcf8, 4, 0x80000000);
        Assert.Equal(0x80000000u, f.Cf8.ConfigAddress);
    }

    [Fact]
    public void Cf8_CannotReachExtendedSpace()
    {
        var f = new TestFabric();
        var ep = new TestEndpoint(express: true);
        f.Root.Plug(2 << 3, ep);
        ep.Config.SetLong(0x104, 0x11223344);
        ep.Config.SetLong(0x04, 0x00100000);
        // AMD-style bits 27:24 are ignored: register 0x104 reads register 0x04.
        Assert.Equal(0x00100000u, f.Cf8Accessor.Read32(new Bdf(0, 2, 0), 0x104));
        f.EnableEcam();
        Assert.Equal(0x11223344u, f.EcamAccessor.Read32(new Bdf(0, 2, 0), 0x104));
    }

    [Fact]
    public void VendorIdRead_CostsTwoPortCyclesViaCf8_OneMmioCycleViaEcam()
    {
        var f = new TestFabric();
        Assert.Equal(0x8086, f.Cf8Accessor.Read16(new Bdf(0, 0, 0), 0));
        Assert.Equal(2, f.Cpu.Stats.PortCycles);
        Assert.Equal(0, f.Cpu.Stats.MmioCycles);
        Assert.Equal(1, f.Cpu.Stats.ConfigAccesses(AccessMechanism.Cf8Cfc, 2, write: false));
        Assert.Equal(2 * CostProfiles.BareMetal.PortAccess, f.Cpu.Cycle);

        f.EnableEcam();
        f.Cpu.ResetStats();
        var before = f.Cpu.Cycle;
        Assert.Equal(0x8086, f.EcamAccessor.Read16(new Bdf(0, 0, 0), 0));
        Assert.Equal(0, f.Cpu.Stats.PortCycles);
        Assert.Equal(1, f.Cpu.Stats.MmioCycles);
        Assert.Equal(1, f.Cpu.Stats.ConfigAccesses(AccessMechanism.Ecam, 2, write: false));
        Assert.Equal(CostProfiles.BareMetal.MmioAccess, f.Cpu.Cycle - before);
    }
}
