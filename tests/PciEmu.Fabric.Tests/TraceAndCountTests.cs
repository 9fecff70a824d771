using NSubstitute;
using PciEmu.Core;
using PciEmu.Core.Tracing;
using PciEmu.Fabric.Tracing;
using PciEmu.Testing;

namespace PciEmu.Fabric.Tests;

public class TraceAndCountTests
{
    private static (TestFabric Fabric, StringWriter Text) Traced(TraceFilter? filter = null)
    {
        var f = new TestFabric();
        var text = new StringWriter { NewLine = "\n" };
        var formatter = new TraceFormatter(new HierarchyRegisterNamer(f.Hierarchy), f.Cpu.Phases.NameOf);
        ITraceSink sink = new TextTraceSink(text, formatter);
        if (filter is not null) sink = new FilteredTraceSink(sink, filter);
        f.Cpu.Trace = sink;
        return (f, text);
    }

    [Fact]
    public void VendorIdRead_TextTrace_IsGolden()
    {
        var (f, text) = Traced(new TraceFilter { IncludeBusCycles = true });
        using (f.Cpu.BeginPhase("probe"))
        {
            f.Cf8Accessor.Read16(new Bdf(0, 0, 0), CommonHeader.VendorId.Offset);
            f.EnableEcam();
            f.EcamAccessor.Read16(new Bdf(0, 0, 0), CommonHeader.VendorId.Offset);
            f.EcamAccessor.Write16(new Bdf(0, 0, 0), CommonHeader.Command.Offset, 0x0007);
            f.EcamAccessor.Read32(new Bdf(0, 9, 0), 0);
        }
        Golden.Assert("foundation", "vendor-id-trace.txt", text.ToString());
    }

    [Fact]
    public void TraceSink_ReceivesBusCycleThenConfigEvent_InOrder()
    {
        var f = new TestFabric();
        var sink = Substitute.For<ITraceSink>();
        var seen = new List<TraceEvent>();
        sink.When(s => s.Emit(Arg.Any<TraceEvent>())).Do(c => seen.Add(c.Arg<TraceEvent>()));
        f.Cpu.Trace = sink;
        f.Cf8Accessor.Read16(new Bdf(0, 0, 0), 2);
        Assert.Equal(
            new[] { TraceEventKind.PortWrite, TraceEventKind.PortRead, TraceEventKind.ConfigRead },
            seen.Select(e => e.Kind));
        Assert.Equal(0x29c0u, seen[2].Value);
        Assert.Equal(seen[1].Sequence, seen[2].Sequence);
        Assert.Equal(AccessMechanism.Cf8Cfc, seen[2].Via);
    }

    [Fact]
    public void ConfigWrite_TracesOldAndNew_AndAbortsAreMarked()
    {
        var f = new TestFabric();
        f.EnableEcam();
        var ring = new RingTraceSink(16);
        f.Cpu.Trace = new FilteredTraceSink(ring, new TraceFilter());
        f.EcamAccessor.Write16(new Bdf(0, 0, 0), CommonHeader.Command.Offset, 0xffff);
        f.EcamAccessor.Read32(new Bdf(0, 3, 0), 0);
        var events = ring.Snapshot();
        Assert.Equal(2, events.Count);
        Assert.Equal(TraceEventKind.ConfigWrite, events[0].Kind);
        Assert.Equal(0x0000u, events[0].OldValue);
        Assert.Equal(0x0507u, events[0].NewValue);
        Assert.True(events[1].IsAbort);
        Assert.Equal(0xffffffffu, events[1].Value);
    }

    [Fact]
    public void Filter_ByBdfRegisterPhaseAndMechanism()
    {
        var f = new TestFabric();
        f.EnableEcam();
        var ring = new RingTraceSink();
        var probe = f.Cpu.Phases.IdOf("probe");
        f.Cpu.Trace = new FilteredTraceSink(ring, new TraceFilter
        {
            BdfFrom = new Bdf(0, 0, 0), BdfTo = new Bdf(0, 0, 7), RegisterFrom = 0x04, RegisterTo = 0x07,
            Phases = new HashSet<int> { probe }, Mechanism = AccessMechanism.Ecam, IncludePhaseMarks = false,
        });
        f.EcamAccessor.Read16(new Bdf(0, 0, 0), 4);
        using (f.Cpu.BeginPhase("probe"))
        {
            f.EcamAccessor.Read16(new Bdf(0, 0, 0), 4);
            f.EcamAccessor.Read16(new Bdf(0, 0, 0), 0);
            f.EcamAccessor.Read16(new Bdf(0, 1, 0), 4);
            f.Cf8Accessor.Read16(new Bdf(0, 0, 0), 4);
            f.EcamAccessor.Read32(new Bdf(0, 0, 0), 0x04);
        }
        Assert.Equal(2, ring.Count);
    }

    [Fact]
    public void JsonLines_HaveRegisterNamesAndPhase()
    {
        var f = new TestFabric();
        var w = new StringWriter();
        f.Cpu.Trace = new JsonLinesTraceSink(w, new TraceFormatter(new HierarchyRegisterNamer(f.Hierarchy), f.Cpu.Phases.NameOf));
        using (f.Cpu.BeginPhase("scan")) f.Cf8Accessor.Read8(new Bdf(0, 0, 0), CommonHeader.HeaderType.Offset);
        var lines = w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("\"reg\":\"HEADER_TYPE\"", StringComparison.Ordinal) && l.Contains("\"phase\":\"scan\"", StringComparison.Ordinal));
        Assert.StartsWith("{\"seq\":", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Counters_ByPhaseAndBdf()
    {
        var f = new TestFabric();
        f.EnableEcam();
        using (var p = f.Cpu.BeginPhase("a"))
        {
            f.EcamAccessor.Read32(new Bdf(0, 0, 0), 0);
            f.EcamAccessor.Read32(new Bdf(0, 2, 0), 0);
        }
        var a = f.Cpu.Phases.IdOf("a");
        Assert.Equal(2, f.Cpu.Stats.PhaseAccesses(a));
        Assert.Equal(2 * CostProfiles.BareMetal.MmioAccess, f.Cpu.Stats.PhaseCycles(a));
        Assert.Equal(1, f.Cpu.Stats.BdfAccesses(new Bdf(0, 2, 0)));
        Assert.Equal(new[] { new Bdf(0, 0, 0), new Bdf(0, 2, 0) }, f.Cpu.Stats.SeenBdfs());
    }

    [Fact]
    public void RegisterNames_IncludeCapabilityRelativeNames()
    {
        var c = new ConfigSpace(ConfigSpace.ExpressSize);
        var caps = new CapabilityListBuilder(c);
        caps.Add(CapabilityId.Express, 0x54, 0x3c);
        caps.AddExtended(ExtCapabilityId.Aer, 2, 0x100, 0x48);
        Assert.Equal("CAP_EXP+0x1a", RegisterNames.Describe(c.ReadOnlyData, bridge: true, 0x6e));
        Assert.Equal("ECAP_AER+0x04", RegisterNames.Describe(c.ReadOnlyData, bridge: true, 0x104));
        Assert.Equal("SECONDARY_BUS", RegisterNames.Describe(c.ReadOnlyData, bridge: true, 0x19));
        Assert.Equal("BASE_ADDRESS_0+2", RegisterNames.Describe(c.ReadOnlyData, bridge: false, 0x12));
    }

    [Fact]
    public void AccessPath_AllocatesNothing_WithTracingOff()
    {
        var f = new TestFabric();
        f.EnableEcam();
        f.Chain(2);
        var bdf = new Bdf(2, 1, 0);
        for (var i = 0; i < 100; i++)
        {
            f.EcamAccessor.Read32(bdf, 0);
            f.Cf8Accessor.Read32(bdf, 0);
            f.EcamAccessor.Write32(bdf, 0x40, (uint)i);
            f.Cf8Accessor.Write16(bdf, 0x44, (ushort)i);
            f.EcamAccessor.Read8(new Bdf(9, 0, 0), 0);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            f.EcamAccessor.Read32(bdf, 0);
            f.Cf8Accessor.Read32(bdf, 0);
            f.EcamAccessor.Write32(bdf, 0x40, (uint)i);
            f.Cf8Accessor.Write16(bdf, 0x44, (ushort)i);
            f.EcamAccessor.Read8(new Bdf(9, 0, 0), 0);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(50_000 + 500, f.Cpu.Stats.TotalConfigAccesses);
    }
}
