using PciEmu.Core;
using PciEmu.Core.Tracing;
using PciEmu.Fabric;
using PciEmu.Firmware.SeaBios.Tests.Support;
using static PciEmu.Firmware.SeaBios.Tests.Support.TestMachine;

namespace PciEmu.Firmware.SeaBios.Tests;

/// <summary>q35 scenarios from the behavioural spec (seabios-pciinit.md §18), on the test devices.</summary>
public class Q35ScenarioTests
{
    [Fact]
    public void TwoDefaultRootPorts_S3_NoIoForPcieHotplugAndMmconfigAfterProbe()
    {
        var m = Q35();
        m.Root.Plug(DevFn(4), new TestRootPort())!.Plug(0, TestDev());
        m.Root.Plug(DevFn(5), new TestRootPort());
        var r = m.Run();

        Assert.True(r.Outcome.IsOk);
        LogAssert.ContainsBlock(r.PciSetupLog,
            "=== PCI device probing ===",
            "Found 7 PCI devices (max PCI bus is 02)",
            "PCIe: using q35 mmconfig at 0xb0000000",
            "=== PCI new allocation pass #1 ===",
            "PCI: check devices",
            "PCI: QEMU resource reserve cap not found",
            "PCI: secondary bus 2 size 00000000 type io",
            "PCI: secondary bus 2 size 00200000 type mem",
            "PCI: secondary bus 2 size 00200000 type prefmem",
            "PCI: QEMU resource reserve cap not found",
            "PCI: secondary bus 1 size 00001000 type io",
            "PCI: secondary bus 1 size 00200000 type mem",
            "PCI: secondary bus 1 size 00200000 type prefmem",
            "=== PCI new allocation pass #2 ===",
            "PCI: IO: c000 - d05f",
            "PCI: 32: 00000000c0000000 - 00000000fec00000");
        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: map device bdf=01:00.0  bar 1, addr 0000c000, size 00000100 [io]",
            "PCI: map device bdf=01:00.0  bar 0, addr fe400000, size 00001000 [mem]");
        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: init bdf=00:1f.0 id=8086:2918",
            "Q35 LPC init: elcr=00 0c",
            "Using pmtimer, ioport 0x608");

        var rp2 = (PciBridgeFunction)m.Function("00:05.0");
        Assert.Equal(0xd0, rp2.Config.GetByte(0x1c));
        Assert.Equal(0xc0, rp2.Config.GetByte(0x1d)); // 0xcf written; QEMU keeps the top nibble
        Assert.True(rp2.IoWindow.IsEmpty);
        Assert.Equal(10, rp2.Config.GetByte(0x3c));
        Assert.Equal(0xb0000001u, m.Function("00:00.0").Config.GetLong(0x60));
        Assert.Contains(r.E820, e => e.Start == 0xb0000000 && e.Length == 0x10000000 && e.Type == Fabric.FirmwareTables.E820Type.Reserved);
        Assert.Contains(r.E820, e => e.Start == 0xfed1c000 && e.Length == 0x4000 && e.Type == Fabric.FirmwareTables.E820Type.Reserved);
        // ich9_smbus_enable overwrites the BAR pass #2 assigned.
        Assert.Equal(0x701u, m.Function("00:1f.3").Config.GetLong(0x20));
    }

    [Fact]
    public void ReservationCap_S4_BusReserveAndPref64MoveHigh()
    {
        var m = Q35();
        m.Root.Plug(DevFn(4), new TestRootPort(new ReserveCap(BusRes: 4, Io: 8 * 1024, Mem: 8 << 20, Pref64: GiB)))!.Plug(0, TestDev());
        m.Root.Plug(DevFn(5), new TestRootPort(new ReserveCap(Pref32: 16 << 20)));
        var r = m.Run();

        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: QEMU resource reserve cap: bus = 4",
            "PCI: subordinate bus = 0x0 -> 0x5",
            "PCI: pci_bios_init_bus_rec bdf = 0x28",
            "PCI: primary bus = 0x0",
            "PCI: secondary bus = 0xff -> 0x6");
        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: secondary bus 6 size 00000000 type io",
            "PCI: secondary bus 6 size 00200000 type mem",
            "PCI: QEMU resource reserve cap: size 01000000 type prefmem",
            "PCI: secondary bus 6 size 01000000 type prefmem",
            "PCI: QEMU resource reserve cap: size 00002000 type io",
            "PCI: secondary bus 1 size 00002000 type io",
            "PCI: QEMU resource reserve cap: size 00800000 type mem",
            "PCI: secondary bus 1 size 00800000 type mem",
            "PCI: QEMU resource reserve cap: size 40000000 type prefmem",
            "PCI: secondary bus 1 size 40000000 type prefmem");
        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: IO: c000 - e05f",
            "PCI: 32: 00000000c0000000 - 00000000fec00000",
            "PCI: 64: 0000000100000000 - 0000000180000000");
        var rp1 = (PciBridgeFunction)m.Function("00:04.0");
        var rp2 = (PciBridgeFunction)m.Function("00:05.0");
        Assert.Equal(new BridgeWindow(0x1_0000_0000, 0x1_3fff_ffff), rp1.PrefetchableWindow);
        Assert.Equal(new BridgeWindow(0x1_4000_0000, 0x1_40ff_ffff), rp2.PrefetchableWindow);
        Assert.Equal(new BridgeWindow(0xc000, 0xdfff), rp1.IoWindow);
        Assert.Equal(new BridgeWindow(0xfe000000, 0xfe7fffff), rp1.MemoryWindow);
        Assert.Equal(new BridgeWindow(0xfe800000, 0xfe9fffff), rp2.MemoryWindow);
        Assert.Equal((byte)5, rp1.SubordinateBus);
        Assert.Equal((byte)6, rp2.SecondaryBus);
    }

    [Fact]
    public void BusReserveZero_S5_RewindsTheCounter()
    {
        var m = Q35();
        m.Root.Plug(DevFn(4), new TestRootPort(new ReserveCap(BusRes: 0)));
        m.Root.Plug(DevFn(5), new TestRootPort(new ReserveCap(BusRes: 0)));
        var r = m.Run();

        Assert.Equal(2, r.PciSetupLog.Count(l => l == "PCI: secondary bus = 0xff -> 0x1"));
        Assert.Equal(2, r.PciSetupLog.Count(l => l == "PCI: subordinate bus = 0x0 -> 0x0"));
        Assert.Contains("Found 6 PCI devices (max PCI bus is 01)", r.PciSetupLog);
        Assert.Single(r.PciSetupLog, l => l == "PCI: secondary bus 1 size 00000000 type io");
        var rp1 = m.Function("00:04.0").Config;
        var rp2 = m.Function("00:05.0").Config;
        Assert.Equal(0, rp1.GetByte(0x1c)); // busses[1].bus_dev is 00:05.0: 00:04.0's windows are never probed or written
        Assert.Equal(0, rp1.GetWord(0x20));
        Assert.Equal(0xc0, rp2.GetByte(0x1c));
        Assert.Equal(0xb0, rp2.GetByte(0x1d)); // limit 0xbf written
        Assert.Equal(0xfe60, rp2.GetWord(0x20));
        Assert.Equal(0xfe70, rp2.GetWord(0x22)); // 0xfe7f written
        LogAssert.ContainsBlock(r.PciSetupLog,
            "PCI: map device bdf=00:04.0  bar 0, addr fe800000, size 00001000 [mem]",
            "PCI: map device bdf=00:05.0  bar 0, addr fe801000, size 00001000 [mem]",
            "PCI: map device bdf=00:1f.2  bar 5, addr fe802000, size 00001000 [mem]");
    }

    [Fact]
    public void TwoHuge32BitPrefBars_PanicOutOf32BitSpace()
    {
        var m = Q35();
        m.Root.Plug(DevFn(2), new TestFunction("vga", new DeviceIdentity(0x1234, 0x1111, 0x030000), [new BarDefinition(0, BarKind.Memory32, 512 * MiB, true)]));
        m.Root.Plug(DevFn(3), new TestFunction("vga", new DeviceIdentity(0x1234, 0x1111, 0x030000), [new BarDefinition(0, BarKind.Memory32, 512 * MiB, true)]));
        var r = m.Run();

        Assert.Equal(SeaBiosOutcomeKind.Panic, r.Outcome.Kind);
        Assert.Equal("PCI: out of 32bit address space", r.Outcome.Message);
        Assert.Equal(["PCI: 32: 00000000c0000000 - 00000000fec00000", "PCI: out of 32bit address space"], r.PciSetupLog.TakeLast(2));
    }

    [Fact]
    public void AfterMmconfig_EveryConfigCycleUsesEcam_AndPhasesAreMarked()
    {
        var m = Q35();
        m.Root.Plug(DevFn(4), new TestRootPort())!.Plug(0, TestDev());
        var phases = new List<string>();
        var trace = new ConfigTrace();
        m.Cpu.Trace = trace;
        var env = m.Environment() with { Phases = new RecordingPhases(m.Cpu, phases) };
        SeaBiosFirmware.Run(env);

        Assert.Equal(
            ["seabios: pci_bios_init_bus", "seabios: pci_probe_devices", "seabios: pci_bios_init_platform", "seabios: pci_bios_check_devices",
             "seabios: pci_bios_map_devices", "seabios: pci_bios_init_devices", "seabios: pci_enable_default_vga",
             SeaBiosFirmware.PostPhase, SeaBiosFirmware.BootRomPhase],
            phases);
        var names = m.Cpu.Phases;
        int Id(string n) => names.IdOf(n);
        Assert.All(trace.Events.Where(e => e.Phase == Id("seabios: pci_bios_init_bus") || e.Phase == Id("seabios: pci_probe_devices")),
            e => Assert.Equal(AccessMechanism.Cf8Cfc, e.Via));
        var late = trace.Events.Where(e => e.Phase >= Id("seabios: pci_bios_check_devices")).ToList();
        Assert.NotEmpty(late);
        Assert.All(late, e => Assert.Equal(AccessMechanism.Ecam, e.Via));
        // mch_mmconfig_setup: PCIEXBAR written over CF8 during platform init.
        Assert.Contains(trace.Events, e => e.Kind == TraceEventKind.ConfigWrite && e.Offset == 0x60 && e.Value == 0xb0000001 && e.Via == AccessMechanism.Cf8Cfc);
    }

    private sealed class ConfigTrace : ITraceSink
    {
        public List<TraceEvent> Events { get; } = [];

        public void Emit(in TraceEvent e)
        {
            if (e.IsConfig) Events.Add(e);
        }
    }

    private sealed class RecordingPhases(CpuBus cpu, List<string> names) : IPhaseSink
    {
        public IDisposable Begin(string name)
        {
            names.Add(name);
            return cpu.BeginPhase(name);
        }
    }
}
