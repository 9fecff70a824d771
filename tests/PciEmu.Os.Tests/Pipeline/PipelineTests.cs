using PciEmu.Os.Tests.Support;

namespace PciEmu.Os.Tests.Pipeline;

/// <summary>
/// Machine → SeaBIOS port → enumerator → device_add, compared with the recorded Linux dmesg / proc files. This is the
/// end-to-end check; <see cref="ConformanceTests"/> isolates the enumerator on replayed firmware state.
/// </summary>
public sealed class PipelineTests
{
    public static TheoryData<string> Cases() => ConformanceTests.Cases();

    public static TheoryData<string> HotplugCases() => ConformanceTests.HotplugCases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pipeline_BootDmesg_MatchesRecorded(string name)
    {
        var c = new PipelineCase(name);
        Assert.True(c.Firmware.Outcome.IsOk);
        c.Enumerator.Boot();
        var expected = ConformanceCase.FilterDmesg(File.ReadAllLines(Path.Combine(SharedPaths.Conformance!, name, "boot.dmesg.txt")));
        ConformanceTests.AssertLines(expected, c.Enumerator.Log.Lines);
        var dir = Path.Combine(SharedPaths.Conformance!, name);
        ConformanceTests.AssertLines(ConformanceCase.FilterProc(File.ReadAllLines(Path.Combine(dir, "boot.iomem.txt"))),
            ConformanceCase.FilterProc(c.Enumerator.ProcIomem().Split('\n')));
        ConformanceTests.AssertLines(ConformanceCase.FilterProc(File.ReadAllLines(Path.Combine(dir, "boot.ioports.txt"))),
            ConformanceCase.FilterProc(c.Enumerator.ProcIoports().Split('\n')));
    }

    [Theory]
    [MemberData(nameof(HotplugCases))]
    public void Pipeline_Hotplug_MatchesRecorded(string name)
    {
        var c = new PipelineCase(name);
        c.Enumerator.Boot();
        var dir = Path.Combine(SharedPaths.Conformance!, name);
        var boot = ConformanceCase.FilterDmesg(File.ReadAllLines(Path.Combine(dir, "boot.dmesg.txt")));
        var verdict = c.HotplugFirst();
        Assert.NotNull(verdict);
        var all = ConformanceCase.FilterDmesg(File.ReadAllLines(Path.Combine(dir, "hotplug0.dmesg.txt")));
        ConformanceTests.AssertLines(all.Skip(boot.Count).ToArray(), verdict.Log);
        var outcome = c.Linux.GetProperty("hotplug")[0].GetProperty("outcome");
        Assert.Equal(outcome.GetProperty("all_bars_assigned").GetBoolean(), verdict.AllBarsAssigned);
        ConformanceTests.AssertLines(ConformanceCase.FilterProc(File.ReadAllLines(Path.Combine(dir, "hotplug0.iomem.txt"))),
            ConformanceCase.FilterProc(c.Enumerator.ProcIomem().Split('\n')));
        ConformanceTests.AssertLines(ConformanceCase.FilterProc(File.ReadAllLines(Path.Combine(dir, "hotplug0.ioports.txt"))),
            ConformanceCase.FilterProc(c.Enumerator.ProcIoports().Split('\n')));
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
    }
}
