using System.Text.Json;
using System.Text.Json.Nodes;
using PciEmu.Core;
using PciEmu.Platform;
using PciEmu.Scenarios.Reports;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Tests;

/// <summary>
/// The recorded QEMU command lines through the topology parser and the real device models: the same functions at
/// the same addresses (auto slot choice), and after writing the recorded config bytes through CF8/CFC as firmware
/// would, query-pci and info pci equal QEMU's.
/// </summary>
public class EndToEndConformanceTests
{
    private const int DwordSize = 4;

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in ConformanceData.IntactFirmwareCases()) data.Add(c);
        return data;
    }

    /// <summary>The recorded machine line: -M, -m, -nodefaults, -global and the -device list (debugcon left out).</summary>
    public static Scenario ParseRecorded(JsonDocument doc)
    {
        var root = doc.RootElement;
        var argv = root.GetProperty("qemu_argv").EnumerateArray().Select(a => a.GetString()!).ToList();
        var args = new List<string> { "-M", root.GetProperty("machine").GetString()!, "-m", root.GetProperty("memory").GetString()! };
        if (argv.Contains("-nodefaults")) args.Add("-nodefaults");
        for (var i = 0; i + 1 < argv.Count; i++)
        {
            if (argv[i] == "-global") args.AddRange(["-global", argv[i + 1]]);
        }
        foreach (var d in root.GetProperty("device_args").EnumerateArray()) args.AddRange(["-device", d.GetString()!]);
        return new TopologyParser().ParseArguments(args);
    }

    private static Machine BuildRecorded(string name, out JsonDocument doc)
    {
        doc = ConformanceData.Firmware(name);
        return ParseRecorded(doc).Build(DevicesCatalog.Instance);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RecordedCommandLine_PlacesRootBusFunctionsWhereQemuDid(string name)
    {
        var machine = BuildRecorded(name, out var doc);
        using (doc)
        {
            var recorded = doc.RootElement.GetProperty("pci").GetProperty("devices").EnumerateArray()
                .Where(d => d.GetProperty("bus").GetInt32() == 0)
                .Select(d => $"{d.GetProperty("slot").GetInt32()}.{d.GetProperty("function").GetInt32()} {d.GetProperty("vendor_id").GetString()}:{d.GetProperty("device_id").GetString()}")
                .ToList();
            var ours = machine.Snapshot().Root.Functions
                .Select(f => $"{f.Slot}.{f.Function} {f.VendorId:x4}:{f.DeviceId:x4}").ToList();
            Assert.Equal(recorded, ours);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReplayedFirmwareWrites_GiveQemusQueryPciAndInfoPci(string name)
    {
        var machine = BuildRecorded(name, out var doc);
        using (doc)
        {
            foreach (var d in doc.RootElement.GetProperty("pci").GetProperty("devices").EnumerateArray())
            {
                var bdf = new Bdf(d.GetProperty("bus").GetInt32(), d.GetProperty("slot").GetInt32(), d.GetProperty("function").GetInt32());
                var config = Convert.FromHexString(d.GetProperty("config_hex").GetString()!);
                for (var off = DwordSize; off < config.Length; off += DwordSize)
                    machine.Cf8.Write32(bdf, off, BitConverter.ToUInt32(config, off));
            }
        }
        var snapshot = machine.Snapshot();
        var theirs = JsonNode.Parse(ConformanceData.Text(name, "query-pci.raw.json"));
        var ours = JsonNode.Parse(QueryPciReport.Render(snapshot));
        Assert.True(JsonNode.DeepEquals(theirs, ours), $"{name}:\nexpected {theirs!.ToJsonString()}\nactual   {ours!.ToJsonString()}");
        Assert.Equal(ConformanceData.Text(name, "info-pci.txt").ReplaceLineEndings("\n"), InfoPciReport.Render(snapshot));
    }
}
