using System.Globalization;
using System.Text.Json;
using PciEmu.Core;
using PciEmu.Firmware.SeaBios.Tests.Support;
using PciEmu.Platform;

namespace PciEmu.Firmware.SeaBios.Tests;

/// <summary>
/// Replays every recorded x86 case in ../shared/conformance: the machine is built from its -device arguments on
/// PciEmu.Platform, the port runs, and pci_setup's log must equal SeaBIOS's line for line. For firmware-only
/// cases the bus numbers, BAR addresses and bridge windows must equal what QEMU reported afterwards.
/// </summary>
public class ConformanceTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in ConformanceCase.All()) data.Add(c.Name);
        return data;
    }

    [Fact]
    public void ConformanceFolderIsFound() => Assert.NotEmpty(ConformanceCase.All());

    [Theory]
    [MemberData(nameof(Cases))]
    public void PciSetupLog_MatchesRecordedSeaBiosLog(string name)
    {
        var c = ConformanceCase.Load(name);
        var (_, result) = ConformanceRunner.Run(c);
        var expected = c.RecordedPciSetupLog();
        Assert.NotEmpty(expected);
        var actual = result.PciSetupLog;
        var firstDiff = Enumerable.Range(0, Math.Min(expected.Count, actual.Count)).FirstOrDefault(i => expected[i] != actual[i], -1);
        if (firstDiff < 0 && expected.Count == actual.Count) return;
        var at = firstDiff < 0 ? Math.Min(expected.Count, actual.Count) : firstDiff;
        Assert.Fail($"{name}: first difference at line {at}\n" +
                    $"  expected: {(at < expected.Count ? expected[at] : "<end>")}\n" +
                    $"  actual:   {(at < actual.Count ? actual[at] : "<end>")}\n" +
                    $"expected ({expected.Count} lines):\n  {string.Join("\n  ", expected)}\nactual ({actual.Count} lines):\n  {string.Join("\n  ", actual)}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EarlyPostLines_AppearInTheRecordedLogInOrder(string name)
    {
        var c = ConformanceCase.Load(name);
        var (_, result) = ConformanceRunner.Run(c);
        var recorded = File.ReadAllLines(Path.Combine(c.Directory, "seabios.log")).TakeWhile(l => l != ConformanceCase.PciBanner).ToList();
        var early = result.Log.TakeWhile(l => l != ConformanceCase.PciBanner).ToList();
        Assert.NotEmpty(early);
        var at = 0;
        foreach (var line in early)
        {
            at = recorded.IndexOf(line, at);
            Assert.True(at >= 0, $"{name}: \"{line}\" not found (in order) before the PCI banner:\n  {string.Join("\n  ", recorded)}");
            at++;
        }
    }

    public static TheoryData<string> FirmwareCases()
    {
        var data = new TheoryData<string>();
        foreach (var c in ConformanceCase.All().Where(c => c.FirmwareOnly)) data.Add(c.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(FirmwareCases))]
    public void BusNumbersBarsAndWindows_MatchRecordedQemuState(string name)
    {
        var c = ConformanceCase.Load(name);
        var (machine, _) = ConformanceRunner.Run(c);
        var snap = machine.Snapshot();
        using var doc = c.RecordedPci();
        var errors = new List<string>();
        foreach (var dev in doc.RootElement.GetProperty("pci").GetProperty("devices").EnumerateArray())
        {
            var bdfText = dev.GetProperty("bdf").GetString()!;
            var bdf = Bdf.Parse(bdfText);
            var f = snap.FindBus(bdf.Bus)?.At(bdf.DevFn);
            if (f is null)
            {
                errors.Add($"{bdfText}: missing");
                continue;
            }
            foreach (var bar in dev.GetProperty("bars").EnumerateArray())
            {
                var index = bar.GetProperty("index").GetInt32();
                if (bar.GetProperty("rom").GetBoolean()) continue;
                var addr = Hex(bar.GetProperty("address").GetString()!);
                var mine = BarAddress(f, index, bar.GetProperty("type").GetString() == "io", bar.GetProperty("mem64").GetBoolean());
                if (mine != addr) errors.Add($"{bdfText} BAR{index}: recorded 0x{addr:x}, port 0x{mine:x}");
            }
            if (dev.GetProperty("bridge") is { ValueKind: JsonValueKind.Object } br)
            {
                Check(errors, bdfText, "primary", br.GetProperty("primary").GetInt32(), f.PrimaryBus);
                Check(errors, bdfText, "secondary", br.GetProperty("secondary").GetInt32(), f.SecondaryBus);
                Check(errors, bdfText, "subordinate", br.GetProperty("subordinate").GetInt32(), f.SubordinateBus);
                CheckWindow(errors, bdfText, "io", br.GetProperty("io"), IoWindow(f));
                CheckWindow(errors, bdfText, "mem", br.GetProperty("mem"), MemWindow(f));
                CheckWindow(errors, bdfText, "prefmem", br.GetProperty("prefmem"), PrefWindow(f));
            }
        }
        Assert.True(errors.Count == 0, name + ":\n  " + string.Join("\n  ", errors));
    }

    /// <summary>
    /// The registers pci_bios_init_device and pci_enable_default_vga write (command, interrupt line, bridge control)
    /// equal the recorded final config space. Bus master is masked: SeaBIOS's drivers set it after pci_setup.
    /// </summary>
    [Theory]
    [MemberData(nameof(FirmwareCases))]
    public void CommandInterruptLineAndBridgeControl_MatchRecordedConfigSpace(string name)
    {
        var c = ConformanceCase.Load(name);
        var (machine, _) = ConformanceRunner.Run(c);
        var snap = machine.Snapshot();
        using var doc = c.RecordedPci();
        var errors = new List<string>();
        foreach (var dev in doc.RootElement.GetProperty("pci").GetProperty("devices").EnumerateArray())
        {
            var bdfText = dev.GetProperty("bdf").GetString()!;
            var bdf = Bdf.Parse(bdfText);
            var f = snap.FindBus(bdf.Bus)?.At(bdf.DevFn);
            var hex = Convert.FromHexString(dev.GetProperty("config_hex").GetString()!);
            if (f is null || BitConverter.ToUInt16(hex, CommonHeader.VendorId.Offset) == ushort.MaxValue) continue; // recorder artifact: all ones
            var recCmd = BitConverter.ToUInt16(hex, CommonHeader.Command.Offset) & ~(int)CommandBits.BusMaster;
            var myCmd = f.Command & ~(int)CommandBits.BusMaster;
            if (recCmd != myCmd) errors.Add($"{bdfText} command: recorded 0x{recCmd:x4}, port 0x{myCmd:x4}");
            if (hex[CommonHeader.InterruptLine.Offset] != f.InterruptLine)
                errors.Add($"{bdfText} interrupt line: recorded {hex[CommonHeader.InterruptLine.Offset]}, port {f.InterruptLine}");
            if (f.IsBridgeHeader && BitConverter.ToUInt16(hex, Type1Header.BridgeControl.Offset) != f.Word(Type1Header.BridgeControl.Offset))
                errors.Add($"{bdfText} bridge control: recorded 0x{BitConverter.ToUInt16(hex, Type1Header.BridgeControl.Offset):x4}, port 0x{f.Word(Type1Header.BridgeControl.Offset):x4}");
        }
        Assert.True(errors.Count == 0, name + ":\n  " + string.Join("\n  ", errors));
    }

    private static ulong Hex(string s) => ulong.Parse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static void Check(List<string> errors, string bdf, string what, int expected, int actual)
    {
        if (expected != actual) errors.Add($"{bdf} {what}: recorded {expected}, port {actual}");
    }

    private static void CheckWindow(List<string> errors, string bdf, string what, JsonElement rec, (ulong Base, ulong Limit) mine)
    {
        if (!rec.GetProperty("enabled").GetBoolean())
        {
            if (mine.Base <= mine.Limit) errors.Add($"{bdf} {what}: recorded disabled, port 0x{mine.Base:x}-0x{mine.Limit:x}");
            return;
        }
        var b = Hex(rec.GetProperty("base").GetString()!);
        var l = Hex(rec.GetProperty("limit").GetString()!);
        if (b != mine.Base || l != mine.Limit) errors.Add($"{bdf} {what}: recorded 0x{b:x}-0x{l:x}, port 0x{mine.Base:x}-0x{mine.Limit:x}");
    }

    /// <summary>The programmed BAR address (type bits masked; 64-bit BARs include the upper dword).</summary>
    private static ulong BarAddress(FunctionSnapshot f, int index, bool io, bool mem64)
    {
        var off = Type0Header.Bar(index).Offset;
        var low = f.Long(off) & (io ? BarBits.IoAddressMask : BarBits.MemAddressMask);
        return mem64 ? low | ((ulong)f.Long(off + 4) << 32) : low;
    }

    private const uint IoGranule = 0xfff;
    private const uint MemGranule = 0xfffff;

    private static (ulong, ulong) IoWindow(FunctionSnapshot f) =>
        ((ulong)(f.Config[Type1Header.IoBase.Offset] & BarBits.IoRangeMask) << 8,
         ((ulong)(f.Config[Type1Header.IoLimit.Offset] & BarBits.IoRangeMask) << 8) | IoGranule);

    private static (ulong, ulong) MemWindow(FunctionSnapshot f) =>
        ((ulong)(f.Word(Type1Header.MemoryBase.Offset) & BarBits.MemRangeMask) << 16,
         ((ulong)(f.Word(Type1Header.MemoryLimit.Offset) & BarBits.MemRangeMask) << 16) | MemGranule);

    private static (ulong, ulong) PrefWindow(FunctionSnapshot f) =>
        (((ulong)(f.Word(Type1Header.PrefMemoryBase.Offset) & BarBits.MemRangeMask) << 16) | ((ulong)f.Long(Type1Header.PrefBaseUpper32.Offset) << 32),
         ((ulong)(f.Word(Type1Header.PrefMemoryLimit.Offset) & BarBits.MemRangeMask) << 16) | ((ulong)f.Long(Type1Header.PrefLimitUpper32.Offset) << 32) | MemGranule);
}
