using PciEmu.Scenarios.Reports;
using Xunit.Abstractions;

namespace PciEmu.Scenarios.Tests;

public class ViewSmokeTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("d1-q35-mixed-4G")]
    [InlineData("a-fw-pc-bridge")]
    public void Views_RenderRecordedHierarchy(string name)
    {
        var s = ConformanceData.Snapshot(name);
        var tree = TreeReport.Render(s);
        var nn = LspciReport.Render(s);
        var vvv = LspciVerboseReport.Render(s);
        output.WriteLine(tree);
        output.WriteLine(nn);
        output.WriteLine(vvv);
        Assert.StartsWith("-[0000:00]-", tree, StringComparison.Ordinal);
        Assert.Contains("00:00.0 Host bridge [0600]: Intel Corporation", nn, StringComparison.Ordinal);
    }
}
