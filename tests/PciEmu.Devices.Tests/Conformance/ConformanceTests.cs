using System.Text;
using PciEmu.Core;
using PciEmu.Devices.Devices;

namespace PciEmu.Devices.Tests.Conformance;

/// <summary>Every function of every recorded QEMU 7.2 topology, rebuilt from its -device line, byte for byte.</summary>
public sealed class ConformanceTests
{
    public static TheoryData<string, string, int, int> Functions()
    {
        var data = new TheoryData<string, string, int, int>();
        foreach (var c in ConformanceData.Cases.Where(c => c.IsQemu72))
        {
            foreach (var (source, dump) in c.Dumps)
            {
                foreach (var d in dump) data.Add(c.Name + "/" + c.Kind, source, d.Bus, d.DevFn);
            }
        }
        return data;
    }

    /// <summary>query-pci's index for the expansion ROM.</summary>
    private const int RomIndex = 6;

    [Fact]
    public void ConformanceDirectory_IsFound_AndHasQemu72Cases()
    {
        Assert.NotNull(ConformanceData.FindDirectory());
        Assert.True(ConformanceData.Cases.Count(c => c.IsQemu72) >= 30);
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void ModelConfigSpace_MatchesQemu(string caseName, string source, int bus, int devFn)
    {
        var c = ConformanceData.Cases.Single(x => x.Name + "/" + x.Kind == caseName);
        var dump = c.Dumps[source];
        var recorded = dump.Single(d => d.Bus == bus && d.DevFn == devFn);
        var topology = ModelTopology.Build(c, source, dump);
        Assert.True(topology.ByAddress.TryGetValue((bus, devFn), out var model), $"no model at {recorded}");
        Assert.True(recorded.Config.Length <= model!.ConfigSize, $"{recorded}: dump has {recorded.Config.Length} bytes, model {model.ConfigSize}");

        ReplaySelectors(model, recorded, source);
        var actual = new byte[recorded.Config.Length];
        for (var off = 0; off < actual.Length; off += 4)
        {
            var v = model.ReadConfig(off, 4);
            for (var i = 0; i < 4; i++) actual[off + i] = (byte)(v >> (8 * i));
        }
        var mask = GuestWritten.Mask(model, actual.Length, source.StartsWith("linux", StringComparison.Ordinal));
        var artifact = RecorderArtifact(c, source, recorded);
        var diff = new StringBuilder();
        for (var i = 0; i < actual.Length; i++)
        {
            if (artifact[i / 4] || ((actual[i] ^ recorded.Config[i]) & ~mask[i] & 0xff) == 0) continue;
            diff.Append($"  0x{i:x3}: qemu {recorded.Config[i]:x2} model {actual[i]:x2}\n");
        }
        Assert.True(diff.Length == 0, $"{recorded} ({model.TypeName}) differs:\n{diff}");

        if (recorded.Bars.Count > 0 || source == "firmware")
        {
            var modelBars = model.Bars.Select(b => new RecordedBar(b.Index, b.IsIo, b.Is64, b.Prefetchable, b.Size)).ToList();
            if (model.RomSize != 0) modelBars.Add(new RecordedBar(RomIndex, false, false, false, model.RomSize));
            Assert.Equal(recorded.Bars.OrderBy(b => b.Index), modelBars.OrderBy(b => b.Index));
        }

        var want = CapabilityListBuilder.Walk(recorded.Config).Select(x => (x.Id, x.Offset, x.Extended, x.Version));
        var got = CapabilityListBuilder.Walk(actual).Select(x => (x.Id, x.Offset, x.Extended, x.Version));
        Assert.Equal(want, got);
    }

    /// <summary>
    /// The firmware recorder reads some dwords of the q35 MCH (00:00.0) as all-ones: its HMP port reads of 00:00.0
    /// race with SeaBIOS's own CF8 use. No MCH register reads 0xffffffff after SeaBIOS, and the Linux dumps of the
    /// same MCH (read through sysfs) are compared in full. Returns, per dword, whether to skip it.
    /// </summary>
    private static bool[] RecorderArtifact(RecordedCase c, string source, DumpedFunction d)
    {
        var skip = new bool[d.Config.Length / 4];
        if (source != "firmware" || c.Machine != "q35" || d.Bus != 0 || d.DevFn != 0) return skip;
        for (var i = 0; i < skip.Length; i++) skip[i] = BitConverter.ToUInt32(d.Config, 4 * i) == uint.MaxValue;
        return skip;
    }

    /// <summary>
    /// Index/data windows the guest left pointing somewhere: replay the recorded selector through a config write,
    /// so the data register the model shows is the one the guest selected (SHPC DWORD select).
    /// </summary>
    private static void ReplaySelectors(PciFunction model, DumpedFunction recorded, string source)
    {
        if (model is not ShpcBridge { Shpc: { } shpc } || !source.StartsWith("linux", StringComparison.Ordinal)) return;
        var select = shpc.CapOffset + Capabilities.ShpcController.CapDwordSelect;
        model.WriteConfig(select, 1, recorded.Config[select]);
    }
}
