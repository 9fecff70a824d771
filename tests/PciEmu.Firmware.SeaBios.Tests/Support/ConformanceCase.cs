using System.Globalization;
using System.Text.Json;
using PciEmu.Platform;

namespace PciEmu.Firmware.SeaBios.Tests.Support;

/// <summary>
/// One recorded case from ../shared/conformance: the machine line, the -device arguments and SeaBIOS's log
/// (firmware.json for firmware-only cases, linux.json for Linux cases, both with seabios.log).
/// </summary>
public sealed record ConformanceCase(string Name, string Directory, string Machine, ulong RamSize, IReadOnlyList<string> DeviceArgs, bool FirmwareOnly)
{
    /// <summary>
    /// The PCI devices QEMU adds without -nodefaults on pc, ahead of the -device list: the default NIC (e1000,
    /// created by the board) and, when no display device is given, the default VGA.
    /// </summary>
    public static IReadOnlyList<string> PcDefaultDevices(IReadOnlyList<string> deviceArgs) =>
        deviceArgs.Any(a => a.Split(',')[0] is "VGA" or "cirrus-vga" or "qxl-vga" or "virtio-vga") ? ["e1000"] : ["VGA", "e1000"];

    public const string PciBanner = "=== PCI bus & bridge init ===";

    /// <summary>../shared/conformance, found by walking up from the test binaries to the directory with a sibling "shared".</summary>
    public static string? Root() => PciEmu.Testing.Recordings.Root;

    /// <summary>The x86 cases that have a SeaBIOS log.</summary>
    public static IReadOnlyList<ConformanceCase> All()
    {
        if (Root() is not { } root) return [];
        var list = new List<ConformanceCase>();
        foreach (var dir in System.IO.Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            if (!File.Exists(Path.Combine(dir, "seabios.log"))) continue;
            var fw = Path.Combine(dir, "firmware.json");
            var json = File.Exists(fw) ? fw : Path.Combine(dir, "linux.json");
            if (!File.Exists(json)) continue;
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var r = doc.RootElement;
            var machine = r.GetProperty("machine").GetString()!;
            if (machine is not ("pc" or "q35")) continue;
            IReadOnlyList<string> args = r.GetProperty("device_args").EnumerateArray().Select(e => e.GetString()!).ToArray();
            var noDefaults = r.GetProperty("qemu_argv").EnumerateArray().Any(e => e.GetString() == "-nodefaults");
            if (!noDefaults)
            {
                if (machine != "pc") continue; // only pc's defaults are modelled here
                args = [.. PcDefaultDevices(args), .. args];
            }
            list.Add(new ConformanceCase(Path.GetFileName(dir), dir, machine, ParseSize(r.GetProperty("memory").GetString()!), args, File.Exists(fw)));
        }
        return list;
    }

    public static ConformanceCase Load(string name) => All().Single(c => c.Name == name);

    /// <summary>-m syntax: a number with an optional K/M/G/T suffix (default unit MiB).</summary>
    public static ulong ParseSize(string s)
    {
        var shift = char.ToUpperInvariant(s[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => -1 };
        return shift < 0 ? ulong.Parse(s, CultureInfo.InvariantCulture) << 20 : ulong.Parse(s[..^1], CultureInfo.InvariantCulture) << shift;
    }

    /// <summary>The recorded pci_setup output: from the banner up to the first line after it that pci_setup does not print.</summary>
    public IReadOnlyList<string> RecordedPciSetupLog()
    {
        var lines = File.ReadAllLines(Path.Combine(Directory, "seabios.log"));
        var start = Array.IndexOf(lines, PciBanner);
        if (start < 0) return [];
        var end = start;
        while (end + 1 < lines.Length && !IsAfterPciSetup(lines[end + 1])) end++;
        return lines[start..(end + 1)];
    }

    /// <summary>qemu_platform_setup continues with smm/mtrr/smp setup; its first message is "Found N cpu(s) ...".</summary>
    private static bool IsAfterPciSetup(string line) =>
        line.StartsWith("Found ", StringComparison.Ordinal) && line.Contains(" cpu(s)", StringComparison.Ordinal);

    /// <summary>
    /// A -device argument as the platform's DeviceRequest: driver first, then key=value pairs (the recorded
    /// arguments use no quoting or escaped commas). (PciEmu.Os.Tests links this file.)
    /// </summary>
    public static DeviceRequest ParseDevice(string arg)
    {
        var parts = arg.Split(',');
        string? id = null, bus = null;
        var props = new List<KeyValuePair<string, string>>();
        foreach (var p in parts.Skip(1))
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            var (k, v) = eq < 0 ? (p, "on") : (p[..eq], p[(eq + 1)..]);
            if (k == "id") id = v;
            else if (k == "bus") bus = v;
            else props.Add(new KeyValuePair<string, string>(k, v));
        }
        return new DeviceRequest { Driver = parts[0], Id = id, Bus = bus, Properties = props };
    }

    /// <summary>pci.devices[] of firmware.json (what QEMU reported after SeaBIOS).</summary>
    public JsonDocument RecordedPci() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "firmware.json")));
}
