using System.Text.RegularExpressions;
using PciEmu.Platform;
using PciEmu.Scenarios.Reports;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Tests;

public class PlatformReportsTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in ConformanceData.FirmwareCases()) data.Add(c);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void E820_EqualsTheLinesSeaBiosLogged(string name)
    {
        using var doc = ConformanceData.Firmware(name);
        var machine = EndToEndConformanceTests.ParseRecorded(doc).Build(DevicesCatalog.Instance);
        var logged = string.Concat(Regex.Matches(ConformanceData.Text(name, "seabios.log"), "^qemu/e820: .*\n", RegexOptions.Multiline).Select(m => m.Value));
        Assert.Equal(logged, PlatformReports.Render(PlatformReports.E820, machine));
    }

    [Fact]
    public void Render_KnowsItsKinds_AndLeavesOthers()
    {
        var m = new TopologyParser().ParseText("-M q35\n-nodefaults\n").Build(DevicesCatalog.Instance);
        foreach (var kind in PlatformReports.Kinds) Assert.False(string.IsNullOrEmpty(PlatformReports.Render(kind, m)));
        Assert.Null(PlatformReports.Render("firmware-log", m));
        Assert.StartsWith("-[0000:00]-+-00.0  Intel Corporation 82G33/G31/P35/P31 Express DRAM Controller\n", PlatformReports.Render(PlatformReports.Tree, m), StringComparison.Ordinal);
    }
}
