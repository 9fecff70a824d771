using PciEmu.Devices.Devices;

namespace PciEmu.Devices.Tests;

/// <summary>vfio-pci IGD legacy mode (qemu-devices.md §7.1).</summary>
public sealed class IgdTests
{
    private static IntelIgd Igd(string extra)
    {
        var f = (IntelIgd)TestDevices.Catalog("vfio-pci,host=00:02.0" + extra);
        f.Realize();
        return f;
    }

    [Theory]
    [InlineData(0x0102, 6)]
    [InlineData(0x0412, 6)]
    [InlineData(0x0a16, 6)]
    [InlineData(0x1616, 8)]
    [InlineData(0x1912, 8)]
    [InlineData(0x5912, 8)]
    [InlineData(0x3e92, 8)]
    [InlineData(0x5a84, 8)]
    [InlineData(0x2a42, -1)]
    [InlineData(0xa011, -1)]
    public void Generation72_FollowsIgdGen(int id, int gen) => Assert.Equal(gen, IntelIgd.Generation72((ushort)id));

    [Fact]
    public void Gen6_GmchReadOnly_GmsInBits7To3_BdsmAndAslsWritable()
    {
        var f = Igd(",x-pci-device-id=0x0412,x-igd-gmch=0x0200,x-igd-gms=2");
        Assert.Equal(0x0210u, f.ReadConfig(IntelIgd.Gmch.Offset, 4));
        f.WriteConfig(IntelIgd.Gmch.Offset, 4, 0);
        Assert.Equal(0x0210u, f.ReadConfig(IntelIgd.Gmch.Offset, 4));
        f.WriteConfig(IntelIgd.Bdsm.Offset, 4, 0xbf800000);
        Assert.Equal(0xbf800000u, f.ReadConfig(IntelIgd.Bdsm.Offset, 4));
        f.WriteConfig(IntelIgd.Asls.Offset, 4, 0xbf7fe000);
        Assert.Equal(0xbf7fe000u, f.ReadConfig(IntelIgd.Asls.Offset, 4));
        Assert.Equal((2UL + 64) << 20, f.FwCfg.BdsmSize);
        Assert.NotNull(f.FwCfg.OpRegion);
        Assert.False(f.HasBdsm64);
    }

    [Fact]
    public void Gen8_GmsInBits15To8_GgmsIsPowerOfTwo()
    {
        var f = Igd(",x-pci-device-id=0x1616,x-igd-gmch=0x00c3,x-igd-gms=1");
        Assert.Equal(0x01c3u, f.ReadConfig(IntelIgd.Gmch.Offset, 4));
        Assert.Equal((8UL + 32) << 20, f.FwCfg.BdsmSize);
        var zero = Igd(",x-pci-device-id=0x1616");
        Assert.Equal(1UL << 20, zero.FwCfg.BdsmSize);
    }

    [Fact]
    public void UnsupportedGms_IsDropped()
    {
        var f = Igd(",x-pci-device-id=0x0412,x-igd-gms=0x11");
        Assert.Equal(0u, f.ReadConfig(IntelIgd.Gmch.Offset, 4));
        Assert.Equal(0UL, f.FwCfg.BdsmSize);
    }

    [Fact]
    public void Gen11_Has64BitBdsmAtC0()
    {
        var f = Igd(",x-pci-device-id=0x8a52");
        Assert.True(f.HasBdsm64);
        f.WriteConfig(IntelIgd.Bdsm64, 4, 0x80000000);
        f.WriteConfig(IntelIgd.Bdsm64 + 4, 4, 0x1);
        Assert.Equal(0x1_8000_0000UL, f.Config.GetQuad(IntelIgd.Bdsm64));
    }

    [Fact]
    public void WithoutRom_NoLegacyMode_OpRegionOnlyOnRequest()
    {
        var none = Igd(",x-pci-device-id=0x0412,romfile=");
        Assert.Null(none.FwCfg.OpRegion);
        Assert.Null(none.FwCfg.BdsmSize);
        var opregion = Igd(",x-pci-device-id=0x0412,romfile=,x-igd-opregion=on");
        Assert.Equal(IntelIgd.OpRegionSize, opregion.FwCfg.OpRegion!.Value.Length);
        Assert.Null(opregion.FwCfg.BdsmSize);
        Assert.Equal(uint.MaxValue, opregion.Config.GetWriteMask(IntelIgd.Asls.Offset, 4));
    }
}

/// <summary>The legacy-mode LPC stub and host-bridge ID copy (§7.1).</summary>
public sealed class IgdLpcTests
{
    [Fact]
    public void LpcStub_CopiesHostIds()
    {
        var host = new IgdHostIds { DeviceId = 0x8c4e, Revision = 0x05, ProgIf = 0x00, SubsystemVendorId = 0x17aa, SubsystemId = 0x2210 };
        var lpc = new IgdLpcBridge(host);
        lpc.Realize();
        Assert.Equal(0x8c4e8086u, lpc.ReadConfig(0, 4));
        Assert.Equal(0x06010005u, lpc.ReadConfig(8, 4));
        Assert.Equal(0x221017aau, lpc.ReadConfig(0x2c, 4));
        Assert.Equal(0, lpc.Config.GetByte(0x3d));
    }

    [Fact]
    public void HostBridge_KeepsIds_TakesRevisionAndSubsystem()
    {
        var i440 = TestDevices.Realized("i440fx");
        IgdLpcBridge.CopyToHostBridge(i440, new IgdHostIds { Revision = 0x06, SubsystemVendorId = 0x17aa, SubsystemId = 0x2210 });
        Assert.Equal(0x12378086u, i440.ReadConfig(0, 4));
        Assert.Equal(0x06000006u, i440.ReadConfig(8, 4));
        Assert.Equal(0x221017aau, i440.ReadConfig(0x2c, 4));
    }
}
