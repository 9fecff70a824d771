using PciEmu.Core;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Testing;

namespace PciEmu.Scenarios.Tests.Testing;

/// <summary>The worked example of docs/qtest-api.md, compiled and run.</summary>
public class QPciTests
{
    [Fact]
    public void WorkedExample_RootPortSlotAndTestdevBars()
    {
        // Start q35 with a root port and a pci-testdev behind it; no firmware, so we program things ourselves.
        var qm = QPciMachine.Start("-M q35 -m 1G -nodefaults -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=4 -device pci-testdev,bus=rp1,membar=4G").EnableEcam();

        var port = qm.Find(0x1b36, 0x000c);
        Assert.Equal(new Bdf(0, 1, 0), port.Bdf);
        var exp = port.FindCapability(CapabilityId.Express);
        Assert.Equal(0x54, exp);
        Assert.Equal(4u, port.Peek("CAP_EXP+0x14.l") >> 19);            // physical slot number
        Assert.NotEqual(0, port.FindExtendedCapability(ExtCapabilityId.Aer));

        // Number the secondary bus, as firmware would, and find the endpoint behind it.
        port.Poke("SECONDARY_BUS=1");
        port.Poke("SUBORDINATE_BUS=1");
        var dev = qm.Find(0x1b36, 0x0005);
        Assert.Equal(new Bdf(1, 0, 0), dev.Bdf);

        // Size and map BARs: 4 KiB MMIO, 256 B I/O, and the 64-bit 4 GiB membar above 4 GiB.
        var bar0 = dev.MapBar(0);
        var bar1 = dev.MapBar(1);
        var bar2 = dev.MapBar(2);
        Assert.Equal((0x1000UL, false, false), (bar0.Size, bar0.IsIo, bar0.Is64));
        Assert.Equal((0x100UL, true), (bar1.Size, bar1.IsIo));
        Assert.Equal((1UL << 32, true, true), (bar2.Size, bar2.Is64, bar2.Prefetchable));
        Assert.Equal(0x1_0000_0000UL, bar2.Address);
        Assert.Equal((uint)(bar2.Address >> 32), dev.ReadLong(Type0Header.BaseAddress3.Offset));

        // Enable it and check the command register with a masked peek.
        dev.Enable();
        Assert.Equal(0x7u, dev.Peek("COMMAND") & 0x7);
        dev.Poke("COMMAND=0:4");                                         // clear bus mastering only
        Assert.Equal(0x3u, dev.Peek("COMMAND") & 0x7);
        Assert.True(qm.Machine.Cpu.Stats.MmioCycles > 0);                // every access above was an ECAM cycle
    }

    [Fact]
    public void WithFirmware_DevicesAreAlreadyMapped()
    {
        var qm = QPciMachine.Start("-M pc -m 1G -nodefaults -device pci-bridge,id=br1,chassis_nr=1 -device pci-testdev,bus=br1,addr=1", FirmwareKind.SeaBios);
        var dev = qm.Find(0x1b36, 0x0005);
        Assert.Equal(new Bdf(1, 1, 0), dev.Bdf);
        Assert.Equal(0xfe600000u, dev.ReadLong(Type0Header.BaseAddress0.Offset));
        Assert.Equal(0, dev.FindCapability(CapabilityId.Express));
    }
}
