using NSubstitute;
using PciEmu.Core;
using PciEmu.Firmware.SeaBios.Tests.Support;
using static PciEmu.Firmware.SeaBios.Tests.Support.TestMachine;

namespace PciEmu.Firmware.SeaBios.Tests;

/// <summary>pci_bios_init_platform, extra root buses, options and the early exits of pci_setup.</summary>
public class PlatformDetectionTests
{
    [Fact]
    public void UnknownHostBridge_UsesDummyRoutingAndRamSize()
    {
        var m = Bare(256 * MiB);
        m.Root.Plug(DevFn(0), new TestFunction("host", new DeviceIdentity(0x1022, 0x1450, 0x060000), []));
        m.Root.Plug(DevFn(3), new TestFunction("nic", new DeviceIdentity(0x1af4, 0x1000, 0x020000) { InterruptPin = 1 }, [new BarDefinition(0, BarKind.Memory32, 0x1000)]));
        var r = m.Run();

        Assert.Contains("PCI: 32: 0000000010000000 - 00000000fec00000", r.PciSetupLog);
        LogAssert.ContainsBlock(r.PciSetupLog, "PCI: init bdf=00:03.0 id=1af4:1000", "pci_slot_get_irq called with unknown routing");
        Assert.Equal(0xff, m.Function("00:03.0").Config.GetByte(0x3c));
        Assert.DoesNotContain(r.PciSetupLog, l => l.StartsWith("PCIe:", StringComparison.Ordinal));
    }

    [Fact]
    public void ExtraPciRoots_TriesEveryBusNumberAsARoot()
    {
        var m = Pc();
        m.FwCfg.AddFileU64("etc/extra-pci-roots", 1);
        var r = m.Run();

        Assert.Equal(256, r.PciSetupLog.Count(l => l.StartsWith("PCI: pci_bios_init_bus_rec bus = 0x", StringComparison.Ordinal)));
        Assert.Equal("PCI: pci_bios_init_bus_rec bus = 0xff", r.PciSetupLog.Last(l => l.StartsWith("PCI: pci_bios_init_bus_rec bus", StringComparison.Ordinal)));
        Assert.Contains("Found 4 PCI devices (max PCI bus is 00)", r.PciSetupLog);
    }

    [Fact]
    public void ReservedMemoryEnd_PlacesThe64BitWindow()
    {
        var m = Pc(2 * GiB);
        m.FwCfg.AddFileU64("etc/reserved-memory-end", 0x3_0000_0000); // -m 2G,slots=2,maxmem=8G
        m.Root.Plug(DevFn(3), TestDev(membar: 2 * GiB));
        var r = m.Run();

        LogAssert.ContainsBlock(r.PciSetupLog, "PCI: 64: 0000000300000000 - 0000000380000000");
        Assert.Contains("PCI: map device bdf=00:03.0  bar 2, addr 300000000, size 80000000 [prefmem]", r.PciSetupLog);
    }

    [Fact]
    public void WithoutConfigQemu_PciSetupReturnsAtOnce()
    {
        var r = Pc().Run(new SeaBiosOptions { ConfigQemu = false });

        Assert.Equal(SeaBiosOutcomeKind.Aborted, r.Outcome.Kind);
        Assert.Empty(r.PciSetupLog);
    }

    [Fact]
    public void NonPciSystem_IsDetectedThroughCf8()
    {
        var m = Pc();
        var ports = Substitute.For<IPortIo>();
        ports.In(0xcf8, 4).Returns(0xffffffffu);
        var r = SeaBiosFirmware.Run(m.Environment() with { Ports = ports });

        Assert.Equal(["=== PCI bus & bridge init ===", "Detected non-PCI system"], r.PciSetupLog);
        Assert.Equal(SeaBiosOutcomeKind.Aborted, r.Outcome.Kind);
    }

    [Fact]
    public void TimerAlreadySetUp_SuppressesThePmTimerLine()
    {
        var r = Pc().Run(new SeaBiosOptions { TimerAlreadySetUp = true });

        Assert.DoesNotContain(r.PciSetupLog, l => l.StartsWith("Using pmtimer", StringComparison.Ordinal));
    }

    [Fact]
    public void DebugLevel3_AddsTheLevel3Lines()
    {
        var m = Pc();
        m.Root.Plug(DevFn(5), new TestRootPort(vendor: 0x8086, deviceId: 0x3420));
        var r = m.Run(new SeaBiosOptions { DebugLevel = 3 });

        Assert.Equal("pci setup", r.Log[r.Log.ToList().IndexOf("=== PCI bus & bridge init ===") - 1]);
        Assert.Contains("PCI: This is non-QEMU bridge.", r.PciSetupLog);
    }

    [Fact]
    public void MakeBiosWritable_OpensThePamsOverCf8_I440fx()
    {
        var m = Pc();
        var cf8 = ForwardingAccessor.Create(new PciEmu.Fabric.Cf8CfcAccessor(m.Cpu));
        var r = SeaBiosFirmware.Run(m.Environment(cf8));

        var host = new Bdf(0, 0, 0);
        var first = cf8.ReceivedCalls().Take(11)
            .Select(c => $"{c.GetMethodInfo().Name} {string.Join(" ", c.GetArguments().Select(a => a is int i ? $"0x{i:x2}" : a is uint u ? $"0x{u:x8}" : a!.ToString()))}")
            .ToArray();
        Assert.Equal(
        [
            "Read16 00:00.0 0x00", // pci_ioconfig_foreachbdf finds 00:00.0
            "Read32 00:00.0 0x00",
            "Read8 00:00.0 0x59",
            "Read32 00:00.0 0x58",
            "Read32 00:00.0 0x5c",
            "Write32 00:00.0 0x58 0x33333000",
            "Write32 00:00.0 0x5c 0x33333333",
            "Read16 00:00.0 0x00", // qemu_detect
            "Read16 00:00.0 0x02",
            "Read16 00:00.0 0x2c",
            "Read16 00:00.0 0x2e",
        ], first);
        Assert.Equal("Running on QEMU (i440fx)", r.Log[0]);
    }

    [Fact]
    public void MakeBiosWritable_OpensThePamsOverCf8_Q35()
    {
        var m = Q35();
        var cf8 = ForwardingAccessor.Create(new PciEmu.Fabric.Cf8CfcAccessor(m.Cpu));
        var r = SeaBiosFirmware.Run(m.Environment(cf8));

        var host = new Bdf(0, 0, 0);
        cf8.Received(1).Write32(host, 0x90, 0x33333330);
        cf8.Received(1).Write32(host, 0x94, 0x00333333);
        Assert.Equal("Running on QEMU (q35)", r.Log[0]);
    }
}
