using System.Globalization;
using System.Text.Json;
using PciEmu.Core;
using PciEmu.Platform;
using PciEmu.Platform.Tests;

namespace PciEmu.Scenarios.Tests;

/// <summary>Reads ../shared/conformance cases as data: config bytes and BAR sizes become a snapshot.</summary>
internal static class ConformanceData
{
    public static string? Root => Conformance.Root;

    public static IEnumerable<string> FirmwareCases() => Conformance.Cases("firmware.json");

    /// <summary>Cases whose recorded config bytes are all intact (d1-q35-mixed-1G read 00:00.0 as all ones).</summary>
    public static IEnumerable<string> IntactFirmwareCases() => FirmwareCases().Where(c =>
    {
        using var doc = Firmware(c);
        return doc.RootElement.GetProperty("pci").GetProperty("devices").EnumerateArray()
            .All(d => !d.GetProperty("config_hex").GetString()!.StartsWith("ffff", StringComparison.Ordinal));
    });

    public static JsonDocument Firmware(string name) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Root!, name, "firmware.json")));

    public static string Text(string name, string file) => File.ReadAllText(Path.Combine(Root!, name, file));

    private static ulong Hex(string s) => ulong.Parse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    /// <summary>Rebuilds the recorded hierarchy: config_hex as bytes, BAR sizes as write masks.</summary>
    public static PciSnapshot Snapshot(string name)
    {
        using var doc = Firmware(name);
        var devices = doc.RootElement.GetProperty("pci").GetProperty("devices").EnumerateArray().ToList();
        var functions = new List<(int Bus, FunctionSnapshot F)>();
        foreach (var d in devices)
        {
            var config = Convert.FromHexString(d.GetProperty("config_hex").GetString()!);
            var mask = new byte[config.Length];
            var isBridge = (config[CommonHeader.HeaderType.Offset] & CommonHeader.HeaderTypeMask) == CommonHeader.HeaderTypeBridge;
            foreach (var bar in d.GetProperty("bars").EnumerateArray())
            {
                var index = bar.GetProperty("index").GetInt32();
                var size = Hex(bar.GetProperty("size").GetString()!);
                var wmask = ~(size - 1);
                if (bar.GetProperty("rom").GetBoolean())
                {
                    var off = isBridge ? Type1Header.RomAddress.Offset : Type0Header.RomAddress.Offset;
                    BitConverter.TryWriteBytes(mask.AsSpan(off), (uint)wmask | 1u);
                    continue;
                }
                var barOff = Type0Header.Bar(index).Offset;
                BitConverter.TryWriteBytes(mask.AsSpan(barOff), (uint)wmask);
                if (bar.TryGetProperty("mem64", out var m64) && m64.ValueKind == JsonValueKind.True)
                    BitConverter.TryWriteBytes(mask.AsSpan(barOff + 4), (uint)(wmask >> 32));
            }
            var qdev = d.GetProperty("qdev_id");
            functions.Add((d.GetProperty("bus").GetInt32(), new FunctionSnapshot
            {
                DevFn = d.GetProperty("slot").GetInt32() * 8 + d.GetProperty("function").GetInt32(),
                Driver = "recorded",
                QdevId = qdev.ValueKind == JsonValueKind.String ? qdev.GetString() : null,
                Config = config,
                WriteMask = mask,
            }));
        }
        var root = new BusSnapshot { Name = "root" };
        Attach(root, 0, functions);
        return new PciSnapshot(root);
    }

    private static void Attach(BusSnapshot bus, int number, List<(int Bus, FunctionSnapshot F)> all)
    {
        foreach (var (b, f) in all.Where(x => x.Bus == number)) bus.Functions.Add(f);
        foreach (var f in bus.Functions.Where(f => f.IsBridgeHeader && f.SecondaryBus > number).Reverse().ToList())
        {
            var child = new BusSnapshot { Name = f.QdevId ?? "bus", IsExpress = true, Bridge = f };
            Attach(child, f.SecondaryBus, all);
            bus.Children.Add(child);
        }
    }
}
