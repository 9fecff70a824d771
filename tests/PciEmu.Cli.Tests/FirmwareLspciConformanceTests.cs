using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PciEmu.Core;
using PciEmu.Platform;
using PciEmu.Scenarios.Reports;
using PciEmu.Scenarios.Running;
using PciEmu.Testing;
using Xunit.Abstractions;

namespace PciEmu.Cli.Tests;

/// <summary>
/// After the SeaBIOS port runs on a recorded firmware topology, the real `lspci -F DUMP -nn -vvv` of PciEmu's config
/// space equals the real `lspci -F` of the bytes real QEMU 7.2 showed after real SeaBIOS (firmware.json config_hex,
/// 256 bytes per function, so both dumps are cut to 256 bytes). Needs Debian's pciutils (.ci/run installs it).
/// </summary>
public class FirmwareLspciConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        var root = Golden.ConformanceRoot();
        if (!Directory.Exists(root)) return data;
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(dir, "firmware.json"))) data.Add(Path.GetFileName(dir));
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void LspciVvv_OfPortOutput_EqualsLspciVvv_OfRecordedBytes(string name)
    {
        var lspci = Oracles.RequireLspci();
        var dir = Path.Combine(Golden.ConformanceRoot(), name);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "firmware.json")));
        var j = doc.RootElement;
        var args = RecordedArguments.Topology(j.GetProperty("qemu_argv").EnumerateArray().Select(a => a.GetString()!).ToArray());
        var scenario = ScenarioOptions.CreateParser(new RunSettings()).ParseArguments(args);
        var run = ScenarioRunner.Run(new RunRequest { Scenario = scenario, Firmware = FirmwareKind.SeaBios });

        var recorded = new StringBuilder();
        var skip = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dev in j.GetProperty("pci").GetProperty("devices").EnumerateArray())
        {
            var bdf = dev.GetProperty("bdf").GetString()!;
            var bytes = Convert.FromHexString(dev.GetProperty("config_hex").GetString()!)[..ConfigSpace.ConventionalSize];
            if (bytes[0] == 0xff && bytes[1] == 0xff)
            {
                // Recorder artifact seen in one q35 case: the MCH's first dwords read back as all-ones.
                output.WriteLine($"{bdf}: recorded config reads all-ones (recorder artifact); compared without it");
                skip.Add(bdf);
                continue;
            }
            ClearDriverBusMaster(bytes);
            recorded.Append(bdf).Append(" dev\n");
            LspciReport.AppendHex(recorded, bytes);
            recorded.Append('\n');
        }
        var ours = Truncate(LspciReport.RenderDump(run.Machine.Snapshot()), skip);
        var a = Write(recorded.ToString());
        var b = Write(ours);
        try
        {
            var expected = RunLspci(lspci, a);
            var actual = RunLspci(lspci, b);
            Assert.False(string.IsNullOrWhiteSpace(expected));
            Assert.Equal(expected, actual);
        }
        finally
        {
            File.Delete(a);
            File.Delete(b);
        }
    }

    /// <summary>
    /// The recordings were taken when SeaBIOS reached the boot menu, after its drivers ran: ahci_controller_setup
    /// (class 0106) and the NIC's option ROM (class 0200) enable bus mastering. pciinit, which the port covers,
    /// never does; the bit is cleared in the recorded bytes of those classes only.
    /// </summary>
    private static void ClearDriverBusMaster(byte[] config)
    {
        var classDevice = config[CommonHeader.ClassDevice.Offset] | (config[CommonHeader.ClassDevice.Offset + 1] << 8);
        const int ahci = 0x0106, ethernet = 0x0200;
        if (classDevice is ahci or ethernet) config[CommonHeader.Command.Offset] &= unchecked((byte)~(byte)CommandBits.BusMaster);
    }

    /// <summary>Keeps the device lines and the first 256 bytes (16 hex lines) of each function.</summary>
    private static string Truncate(string dump, HashSet<string> skip)
    {
        var sb = new StringBuilder();
        var skipping = false;
        foreach (var line in dump.Split('\n'))
        {
            if (line.Length > 7 && line[2] == ':' && line[5] == '.') skipping = skip.Contains(line[..7]);
            if (skipping) continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var isHex = colon is 2 or 3 && int.TryParse(line[..colon], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var off);
            if (isHex && int.Parse(line[..colon], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) >= ConfigSpace.ConventionalSize) continue;
            sb.Append(line).Append('\n');
        }
        return sb.ToString();
    }

    private static string Write(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"pciemu-lspci-{Guid.NewGuid():n}.txt");
        File.WriteAllText(path, text);
        return path;
    }

    private static string RunLspci(string lspci, string dump)
    {
        var psi = new ProcessStartInfo(lspci) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-F", dump, "-nn", "-vvv" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text;
    }
}
