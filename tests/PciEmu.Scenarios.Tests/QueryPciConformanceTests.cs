using System.Text.Json;
using System.Text.Json.Nodes;
using PciEmu.Scenarios.Reports;

namespace PciEmu.Scenarios.Tests;

public class QueryPciConformanceTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in ConformanceData.IntactFirmwareCases()) data.Add(c);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void QueryPci_FromRecordedConfig_EqualsQemusJson(string name)
    {
        var snapshot = ConformanceData.Snapshot(name);
        var ours = JsonNode.Parse(QueryPciReport.Render(snapshot));
        var theirs = JsonNode.Parse(ConformanceData.Text(name, "query-pci.raw.json"));
        Assert.True(JsonNode.DeepEquals(theirs, ours), $"{name}:\nexpected {theirs!.ToJsonString()}\nactual   {ours!.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void InfoPci_FromRecordedConfig_EqualsQemusText(string name)
    {
        var snapshot = ConformanceData.Snapshot(name);
        Assert.Equal(ConformanceData.Text(name, "info-pci.txt").ReplaceLineEndings("\n"), InfoPciReport.Render(snapshot));
    }

    [Fact]
    public void Conformance_DataIsPresent() => Assert.NotEmpty(ConformanceData.FirmwareCases());
}
