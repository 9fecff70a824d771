using PciEmu.Core;
using PciEmu.Core.Tracing;
using PciEmu.Testing;

namespace PciEmu.Fabric.Tests;

/// <summary>
/// With tracing off, CpuBus answers ECAM and CF8/CFC config reads on a fast path (cached routing, direct calls, one
/// counting step). With a trace sink attached every access takes the full path. The same script run both ways must
/// return the same values and leave every counter, the clock and the sequence identical — across master aborts,
/// hidden and hot-plugged functions, config-limit edges, read hooks, phases, renumbering, hot-plug and remapping.
/// </summary>
public class FastPathTests
{
    private const uint Absent = 0xffffffffu;

    /// <summary>A function whose LNKSTA-like word at 0x44 is refreshed by a read hook, as PcieSlotPort's pcie_sync_bridge_lnk.</summary>
    private sealed class HookedFunction() : PciFunction(null)
    {
        public const int HookedOffset = 0x44;
        public int HookRuns { get; private set; }
        public override string TypeName => "hooked";
        public override DeviceIdentity Identity { get; } = new(0x1b36, 0x00aa, 0x00ff00);
        public override bool IsExpress => true;

        protected override void Configure(ConfigSpaceBuilder b) => b.OnConfigRead(HookedOffset, sizeof(ushort));

        protected override void OnConfigRead(int offset, int width)
        {
            HookRuns++;
            Config.SetWord(HookedOffset, (ushort)HookRuns);
        }
    }

    private sealed class DiscardSink : ITraceSink
    {
        public void Emit(in TraceEvent e)
        {
        }
    }

    private sealed record Rig(TestFabric Fabric, List<TestBridge> Bridges, HookedFunction Hooked, PciBus Deep);

    private static Rig Build(bool traced, ICostModel cost)
    {
        var f = new TestFabric(cost);
        f.EnableEcam();
        var (bridges, _) = f.Chain(2);
        var deep = f.Root.Children[0].Children[0];
        var hooked = new HookedFunction();
        deep.Plug(3 << 3, hooked);
        f.Root.Plug(5 << 3, new TestEndpoint(express: true));
        if (traced) f.Cpu.Trace = new DiscardSink();
        return new Rig(f, bridges, hooked, deep);
    }

    /// <summary>Every read shape the fast path might take or refuse, run through both mechanisms.</summary>
    private static List<uint> Script(Rig r)
    {
        var f = r.Fabric;
        var values = new List<uint>();
        var targets = new[]
        {
            new Bdf(0, 0, 0), new Bdf(0, 5, 0), new Bdf(2, 1, 0), new Bdf(2, 3, 0), new Bdf(2, 4, 0), new Bdf(7, 0, 0),
            new Bdf(1, 1, 0), new Bdf(0, 31, 7),
        };
        var offsets = new[] { 0, 2, 3, 0x44, 0x45, 0xfc, 0xfe, 0xff, 0x100, 0x104, 0xffc, 0xffe };
        foreach (var bdf in targets)
        {
            foreach (var o in offsets)
            {
                values.Add(f.EcamAccessor.Read32(bdf, o & ~3));
                values.Add(f.EcamAccessor.Read16(bdf, o & ~1));
                values.Add(f.EcamAccessor.Read8(bdf, o));
                values.Add(f.Cpu.In(Cf8CfcHost.DataPort, 4));
                values.Add(f.Cf8Accessor.Read32(bdf, o & 0xfc));
                values.Add(f.Cf8Accessor.Read16(bdf, o & 0xfe));
                values.Add(f.Cf8Accessor.Read8(bdf, o & 0xff));
                // Unaligned and odd-width accesses straight on the bus.
                values.Add((uint)f.Cpu.MmioRead(EcamHost.AddressOf(TestFabric.EcamBase, bdf, o), 4));
                values.Add((uint)f.Cpu.MmioRead(EcamHost.AddressOf(TestFabric.EcamBase, bdf, o), 3));
                values.Add((uint)f.Cpu.MmioRead(EcamHost.AddressOf(TestFabric.EcamBase, bdf, o), 8));
            }
        }
        // CONFIG_ADDRESS with the enable bit clear, byte writes to 0xCF8 (ignored), then a data read.
        f.Cpu.Out(Cf8CfcHost.AddressPort, 4, 0x0000_0000);
        values.Add(f.Cpu.In(Cf8CfcHost.DataPort, 4));
        f.Cpu.Out(Cf8CfcHost.AddressPort, 1, 0x80);
        values.Add(f.Cpu.In(Cf8CfcHost.DataPort + 2, 2));
        values.Add(f.Cpu.In(Cf8CfcHost.AddressPort, 4));
        return values;
    }

    private static List<uint> Scenario(Rig r)
    {
        var f = r.Fabric;
        var values = new List<uint>();
        values.AddRange(Script(r));
        using (f.Cpu.BeginPhase("phase-a"))
        {
            values.AddRange(Script(r));
            using (f.Cpu.BeginPhase("phase-b")) values.AddRange(Script(r));
        }
        // Unpowered slot: the functions below read as hidden (no epoch change involved).
        r.Bridges[1].Powered = false;
        values.AddRange(Script(r));
        r.Bridges[1].Powered = true;
        // A function without slot power.
        r.Hooked.HasPower = false;
        values.AddRange(Script(r));
        r.Hooked.HasPower = true;
        // Hot-plugged function 1 of a slot without function 0 (hidden), then with it.
        var hot = new TestEndpoint { Hotplugged = true };
        r.Deep.Plug((6 << 3) | 1, hot);
        values.AddRange(Script(r));
        r.Deep.Plug(6 << 3, new TestEndpoint { Hotplugged = true });
        values.AddRange(Script(r));
        // Renumbering: the deep bus moves from 2 to 7, then the subordinate range shrinks so that bus 7 is unreachable.
        f.EcamAccessor.Write8(new Bdf(1, 1, 0), Type1Header.SecondaryBus.Offset, 7);
        f.EcamAccessor.Write8(new Bdf(0, 1, 0), Type1Header.SubordinateBus.Offset, 7);
        f.EcamAccessor.Write8(new Bdf(1, 1, 0), Type1Header.SubordinateBus.Offset, 7);
        values.AddRange(Script(r));
        f.Cf8Accessor.Write8(new Bdf(0, 1, 0), Type1Header.SubordinateBus.Offset, 1);
        values.AddRange(Script(r));
        // Unplug an endpoint, move the ECAM window away and back.
        f.Root.Unplug(5 << 3);
        values.AddRange(Script(r));
        f.Ecam.Update(false, TestFabric.EcamBase, TestFabric.EcamSize);
        values.AddRange(Script(r));
        f.EnableEcam();
        values.AddRange(Script(r));
        return values;
    }

    public static TheoryData<string> CostModels => new() { "bare", "kvm", "tcg" };

    [Theory]
    [MemberData(nameof(CostModels))]
    public void UntracedReads_CountExactlyLikeTracedReads(string costModel)
    {
        var cost = CostProfiles.Find(costModel)!;
        var fast = Build(traced: false, cost);
        var full = Build(traced: true, cost);
        Assert.Equal(Scenario(full), Scenario(fast));
        var (a, b) = (full.Fabric.Cpu, fast.Fabric.Cpu);
        Assert.Equal(a.Sequence, b.Sequence);
        Assert.Equal(a.Cycle, b.Cycle);
        Assert.Equal(a.Stats.PortCycles, b.Stats.PortCycles);
        Assert.Equal(a.Stats.MmioCycles, b.Stats.MmioCycles);
        Assert.Equal(a.Stats.TotalCycles, b.Stats.TotalCycles);
        Assert.Equal(a.Stats.ConfigAborts, b.Stats.ConfigAborts);
        Assert.True(a.Stats.ConfigAborts > 0);
        foreach (var m in (AccessMechanism[])[AccessMechanism.Cf8Cfc, AccessMechanism.Ecam])
        {
            foreach (var w in (int[])[1, 2, 4])
            {
                foreach (var write in (bool[])[false, true])
                {
                    Assert.Equal(a.Stats.ConfigAccesses(m, w, write), b.Stats.ConfigAccesses(m, w, write));
                    Assert.Equal(a.Stats.ConfigAccessCycles(m, w, write), b.Stats.ConfigAccessCycles(m, w, write));
                }
            }
        }
        Assert.Equal(a.Phases.Names, b.Phases.Names);
        for (var p = 0; p < a.Phases.Names.Count; p++)
        {
            Assert.Equal(a.Stats.PhaseCycles(p), b.Stats.PhaseCycles(p));
            Assert.Equal(a.Stats.PhaseAccesses(p), b.Stats.PhaseAccesses(p));
        }
        Assert.Equal(a.Stats.SeenBdfs(), b.Stats.SeenBdfs());
        foreach (var bdf in a.Stats.SeenBdfs())
        {
            Assert.Equal(a.Stats.BdfAccesses(bdf), b.Stats.BdfAccesses(bdf));
            Assert.Equal(a.Stats.BdfCycles(bdf), b.Stats.BdfCycles(bdf));
        }
        Assert.Equal(full.Hooked.HookRuns, fast.Hooked.HookRuns);
        Assert.True(fast.Hooked.HookRuns > 0);
    }

    [Fact]
    public void TotalCycles_IsTheSumOfBusCostsAndHops()
    {
        var f = new TestFabric(CostProfiles.BareMetal);
        f.EnableEcam();
        f.Chain(2);
        f.EcamAccessor.Read32(new Bdf(2, 1, 0), 0);
        f.Cf8Accessor.Read32(new Bdf(2, 1, 0), 0);
        var c = CostProfiles.BareMetal;
        Assert.Equal(c.MmioAccess + 2 * c.PortAccess + 2 * 2 * c.BridgeHop, f.Cpu.Stats.TotalCycles);
        Assert.Equal(f.Cpu.Cycle, f.Cpu.Stats.TotalCycles);
        Assert.Equal(c.MmioAccess + 2 * c.BridgeHop, f.Cpu.Stats.ConfigAccessCycles(AccessMechanism.Ecam, 4, false));
        Assert.Equal(2 * c.PortAccess + 2 * c.BridgeHop, f.Cpu.Stats.ConfigAccessCycles(AccessMechanism.Cf8Cfc, 4, false));
    }

    [Fact]
    public void ReadHook_RunsOnlyForReadsOverlappingItsBytes()
    {
        var f = new TestFabric();
        f.EnableEcam();
        var hooked = new HookedFunction();
        f.Root.Plug(3 << 3, hooked);
        var bdf = new Bdf(0, 3, 0);
        f.EcamAccessor.Read32(bdf, 0x40);
        f.EcamAccessor.Read8(bdf, 0x46);
        f.Cf8Accessor.Read8(bdf, 0x43);
        Assert.Equal(0, hooked.HookRuns);
        Assert.Equal(1u, f.EcamAccessor.Read16(bdf, 0x44));
        Assert.Equal(2u, f.Cf8Accessor.Read16(bdf, 0x44));
        Assert.Equal(3u << 16, f.EcamAccessor.Read32(bdf, 0x44 - 2) & 0xffff0000);
    }

    [Fact]
    public void PlugIntoACachedBus_IsVisibleAtOnce_AndUnplugAborts()
    {
        var f = new TestFabric();
        f.EnableEcam();
        f.Chain(1);
        var bdf = new Bdf(1, 7, 0);
        Assert.Equal(Absent, f.EcamAccessor.Read32(bdf, 0));
        var bus = f.Root.Children[0];
        bus.Plug(7 << 3, new TestEndpoint());
        Assert.Equal(0x00051b36u, f.EcamAccessor.Read32(bdf, 0));
        Assert.Equal(0x00051b36u, f.Cf8Accessor.Read32(bdf, 0));
        bus.Unplug(7 << 3);
        Assert.Equal(Absent, f.EcamAccessor.Read32(bdf, 0));
        Assert.Equal(Absent, f.Cf8Accessor.Read32(bdf, 0));
    }

    [Fact]
    public void ShadowingRegion_TakesPrecedenceOverTheEcamFastPath()
    {
        var f = new TestFabric();
        f.EnableEcam();
        var shadow = new ConstantMmio(0x12345678);
        f.Cpu.MapMmio(TestFabric.EcamBase, EcamHost.BytesPerBus, shadow, priority: 1);
        Assert.Equal(0x12345678u, f.EcamAccessor.Read32(new Bdf(0, 0, 0), 0));
        f.Cpu.UnmapMmio(shadow);
        Assert.Equal(0x29c08086u, f.EcamAccessor.Read32(new Bdf(0, 0, 0), 0));
    }

    private sealed class ConstantMmio(uint value) : IMmioHandler
    {
        public ulong Read(ulong offset, int width) => value;

        public void Write(ulong offset, int width, ulong value)
        {
        }
    }
}
