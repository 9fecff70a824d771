using PciEmu.Firmware.SeaBios.Tests.Support;
using static PciEmu.Firmware.SeaBios.Tests.Support.TestMachine;

namespace PciEmu.Firmware.SeaBios.Tests;

/// <summary>Spec scenarios that need real device models (PciEmu.Devices) on a real machine (PciEmu.Platform).</summary>
public class MachineScenarioTests
{
    private static SeaBiosResult Run(string machine, ulong ram, params string[] devices) =>
        ConformanceRunner.Run(new ConformanceCase("synthetic", "", machine, ram, devices, FirmwareOnly: false)).Result;

    [Fact]
    public void MixedBridgeKinds_S6()
    {
        var r = Run("q35", 128 * MiB,
            "pcie-root-port,id=rp1,chassis=1,addr=04.0", "pcie-pci-bridge,id=pb,bus=rp1", "pci-testdev,bus=pb,addr=01.0",
            "ioh3420,id=ioh,chassis=2,addr=05.0", "pcie-root-port,id=rp3,chassis=3,addr=06.0", "x3130-upstream,id=up,bus=rp3",
            "xio3130-downstream,id=dn,bus=up,chassis=4,slot=0", "pci-testdev,bus=dn");

        Assert.True(r.Outcome.IsOk);
        Assert.Contains("Found 12 PCI devices (max PCI bus is 06)", r.PciSetupLog);
        Assert.Equal(2, r.PciSetupLog.Count(l => l == "PCI: QEMU resource reserve cap device ID doesn't match."));
        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: secondary bus 6 size 00001000 type io",
            "PCI: secondary bus 6 size 00200000 type mem",
            "PCI: secondary bus 6 size 00200000 type prefmem",
            "PCI: secondary bus 5 size 00001000 type io",
            "PCI: secondary bus 5 size 00200000 type mem",
            "PCI: secondary bus 5 size 00200000 type prefmem");
        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: secondary bus 3 size 00000000 type io",
            "PCI: secondary bus 3 size 00200000 type mem",
            "PCI: secondary bus 3 size 00200000 type prefmem");
        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: secondary bus 1 size 00001000 type io",
            "PCI: secondary bus 1 size 00400000 type mem",
            "PCI: secondary bus 1 size 00200000 type prefmem");
        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: IO: c000 - e05f",
            "PCI: 32: 00000000c0000000 - 00000000fec00000",
            "PCI: map device bdf=00:1f.3  bar 4, addr 0000e000, size 00000040 [io]",
            "PCI: map device bdf=00:1f.2  bar 4, addr 0000e040, size 00000020 [io]",
            "PCI: map device bdf=00:04.0  bar 0, addr fe400000, size 00001000 [mem]",
            "PCI: map device bdf=00:06.0  bar 0, addr fe401000, size 00001000 [mem]",
            "PCI: map device bdf=00:1f.2  bar 5, addr fe402000, size 00001000 [mem]",
            "PCI: map device bdf=01:00.0  bar 0, addr fde00000, size 00001000 [mem]",
            "PCI: map device bdf=02:01.0  bar 1, addr 0000d000, size 00000100 [io]",
            "PCI: map device bdf=02:01.0  bar 0, addr fdc00000, size 00001000 [mem]",
            "PCI: map device bdf=06:00.0  bar 1, addr 0000c000, size 00000100 [io]",
            "PCI: map device bdf=06:00.0  bar 0, addr fe000000, size 00001000 [mem]");
    }

    [Fact]
    public void IoReserveNotAligned_ExtraOneLiner()
    {
        var r = Run("q35", 128 * MiB, "pcie-root-port,id=rp1,chassis=1,addr=04.0,io-reserve=2K");

        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: QEMU resource reserve cap: size 00000800 type io",
            "PCI: secondary bus 1 size 00000800 type io");
        Assert.Contains("PCI: map device bdf=00:1f.3  bar 4, addr 0000c800, size 00000040 [io]", r.PciSetupLog);
    }

    [Fact]
    public void FourShpcBridgesOnQ35_UseTheLowIoRegion()
    {
        var r = Run("q35", 128 * MiB,
            "pci-bridge,id=b1,chassis_nr=1", "pci-bridge,id=b2,chassis_nr=2", "pci-bridge,id=b3,chassis_nr=3", "pci-bridge,id=b4,chassis_nr=4");

        Assert.Contains("PCI: IO: 1000 - 505f", r.PciSetupLog);
    }

    [Theory]
    [InlineData("pc", 3400UL, "PCI: 32: 00000000d4800000 - 00000000fec00000")]
    [InlineData("pc", 2560UL, "PCI: 32: 00000000c0000000 - 00000000fec00000")]
    [InlineData("q35", 3072UL, "PCI: 32: 00000000c0000000 - 00000000fec00000")]
    public void PciMemStart_FollowsRamSize(string machine, ulong ramMiB, string expected) =>
        Assert.Contains(expected, Run(machine, ramMiB * MiB).PciSetupLog);

    [Fact]
    public void TwoBigVgas_PanicOutOf32BitSpace()
    {
        var r = Run("q35", 128 * MiB, "VGA,vgamem_mb=512", "VGA,vgamem_mb=512");

        Assert.Equal(SeaBiosOutcomeKind.Panic, r.Outcome.Kind);
        Assert.Equal("PCI: out of 32bit address space", r.PciSetupLog[^1]);
    }
}
