using System.Globalization;
using System.Text.Json;
using PciEmu.Testing;

namespace PciEmu.Platform.Tests;

/// <summary>
/// The OVMF recording set (tests/recordings/ovmf, made by tools/recorder/ovmf-cases.sh from real QEMU 7.2 + Debian's
/// OVMF 2022.11) is well-formed: every case parses, names its firmware and versions, settled before it was read, and
/// holds every function's 256 recorded config bytes consistent with QEMU's own query-pci view. These tests check the
/// data, not PciEmu; the OVMF port's conformance tests compare against the same files.
/// </summary>
public class OvmfRecordingsTests
{
    private const string Set = "ovmf";

    // What the set holds so far; raised as batches of recordings are committed.
    private const int MinFirmwareCases = 30;

    /// <summary>The set PciEmu reproduces (ovmf) and the recorded cases it does not reproduce yet (ovmf-open): all real runs.</summary>
    private static IReadOnlyList<string> Recorded(string file) =>
        [.. Recordings.ProjectCases(Set, file), .. Recordings.ProjectCases(Set + "-open", file)];
    private const int MinLinuxCases = 5;
    private static readonly string[] Machines = ["pc", "q35"];

    public static TheoryData<string> FirmwareCases() => Recordings.AsTheoryData(Recorded("firmware.json"));

    public static TheoryData<string> LinuxCases() => Recordings.AsTheoryData(Recorded("linux.json"));

    [Fact]
    public void TheSet_HasFirmwareCases_AndLinuxCases()
    {
        var fw = Recorded("firmware.json");
        var machines = fw.Select(n => Read(n, "firmware.json").GetProperty("machine").GetString()).Distinct().ToList();
        Assert.True(fw.Count >= MinFirmwareCases, $"{fw.Count} firmware-only OVMF cases");
        foreach (var m in Machines) Assert.Contains(m, machines);
        Assert.True(Recorded("linux.json").Count >= MinLinuxCases, "Linux OVMF cases");
    }

    [Theory]
    [MemberData(nameof(FirmwareCases))]
    public void FirmwareCase_IsWellFormed(string name)
    {
        var j = Read(name, "firmware.json");
        AssertOvmfRun(j);
        // A run whose OVMF never reached BDS (q35-12rootports-io-1G: no console output within the time-out) is kept
        // as the PCI state OVMF left, provided that state had settled; every other run has no error.
        var reachedBds = j.GetProperty("done_marker").ValueKind == JsonValueKind.String;
        if (reachedBds) Assert.False(j.TryGetProperty("error", out var err), err.ToString());
        else Assert.StartsWith("OVMF did not reach a done marker", j.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(j.GetProperty("settle").GetProperty("stable").GetBoolean());
        Assert.True(j.GetProperty("settle").GetProperty("unchanged_after_raw_read").GetBoolean());
        var devices = j.GetProperty("pci").GetProperty("devices").EnumerateArray().ToList();
        Assert.Contains(devices, d => d.GetProperty("bdf").GetString() == "00:00.0");
        foreach (var d in devices) AssertConfigMatchesQueryPci(d);
        var dir = Recordings.Dir(name);
        Assert.True(File.Exists(Path.Combine(dir, "info-pci.txt")));
        if (reachedBds) Assert.Contains("Shell>", File.ReadAllText(Path.Combine(dir, "serial.log")), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(LinuxCases))]
    public void LinuxCase_IsWellFormed(string name)
    {
        var j = Read(name, "linux.json");
        AssertOvmfRun(j);
        Assert.False(j.TryGetProperty("error", out var err), err.ToString());
        Assert.Equal("6.12", j.GetProperty("kernel_version").GetString());
        Assert.Contains(j.GetProperty("query_pci_boot").GetProperty("devices").EnumerateArray(),
            d => d.GetProperty("bdf").GetString() == "00:00.0");
        var boot = j.GetProperty("dumps").GetProperty("boot");
        Assert.Contains("EFI", boot.GetProperty("dmesg").GetString(), StringComparison.Ordinal);
        foreach (var dev in boot.GetProperty("devices").EnumerateObject())
        {
            var hex = dev.Value.GetProperty("config_hex").GetString()!;
            Assert.True(hex.Length >= 512, $"{dev.Name}: {hex.Length / 2} config bytes");
        }
        var hotplugs = j.GetProperty("hotplug").EnumerateArray().ToList();
        Assert.NotEmpty(hotplugs);
        foreach (var h in hotplugs)
        {
            Assert.False(h.TryGetProperty("error", out var herr), herr.ToString());
            Assert.NotEmpty(h.GetProperty("new_devices").EnumerateArray());
        }
    }

    private static void AssertOvmfRun(JsonElement j)
    {
        Assert.Equal("ovmf", j.GetProperty("firmware").GetString());
        var v = j.GetProperty("versions");
        Assert.StartsWith("2022.11", v.GetProperty("ovmf").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("QEMU emulator version 7.2", v.GetProperty("qemu").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, j.GetProperty("qemu_exit").GetInt32());
    }

    /// <summary>The recorded config bytes name the device query-pci named, and a bridge's bus numbers agree.</summary>
    private static void AssertConfigMatchesQueryPci(JsonElement d)
    {
        var bdf = d.GetProperty("bdf").GetString();
        var bytes = Convert.FromHexString(d.GetProperty("config_hex").GetString()!);
        Assert.Equal(256, bytes.Length);
        var vendor = (bytes[1] << 8) | bytes[0];
        var device = (bytes[3] << 8) | bytes[2];
        Assert.Equal(d.GetProperty("vendor_id").GetString(), vendor.ToString("x4", CultureInfo.InvariantCulture));
        Assert.Equal(d.GetProperty("device_id").GetString(), device.ToString("x4", CultureInfo.InvariantCulture));
        if (d.GetProperty("bridge").ValueKind != JsonValueKind.Object) return;
        var br = d.GetProperty("bridge");
        Assert.True((bytes[0x0e] & 0x7f) == 1, $"{bdf}: a bridge with header type {bytes[0x0e]:x2}");
        Assert.Equal(br.GetProperty("secondary").GetInt32(), bytes[0x19]);
        Assert.Equal(br.GetProperty("subordinate").GetInt32(), bytes[0x1a]);
    }

    private static JsonElement Read(string name, string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Recordings.Dir(name), file)));
        return doc.RootElement.Clone();
    }
}
