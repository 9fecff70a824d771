using System.Text.Json;
using PciEmu.Core;
using PciEmu.Os.Resources;
using PciEmu.Os.Tests.Support;

namespace PciEmu.Os.Tests.Pipeline;

/// <summary>
/// Differential checks over every recorded pc/q35 topology: SeaBIOS port, then the enumerator. x86 Linux claims the
/// firmware layout, so every BAR QEMU reported as decoded after SeaBIOS must be claimed by Linux at the same address,
/// no claim may fail, and every claimed resource must sit inside its parent window.
/// </summary>
public sealed class FirmwareInvariantTests
{
    private static readonly string[] FailureMarkers = ["can't claim", "no space", "failed to assign", "invalid", "clipped"];

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in RecordedTopology.All().Where(c => c.FirmwareOnly)) data.Add(c.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Linux_ClaimsEverySeaBiosAssignment(string name)
    {
        var sb = RecordedTopology.Load(name);
        var c = new PipelineCase(sb);
        if (!c.Firmware.Outcome.IsOk) return; // SeaBIOS panicked (recorded as such): nothing for Linux to boot on
        c.Enumerator.Boot();
        Assert.DoesNotContain(c.Enumerator.Log.Lines, l => FailureMarkers.Any(m => l.Contains(m, StringComparison.Ordinal)));
        var mine = c.Enumerator.DeviceResources().ToLookup(x => x.Bdf);
        using var doc = sb.RecordedPci();
        foreach (var dev in doc.RootElement.GetProperty("pci").GetProperty("devices").EnumerateArray())
        {
            var bdf = Bdf.Parse(dev.GetProperty("bdf").GetString()!);
            foreach (var bar in dev.GetProperty("bars").EnumerateArray())
            {
                if (bar.GetProperty("address").ValueKind != JsonValueKind.String) continue;
                var index = bar.GetProperty("index").GetInt32();
                var address = Convert.ToUInt64(bar.GetProperty("address").GetString()!, 16);
                var r = mine[bdf].SingleOrDefault(x => x.Index == index).Resource;
                Assert.True(r is { IsAssigned: true }, $"{bdf} BAR {index} not claimed");
                Assert.Equal(address, r!.Start);
            }
        }
        foreach (var (bdf, index, r) in c.Enumerator.DeviceResources())
        {
            if (r.Parent is not { } p) continue;
            Assert.True(p.Start <= r.Start && r.End <= p.End, $"{bdf} resource {index} {r} outside {p}");
        }
    }
}
