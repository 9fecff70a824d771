using PciEmu.Os.Tests.Support;

namespace PciEmu.Os.Tests;

/// <summary>Replays every pc/q35 Linux case in ../shared/conformance and compares the PCI lines of dmesg, the PCI
/// entries of /proc/iomem and /proc/ioports, and the hot-plug verdict with what real Linux 6.1/6.12 did.</summary>
public sealed class ConformanceTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in ConformanceCase.AllCases()) data.Add(c);
        return data;
    }

    /// <summary>The cases that recorded a hot-plug (hotplug0.dmesg.txt).</summary>
    public static TheoryData<string> HotplugCases()
    {
        var data = new TheoryData<string>();
        foreach (var c in ConformanceCase.AllCases())
        {
            if (File.Exists(System.IO.Path.Combine(PciEmu.Testing.Recordings.Dir(c), "hotplug0.dmesg.txt"))) data.Add(c);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BootDmesg_MatchesRecordedPciLines(string name)
    {
        var c = new ConformanceCase(name);
        var e = c.Boot();
        var expected = ConformanceCase.FilterDmesg(c.Recorded("boot.dmesg.txt"));
        AssertLines(expected, e.Log.Lines);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BootProc_MatchesRecordedPciEntries(string name)
    {
        var c = new ConformanceCase(name);
        var e = c.Boot();
        AssertLines(ConformanceCase.FilterProc(c.Recorded("boot.iomem.txt")), ConformanceCase.FilterProc(e.ProcIomem().Split('\n')));
        AssertLines(ConformanceCase.FilterProc(c.Recorded("boot.ioports.txt")), ConformanceCase.FilterProc(e.ProcIoports().Split('\n')));
    }

    [Theory]
    [MemberData(nameof(HotplugCases))]
    public void Hotplug_MatchesRecordedLinesAndVerdict(string name)
    {
        var c = new ConformanceCase(name);
        var e = c.Boot();
        var verdict = c.HotplugFirst(e, out var recorded);
        Assert.NotNull(verdict);
        var boot = ConformanceCase.FilterDmesg(c.Recorded("boot.dmesg.txt"));
        var all = ConformanceCase.FilterDmesg(c.Recorded("hotplug0.dmesg.txt"));
        AssertLines(all.Skip(boot.Count).ToArray(), verdict.Log);
        var outcome = recorded.GetProperty("outcome");
        Assert.Equal(outcome.GetProperty("all_bars_assigned").GetBoolean(), verdict.AllBarsAssigned);
        Assert.Equal(outcome.GetProperty("retry_seen").GetBoolean(), verdict.RetrySeen);
        foreach (var dev in outcome.GetProperty("devices").EnumerateObject())
        {
            var mine = verdict.Devices.Single(d => d.Bdf.ToString("D", null) == dev.Name);
            foreach (var bar in dev.Value.EnumerateArray())
            {
                var b = mine.Bars.Single(x => x.Index == bar.GetProperty("index").GetInt32());
                Assert.Equal(bar.GetProperty("linux_assigned").GetBoolean(), b.Assigned);
                if (b.Assigned) Assert.Equal(Convert.ToUInt64(bar.GetProperty("linux_start").GetString()!, 16), b.Start);
            }
        }
        AssertLines(ConformanceCase.FilterProc(c.Recorded("hotplug0.iomem.txt")), ConformanceCase.FilterProc(e.ProcIomem().Split('\n')));
        AssertLines(ConformanceCase.FilterProc(c.Recorded("hotplug0.ioports.txt")), ConformanceCase.FilterProc(e.ProcIoports().Split('\n')));
    }

    /// <summary>Line-for-line comparison that reports the first difference with context.</summary>
    internal static void AssertLines(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        var n = Math.Min(expected.Count, actual.Count);
        for (var i = 0; i < n; i++)
        {
            if (expected[i] != actual[i])
                Assert.Fail($"line {i + 1} differs\n  expected: {expected[i]}\n  actual:   {actual[i]}\n--- actual around:\n{string.Join('\n', actual.Skip(Math.Max(0, i - 3)).Take(8))}");
        }
        if (expected.Count != actual.Count)
        {
            var extra = expected.Count > actual.Count ? expected.Skip(n) : actual.Skip(n);
            Assert.Fail($"line counts differ: expected {expected.Count}, actual {actual.Count}; first surplus ({(expected.Count > actual.Count ? "missing" : "extra")}): {string.Join(" | ", extra.Take(3))}");
        }
    }
}
