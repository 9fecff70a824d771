using System.Globalization;
using System.Text.Json;
using PciEmu.Testing;

namespace PciEmu.Platform.Tests;

/// <summary>
/// The pseries set (tests/recordings/pseries, recorded by tools/recorder/pseries.sh from QEMU 7.2 + SLOF 20220719 +
/// Debian ppc64el Linux): every case is well-formed, so a truncated or failed recording shows up in the suite.
/// The schema is documented in tools/recorder/README.md.
/// </summary>
public class PseriesRecordingTests
{
    public static TheoryData<string> FirmwareCases() => Data(Recordings.ProjectCases("pseries", "firmware.json"));

    public static TheoryData<string> LinuxCases() => Data(Recordings.ProjectCases("pseries", "linux.json"));

    private static TheoryData<string> Data(IEnumerable<string> names)
    {
        var data = new TheoryData<string>();
        foreach (var n in names) data.Add(n);
        return data;
    }

    [Fact]
    public void The_set_holds_at_least_twenty_firmware_topologies_and_some_linux_runs()
    {
        Assert.True(Recordings.ProjectCases("pseries", "firmware.json").Count >= 20);
        Assert.NotEmpty(Recordings.ProjectCases("pseries", "linux.json"));
    }

    [Theory]
    [MemberData(nameof(FirmwareCases))]
    public void Firmware_case_is_well_formed(string name)
    {
        using var doc = Load(name, "firmware.json");
        var r = doc.RootElement;
        Assert.Equal("firmware", r.GetProperty("kind").GetString());
        Assert.Equal("pseries", r.GetProperty("machine").GetString());
        Assert.False(r.TryGetProperty("error", out _), "recording failed: " + name);
        Assert.NotNull(r.GetProperty("done_marker").GetString());
        Assert.Contains("20220719", r.GetProperty("slof").GetProperty("version").GetString(), StringComparison.Ordinal);
        Assert.Contains("/pci@800000020000000", r.GetProperty("slof").GetProperty("populating").EnumerateArray().Select(p => p.GetString()));
        var pci = r.GetProperty("pci");
        var phbs = pci.GetProperty("phbs").EnumerateArray().ToList();
        Assert.Contains(phbs, p => p.GetProperty("index").ValueKind == JsonValueKind.Number && p.GetProperty("index").GetInt32() == 0);
        Assert.All(phbs, p => Assert.True(p.GetProperty("qtree_match").GetBoolean()));
        var devices = pci.GetProperty("devices").EnumerateArray().ToList();
        Assert.NotEmpty(devices);
        // the SLOF console lists one probe line per function it found, and QEMU agrees on the count
        Assert.Equal(devices.Count, r.GetProperty("slof").GetProperty("devices").GetArrayLength());
        foreach (var d in devices)
        {
            Assert.Matches("^[0-9]+:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]$", d.GetProperty("domain_bdf").GetString());
            if (!d.TryGetProperty("slof_programmed", out var prog) || prog.TryGetProperty("ambiguous", out _)) continue;
            foreach (var bar in prog.GetProperty("bars").EnumerateArray())
                if (bar.GetProperty("address").GetString() is { } a) Assert.True(ParseHex(a) >= 0);
        }
        Assert.True(r.GetProperty("pci_cfg_trace").GetProperty("writes").GetInt32() > 0);
        Assert.True(File.Exists(Path.Combine(Recordings.Dir(name), "pci-cfg-trace.log")));
    }

    [Theory]
    [MemberData(nameof(LinuxCases))]
    public void Linux_case_is_well_formed(string name)
    {
        using var doc = Load(name, "linux.json");
        var r = doc.RootElement;
        Assert.Equal("linux", r.GetProperty("kind").GetString());
        Assert.Equal("pseries", r.GetProperty("machine").GetString());
        Assert.False(r.TryGetProperty("error", out _), "recording failed: " + name);
        var boot = r.GetProperty("dumps").GetProperty("boot");
        Assert.Contains("PCI host bridge to bus 0000:00", boot.GetProperty("dmesg").GetString(), StringComparison.Ordinal);
        Assert.Contains("Booting from memory...", r.GetProperty("slof_log").GetString(), StringComparison.Ordinal);
        Assert.NotEmpty(r.GetProperty("device_tree_boot").EnumerateObject());
        foreach (var hp in r.GetProperty("hotplug").EnumerateArray())
        {
            Assert.False(hp.TryGetProperty("error", out _), name + ": " + hp.GetProperty("spec").GetString());
            Assert.True(hp.TryGetProperty("outcome", out _));
        }
    }

    private static JsonDocument Load(string name, string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Recordings.Dir(name), file)));

    private static long ParseHex(string s) =>
        long.Parse(s.StartsWith("0x", StringComparison.Ordinal) ? s[2..] : s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
