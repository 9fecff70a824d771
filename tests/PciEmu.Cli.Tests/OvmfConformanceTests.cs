using System.Globalization;
using System.Text;
using System.Text.Json;
using PciEmu.Core.Tracing;
using PciEmu.Core;
using PciEmu.Scenarios.Reports;
using PciEmu.Scenarios.Running;
using PciEmu.Testing;
using Xunit.Abstractions;

namespace PciEmu.Cli.Tests;

/// <summary>
/// Issue 14: the project's own recordings of QEMU 7.2 + Debian 12's OVMF 2022.11 (tests/recordings/ovmf, firmware.json:
/// 256 config bytes per function after OVMF reached the EFI shell) against <c>pciemu run … --firmware ovmf</c> on the
/// same command line. Compared per function: the set of functions config cycles reach, then the registers firmware
/// assigns — command, BARs, bus numbers, bridge windows, ROM BAR, interrupt line — byte for byte.
/// </summary>
public class OvmfConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases() => Recordings.AsTheoryData(Recordings.ProjectCases("ovmf", "firmware.json"));

    /// <summary>Type 0: command, BAR0-5, ROM BAR, interrupt line.</summary>
    private static readonly (int Offset, int Length, string Name)[] Type0Registers =
    [
        (0x04, 2, "COMMAND"), (0x10, 24, "BASE_ADDRESS_0-5"), (0x30, 4, "ROM_ADDRESS"), (0x3c, 1, "INTERRUPT_LINE"),
    ];

    /// <summary>Type 1: command, BAR0-1, bus numbers, I/O, memory and prefetchable windows with upper halves, ROM BAR, interrupt line.</summary>
    private static readonly (int Offset, int Length, string Name)[] Type1Registers =
    [
        (0x04, 2, "COMMAND"), (0x10, 8, "BASE_ADDRESS_0-1"), (0x18, 3, "PRIMARY/SECONDARY/SUBORDINATE_BUS"),
        (0x1c, 2, "IO_BASE/LIMIT"), (0x20, 12, "MEMORY/PREF_MEMORY_BASE/LIMIT/UPPER32"), (0x30, 4, "IO_BASE/LIMIT_UPPER16"),
        (0x38, 4, "ROM_ADDRESS1"), (0x3c, 1, "INTERRUPT_LINE"),
    ];

    [Fact]
    public void TheRecordedSetIsPresent()
    {
        // The data-driven theory below would silently shrink to nothing if the folder moved.
        Assert.NotEmpty(Recordings.ProjectCases("ovmf", "firmware.json"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FirmwareAssignedRegisters_EqualTheRecording(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Recordings.Dir(name), "firmware.json")));
        var runner = Run(doc.RootElement);
        Assert.False(runner.FirmwareFailed, runner.FirmwareFailureMessage);
        var ours = LspciScan.Scan(runner.Machine.Snapshot()).ToDictionary(s => s.Bdf.ToString(), s => s.Function.Config);
        var mismatches = new StringBuilder();
        var recordedBdfs = new List<string>();
        foreach (var dev in doc.RootElement.GetProperty("pci").GetProperty("devices").EnumerateArray())
        {
            var bdf = dev.GetProperty("bdf").GetString()!;
            var bytes = Convert.FromHexString(dev.GetProperty("config_hex").GetString()!);
            if (bytes.All(b => b == 0xff)) continue;
            recordedBdfs.Add(bdf);
            if (!ours.TryGetValue(bdf, out var config))
            {
                mismatches.Append($"{bdf}: recorded, not reached in PciEmu\n");
                continue;
            }
            var isBridge = (bytes[CommonHeader.HeaderType.Offset] & CommonHeader.HeaderTypeMask) == CommonHeader.HeaderTypeBridge;
            foreach (var (off, len, reg) in isBridge ? Type1Registers : Type0Registers)
            {
                var want = bytes.AsSpan(off, len);
                var got = config.AsSpan(off, len);
                if (want.SequenceEqual(got)) continue;
                mismatches.Append(CultureInfo.InvariantCulture, $"{bdf} {reg} @0x{off:x2}: recorded {Convert.ToHexString(want)}, PciEmu {Convert.ToHexString(got)}\n");
            }
        }
        Assert.Equal(recordedBdfs.Order(StringComparer.Ordinal), ours.Keys.Order(StringComparer.Ordinal));
        output.WriteLine(mismatches.ToString());
        Assert.True(mismatches.Length == 0, $"{name}:\n{mismatches}");
    }

    /// <summary>
    /// The one byte PciEmu does not reproduce: ICH9 LPC 0x82 reads 0x01 after OVMF, but no config write in the recorded
    /// pci_cfg_write trace sets it and no OvmfPkg source writes it; it is left out and reported.
    /// </summary>
    private static readonly (string Bdf, int Offset) UnexplainedLpcByte = ("00:1f.0", 0x82);

    /// <summary>All 256 bytes of every function (chipset PM/RCBA/PIRQ registers included), but <see cref="UnexplainedLpcByte"/>.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void AllConfigBytes_EqualTheRecording(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Recordings.Dir(name), "firmware.json")));
        var runner = Run(doc.RootElement);
        var ours = LspciScan.Scan(runner.Machine.Snapshot()).ToDictionary(s => s.Bdf.ToString(), s => s.Function.Config);
        var sb = new StringBuilder();
        var compared = 0;
        foreach (var dev in doc.RootElement.GetProperty("pci").GetProperty("devices").EnumerateArray())
        {
            var bdf = dev.GetProperty("bdf").GetString()!;
            var bytes = Convert.FromHexString(dev.GetProperty("config_hex").GetString()!);
            if (bytes.All(b => b == 0xff) || !ours.TryGetValue(bdf, out var c)) continue;
            compared++;
            for (var o = 0; o < ConfigSpace.ConventionalSize; o++)
            {
                if (bytes[o] == c[o]) continue;
                if ((bdf, o) == UnexplainedLpcByte)
                {
                    output.WriteLine($"{bdf} @0x{o:x2}: recorded 0x{bytes[o]:x2}, PciEmu 0x{c[o]:x2} (not explained, not compared)");
                    continue;
                }
                sb.Append(CultureInfo.InvariantCulture, $"{bdf} @0x{o:x2}: recorded 0x{bytes[o]:x2}, PciEmu 0x{c[o]:x2}\n");
            }
        }
        Assert.True(compared > 0);
        Assert.True(sb.Length == 0, sb.ToString());
    }

    private static ScenarioRunner Run(JsonElement j, Func<PciEmu.Platform.Machine, ITraceSink>? trace = null)
    {
        var args = RecordedArguments.Topology(j.GetProperty("qemu_argv").EnumerateArray().Select(a => a.GetString()!).ToArray());
        var settings = new RunSettings();
        var scenario = ScenarioOptions.CreateParser(settings).ParseArguments([.. args, "--firmware", "ovmf"]);
        return ScenarioRunner.Run(new RunRequest { Scenario = scenario, Firmware = settings.Firmware, Trace = trace });
    }
}
