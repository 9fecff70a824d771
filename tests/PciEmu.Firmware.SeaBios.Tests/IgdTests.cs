using PciEmu.Fabric.FirmwareTables;
using PciEmu.Core;
using PciEmu.Fabric;
using PciEmu.Firmware.SeaBios.Tests.Support;
using PciEmu.Platform;
using NSubstitute;
using static PciEmu.Firmware.SeaBios.Tests.Support.TestMachine;

namespace PciEmu.Firmware.SeaBios.Tests;

/// <summary>intel_igd_setup: OpRegion → ASLS (0xFC), stolen memory → BDSM (0x5C) and an e820 reservation.</summary>
public class IgdTests
{
    private const int Asls = 0xfc;
    private const int Bdsm = 0x5c;
    private static readonly Bdf IgdBdf = new(0, 2, 0);

    private static TestFunction Igd() => new("igd", new DeviceIdentity(0x8086, 0x0412, 0x030000, 6) { InterruptPin = 1 },
        [new BarDefinition(0, BarKind.Memory64, 4 * MiB), new BarDefinition(2, BarKind.Memory64, 256 * MiB, true), new BarDefinition(4, BarKind.Io, 0x40)],
        configure: b => b.Rw(Bdsm, 4, uint.MaxValue).Rw(Asls, 4, uint.MaxValue));

    private static TestMachine PcWithIgd(int devFn = 0x10)
    {
        var m = Pc(2 * GiB);
        m.Root.Plug(devFn, Igd());
        return m;
    }

    [Fact]
    public void OpRegionAndBdsm_WriteAllocatedAddresses_AndReserveStolenMemory()
    {
        var m = PcWithIgd();
        m.FwCfg.AddFile("etc/igd-opregion", new byte[8 * 1024]);
        m.FwCfg.AddFileU64("etc/igd-bdsm-size", 32 * MiB);
        var alloc = Substitute.For<ISeaBiosAllocator>();
        alloc.MemalignHigh(4096, 8192).Returns(0x7ffd0000u);
        alloc.MemalignTmpHigh(1024 * 1024, 32 * MiB).Returns(0x7d000000u);

        var r = SeaBiosFirmware.Run(m.Environment() with { Allocator = alloc });

        var cfg = m.Function("00:02.0").Config;
        Assert.Equal(0x7ffd0000u, cfg.GetLong(Asls));
        Assert.Equal(0x7d000000u, cfg.GetLong(Bdsm));
        Assert.Contains(new E820Entry(0x7d000000, 32 * MiB, E820Type.Reserved), r.E820);
        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: init bdf=00:02.0 id=8086:0412",
            "Intel IGD OpRegion enabled at 0x7ffd0000, size 8KB, dev 00:02.0",
            "Intel IGD BDSM enabled at 0x7d000000, size 32MB, dev 00:02.0");
        Assert.Equal("PCI: Using 00:02.0 for primary VGA", r.PciSetupLog[^1]);
    }

    [Fact]
    public void DefaultAllocator_PlacesOpRegionInZoneHighAndBdsmBelowIt()
    {
        var m = PcWithIgd();
        m.FwCfg.AddFile("etc/igd-opregion", new byte[8 * 1024]);
        m.FwCfg.AddFileU64("etc/igd-bdsm-size", 64 * MiB);
        var r = m.Run();

        var cfg = m.Function("00:02.0").Config;
        var asls = cfg.GetLong(Asls);
        var bdsm = cfg.GetLong(Bdsm);
        Assert.Equal(0u, asls % 4096);
        Assert.InRange(asls, 0x80000000u - 16 * 1024 * 1024, 0x80000000u - 8 * 1024);
        Assert.Equal(0u, bdsm % (1024 * 1024));
        Assert.True(bdsm + 64 * MiB <= 0x80000000u - 16 * MiB);
        Assert.Contains(new E820Entry(bdsm, 64 * MiB, E820Type.Reserved), r.E820);
    }

    [Fact]
    public void WithoutFwCfgFiles_NothingIsWrittenToAslsOrBdsm()
    {
        var m = PcWithIgd();
        var real = new Cf8CfcAccessor(m.Cpu);
        var cf8 = ForwardingAccessor.Create(real);
        var fw = Substitute.For<IFwCfg>();
        fw.TryGetFile(Arg.Any<string>(), out Arg.Any<ReadOnlyMemory<byte>>()).Returns(ci =>
        {
            var ok = m.FwCfg.TryGetFile((string)ci[0], out var data);
            ci[1] = data;
            return ok;
        });

        var r = SeaBiosFirmware.Run(m.Environment(cf8, fw));

        Assert.True(r.Outcome.IsOk);
        fw.Received().TryGetFile("etc/igd-opregion", out Arg.Any<ReadOnlyMemory<byte>>());
        fw.Received().TryGetFile("etc/igd-bdsm-size", out Arg.Any<ReadOnlyMemory<byte>>());
        cf8.DidNotReceive().Write32(IgdBdf, Bdsm, Arg.Any<uint>());
        cf8.DidNotReceive().Write32(IgdBdf, Asls, Arg.Any<uint>());
        cf8.Received().Write32(IgdBdf, 0x10, Arg.Any<uint>()); // the BARs were still programmed through the seam
        Assert.DoesNotContain(r.PciSetupLog, l => l.StartsWith("Intel IGD", StringComparison.Ordinal));
    }

    [Fact]
    public void OpRegionOnly_WritesAslsButNotBdsm()
    {
        var m = PcWithIgd();
        m.FwCfg.AddFile("etc/igd-opregion", new byte[8 * 1024]);
        var cf8 = ForwardingAccessor.Create(new Cf8CfcAccessor(m.Cpu));

        SeaBiosFirmware.Run(m.Environment(cf8));

        cf8.Received(1).Write32(IgdBdf, Asls, Arg.Any<uint>());
        cf8.DidNotReceive().Write32(IgdBdf, Bdsm, Arg.Any<uint>());
    }

    [Fact]
    public void BdsmOnlyAppliesAt00_02_0()
    {
        var m = PcWithIgd(devFn: 0x18);
        m.FwCfg.AddFileU64("etc/igd-bdsm-size", 32 * MiB);
        var cf8 = ForwardingAccessor.Create(new Cf8CfcAccessor(m.Cpu));

        var r = SeaBiosFirmware.Run(m.Environment(cf8));

        cf8.DidNotReceive().Write32(new Bdf(0, 3, 0), Bdsm, Arg.Any<uint>());
        Assert.DoesNotContain(r.E820, e => e.Length == 32 * MiB);
    }

    [Fact]
    public void OpRegionAllocationFailure_WarnsAndSkipsBdsm()
    {
        var m = PcWithIgd();
        m.FwCfg.AddFile("etc/igd-opregion", new byte[8 * 1024]);
        m.FwCfg.AddFileU64("etc/igd-bdsm-size", 32 * MiB);
        var alloc = Substitute.For<ISeaBiosAllocator>();
        alloc.MemalignHigh(Arg.Any<uint>(), Arg.Any<uint>()).Returns((uint?)null);

        var r = SeaBiosFirmware.Run(m.Environment() with { Allocator = alloc });

        Assert.Contains("WARNING - Unable to allocate resource at intel_igd_setup:300!", r.PciSetupLog);
        alloc.DidNotReceiveWithAnyArgs().MemalignTmpHigh(default, default);
        Assert.Equal(0u, m.Function("00:02.0").Config.GetLong(Bdsm));
    }
}
