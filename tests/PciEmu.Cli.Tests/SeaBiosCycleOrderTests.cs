using PciEmu.Core;
using PciEmu.Core.Tracing;
using PciEmu.Fabric;
using PciEmu.Fabric.Tracing;
using PciEmu.Scenarios.Running;

namespace PciEmu.Cli.Tests;

/// <summary>
/// The config cycles of the SeaBIOS port's first bus-0 scan on `-M pc -nodefaults`, in order, equal the ones the real
/// SeaBIOS 1.16.2 made (../shared/reference/seabios-pciinit.md §3, observed with QEMU's -trace pci_cfg_*, widths
/// from the code): each access is OUT 0xCF8 then one data-port access; the scan is foreachbdf/pci_next.
/// </summary>
public class SeaBiosCycleOrderTests
{
    private readonly record struct Cycle(TraceEventKind Kind, Bdf Bdf, int Offset, int Width);

    [Fact]
    public void FirstBus0Scan_MatchesRecordedOrder()
    {
        var ring = new RingTraceSink(1 << 16);
        var scenario = ScenarioOptions.CreateParser(new RunSettings()).ParseArguments(["-M", "pc", "-m", "128M", "-nodefaults"]);
        ScenarioRunner.Run(new RunRequest
        {
            Scenario = scenario,
            Firmware = FirmwareKind.SeaBios,
            Trace = m => new FilteredTraceSink(ring, new TraceFilter
            {
                IncludeBusCycles = true,
                IncludePhaseMarks = false,
                PhaseNames = ["seabios: pci_bios_init_bus"],
                PhaseNameOf = m.Cpu.Phases.NameOf,
            }),
        });
        var events = ring.Snapshot();

        // Every config access is exactly one OUT 0xCF8 (dword) followed by one data-port cycle at 0xCFC + (reg & 3).
        for (var i = 0; i < events.Count; i++)
        {
            if (!events[i].IsConfig) continue;
            var latch = events[i - 2];
            var data = events[i - 1];
            Assert.Equal((TraceEventKind.PortWrite, 4, 0xcf8UL), (latch.Kind, (int)latch.Width, latch.Address));
            Assert.Equal(Cf8CfcAccessor.Address(events[i].Bdf, events[i].Offset), latch.Value);
            Assert.Equal(0xcfcUL + (ulong)(events[i].Offset & 3), data.Address);
        }

        var cycles = events.Where(e => e.IsConfig).Select(e => new Cycle(e.Kind, e.Bdf, e.Offset, e.Width)).ToList();
        // pci_next's probes (§3) interleaved with the loop body of pci_bios_init_bus_rec, which reads the class
        // word (rw 0x0A) of every device it visits to look for PCI bridges.
        const int vendor = 0x00, classDevice = 0x0a, headerType = 0x0e;
        var expected = new List<Cycle>
        {
            new(TraceEventKind.ConfigRead, new Bdf(0, 0, 0), vendor, 2),
            new(TraceEventKind.ConfigRead, new Bdf(0, 0, 0), classDevice, 2),
            new(TraceEventKind.ConfigRead, new Bdf(0, 0, 0), headerType, 1),
            new(TraceEventKind.ConfigRead, new Bdf(0, 1, 0), vendor, 2),
            new(TraceEventKind.ConfigRead, new Bdf(0, 1, 0), classDevice, 2),
            new(TraceEventKind.ConfigRead, new Bdf(0, 1, 0), headerType, 1),
            new(TraceEventKind.ConfigRead, new Bdf(0, 1, 1), vendor, 2),
            new(TraceEventKind.ConfigRead, new Bdf(0, 1, 1), classDevice, 2),
            new(TraceEventKind.ConfigReadAbort, new Bdf(0, 1, 2), vendor, 2),
            new(TraceEventKind.ConfigRead, new Bdf(0, 1, 3), vendor, 2),
            new(TraceEventKind.ConfigRead, new Bdf(0, 1, 3), classDevice, 2),
        };
        for (var fn = 4; fn < 8; fn++) expected.Add(new(TraceEventKind.ConfigReadAbort, new Bdf(0, 1, fn), 0x00, 2));
        for (var dev = 2; dev < 32; dev++) expected.Add(new(TraceEventKind.ConfigReadAbort, new Bdf(0, dev, 0), 0x00, 2));
        Assert.Equal(expected, cycles.Take(expected.Count));
    }
}
