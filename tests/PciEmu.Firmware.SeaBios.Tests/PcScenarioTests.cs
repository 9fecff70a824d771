using PciEmu.Core;
using PciEmu.Firmware.SeaBios.Tests.Support;
using static PciEmu.Firmware.SeaBios.Tests.Support.TestMachine;

namespace PciEmu.Firmware.SeaBios.Tests;

/// <summary>i440fx scenarios from the behavioural spec (seabios-pciinit.md §18), on the test devices.</summary>
public class PcScenarioTests
{
    [Fact]
    public void SingleEndpoint_S1_LogAndRegisters()
    {
        var m = Pc();
        m.Root.Plug(DevFn(3), TestDev());
        var r = m.Run();

        Assert.True(r.Outcome.IsOk);
        Assert.Equal(
        [
            "=== PCI bus & bridge init ===",
            "PCI: pci_bios_init_bus_rec bus = 0x0",
            "=== PCI device probing ===",
            "Found 5 PCI devices (max PCI bus is 00)",
            "=== PCI new allocation pass #1 ===",
            "PCI: check devices",
            "=== PCI new allocation pass #2 ===",
            "PCI: IO: c000 - c10f",
            "PCI: 32: 0000000080000000 - 00000000fec00000",
            "PCI: map device bdf=00:03.0  bar 1, addr 0000c000, size 00000100 [io]",
            "PCI: map device bdf=00:01.1  bar 4, addr 0000c100, size 00000010 [io]",
            "PCI: map device bdf=00:03.0  bar 0, addr febff000, size 00001000 [mem]",
            "PCI: init bdf=00:00.0 id=8086:1237",
            "PCI: init bdf=00:01.0 id=8086:7000",
            "PIIX3/PIIX4 init: elcr=00 0c",
            "PCI: init bdf=00:01.1 id=8086:7010",
            "PCI: init bdf=00:01.3 id=8086:7113",
            "Using pmtimer, ioport 0x608",
            "PCI: init bdf=00:03.0 id=1b36:0005",
            "PCI: No VGA devices found",
        ], r.PciSetupLog);

        var dev = m.Function("00:03.0").Config;
        Assert.Equal(0xc001u, dev.GetLong(0x14));
        Assert.Equal(0xfebff000u, dev.GetLong(0x10));
        Assert.Equal(0x0103, dev.GetWord(0x04));
        var isa = m.Function("00:01.0").Config;
        Assert.Equal(new byte[] { 10, 10, 11, 11 }, isa.ReadOnlyData.Slice(0x60, 4).ToArray());
        var pm = m.Function("00:01.3").Config;
        Assert.Equal(9, pm.GetByte(0x3c));
        Assert.Equal(0x601u, pm.GetLong(0x40) & 0xffff);
        Assert.Equal(0x701u, pm.GetLong(0x90) & 0xffff);
        Assert.Equal(0x8000, m.Function("00:01.1").Config.GetWord(0x40));
    }

    [Fact]
    public void TwoShpcBridges_S2_HotplugDefaultsAndWindows()
    {
        var m = Pc();
        var br1 = m.Root.Plug(DevFn(5), new TestPciBridge(options: new PciDeviceOptions { Id = "br1" }))!;
        br1.Plug(DevFn(2), TestDev());
        m.Root.Plug(DevFn(6), new TestPciBridge(options: new PciDeviceOptions { Id = "br2" }));
        var r = m.Run();

        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: pci_bios_init_bus_rec bdf = 0x28",
            "PCI: primary bus = 0x0",
            "PCI: secondary bus = 0xff -> 0x1",
            "PCI: pci_bios_init_bus_rec bus = 0x1",
            "PCI: QEMU resource reserve cap not found",
            "PCI: subordinate bus = 0x0 -> 0x1",
            "PCI: pci_bios_init_bus_rec bdf = 0x30",
            "PCI: primary bus = 0x0",
            "PCI: secondary bus = 0xff -> 0x2",
            "PCI: pci_bios_init_bus_rec bus = 0x2",
            "PCI: QEMU resource reserve cap not found",
            "PCI: subordinate bus = 0x0 -> 0x2");
        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: check devices",
            "PCI: QEMU resource reserve cap not found",
            "PCI: secondary bus 2 size 00001000 type io",
            "PCI: secondary bus 2 size 00200000 type mem",
            "PCI: secondary bus 2 size 00200000 type prefmem",
            "PCI: QEMU resource reserve cap not found",
            "PCI: secondary bus 1 size 00001000 type io",
            "PCI: secondary bus 1 size 00200000 type mem",
            "PCI: secondary bus 1 size 00200000 type prefmem");
        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: IO: c000 - e00f",
            "PCI: 32: 0000000080000000 - 00000000fec00000",
            "PCI: map device bdf=00:01.1  bar 4, addr 0000e000, size 00000010 [io]",
            "PCI: map device bdf=00:05.0  bar 0, addr fe600000, size 00001000 [mem]",
            "PCI: map device bdf=00:06.0  bar 0, addr fe601000, size 00001000 [mem]",
            "PCI: map device bdf=01:02.0  bar 1, addr 0000d000, size 00000100 [io]",
            "PCI: map device bdf=01:02.0  bar 0, addr fe400000, size 00001000 [mem]");

        var b = (PciBridgeFunction)m.Function("00:05.0");
        Assert.Equal((byte)0, b.PrimaryBus);
        Assert.Equal((byte)1, b.SecondaryBus);
        Assert.Equal((byte)1, b.SubordinateBus);
        Assert.Equal(new BridgeWindow(0xd000, 0xdfff), b.IoWindow);
        Assert.Equal(new BridgeWindow(0xfe400000, 0xfe5fffff), b.MemoryWindow);
        Assert.Equal(new BridgeWindow(0xfea00000, 0xfebfffff), b.PrefetchableWindow);
        Assert.Equal((ushort)BridgeControlBits.Serr, b.BridgeControl);
        Assert.Equal((byte)2, ((PciBridgeFunction)m.Function("00:06.0")).SubordinateBus);
    }

    [Fact]
    public void BigBarWithRamAbove4G_S7_Uses64BitWindowAboveRam()
    {
        var m = Pc(4 * GiB);
        m.Root.Plug(DevFn(3), TestDev(membar: 2 * GiB));
        m.Root.Plug(DevFn(4), new TestFunction("qemu-xhci", new DeviceIdentity(0x1b36, 0x000d, 0x0c0330) { InterruptPin = 1 },
            [new BarDefinition(0, BarKind.Memory64, 0x4000)]));
        m.Root.Plug(DevFn(5), new TestPciBridge(options: new PciDeviceOptions { Id = "b1" }));
        var r = m.Run();

        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: IO: c000 - d10f",
            "PCI: 32: 00000000c0000000 - 00000000fec00000",
            "PCI: 64: 0000000140000000 - 0000000240000000",
            "PCI: map device bdf=00:05.0  bar 0, addr 140000000, size 00001000 [mem]",
            "PCI: map device bdf=00:03.0  bar 2, addr 180000000, size 80000000 [prefmem]",
            "PCI: map device bdf=00:03.0  bar 1, addr 0000d000, size 00000100 [io]",
            "PCI: map device bdf=00:01.1  bar 4, addr 0000d100, size 00000010 [io]",
            "PCI: map device bdf=00:04.0  bar 0, addr fea00000, size 00004000 [mem]",
            "PCI: map device bdf=00:03.0  bar 0, addr fea04000, size 00001000 [mem]");
        var b = (PciBridgeFunction)m.Function("00:05.0");
        Assert.Equal(new BridgeWindow(0x200000000, 0x2001fffff), b.PrefetchableWindow);
        Assert.Equal(0x1_4000_0000UL, r.Windows.PciMem64Start);
        Assert.Equal(0x2_4000_0000UL, r.Windows.PciMem64End);
        Assert.Equal(1UL, m.Function("00:05.0").Config.GetQuad(0x10) >> 32);
    }

    [Fact]
    public void VgaBehindNonHotplugBridge_S8_SwapsRegionsAndEnablesVga()
    {
        var m = Pc();
        var bus1 = m.Root.Plug(DevFn(5), new TestPciBridge(shpc: false))!;
        bus1.Plug(DevFn(1), new TestFunction("VGA", new DeviceIdentity(0x1234, 0x1111, 0x030000, 2),
            [new BarDefinition(0, BarKind.Memory32, 16 * MiB, Prefetchable: true), new BarDefinition(2, BarKind.Memory32, 0x1000)], romSize: 0x10000));
        var r = m.Run();

        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: secondary bus 1 size 00000000 type io",
            "PCI: secondary bus 1 size 00200000 type mem",
            "PCI: secondary bus 1 size 01000000 type prefmem");
        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: map device bdf=01:01.0  bar 6, addr fea00000, size 00010000 [mem]",
            "PCI: map device bdf=01:01.0  bar 2, addr fea10000, size 00001000 [mem]",
            "PCI: map device bdf=01:01.0  bar 0, addr fd000000, size 01000000 [prefmem]");
        Assert.Equal(
            ["PCI: Enabling 01:01.0 for primary VGA", "PCI: Setting VGA enable on bridge 00:05.0"],
            r.PciSetupLog.TakeLast(2));
        Assert.Equal((ushort)0x000a, ((PciBridgeFunction)m.Function("00:05.0")).BridgeControl);
    }

    [Fact]
    public void IntxSwizzle_BehindBridge()
    {
        var m = Pc();
        var bus1 = m.Root.Plug(DevFn(5), new TestPciBridge())!;
        bus1.Plug(DevFn(3), new TestFunction("e", new DeviceIdentity(0x1af4, 0x1000, 0x020000) { InterruptPin = 1 }, []));
        m.Root.Plug(DevFn(6), new TestFunction("f", new DeviceIdentity(0x1af4, 0x1000, 0x020000) { InterruptPin = 1 }, []));
        m.Run();

        Assert.Equal(11, m.Function("01:03.0").Config.GetByte(0x3c));
        Assert.Equal(10, m.Function("00:06.0").Config.GetByte(0x3c));
    }

    [Fact]
    public void TooMuchIo_Panics()
    {
        var m = Pc();
        m.Root.Plug(DevFn(3), new TestFunction("io", new DeviceIdentity(0x1af4, 0x1000, 0x020000), [new BarDefinition(0, BarKind.Io, 0x8000)]));
        m.Root.Plug(DevFn(4), new TestFunction("io", new DeviceIdentity(0x1af4, 0x1000, 0x020000), [new BarDefinition(0, BarKind.Io, 0x8000)]));
        var r = m.Run();

        Assert.Equal(SeaBiosOutcomeKind.Panic, r.Outcome.Kind);
        Assert.Equal("PCI: out of I/O address space", r.Outcome.Message);
        Assert.Equal("PCI: out of I/O address space", r.PciSetupLog[^1]);
    }
}
