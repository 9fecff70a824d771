using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PciEmu.Core;
using PciEmu.Scenarios.Running;

namespace PciEmu.Os.Tests.Support;

/// <summary>
/// One recorded Linux case replayed: the machine as SeaBIOS left it (the matching firmware-only case's config bytes,
/// extended space from the Linux dump), the enumerator booted on it, then the recorded hot-plug.
/// </summary>
public sealed partial class ConformanceCase
{
    /// <summary>Linux case → firmware-only case recorded on the same topology.</summary>
    public static readonly IReadOnlyDictionary<string, string> FirmwareCaseOf = new Dictionary<string, string>
    {
        ["a-pc-bridge-hotplug-512M"] = "a-fw-pc-bridge",
        ["a2-pc-bridge-hotplug-1M"] = "a-fw-pc-bridge",
        ["a3-pc-bridge-64M-hotplug-1M"] = "a3-fw-pc-bridge-64M",
        ["b-q35-rootport-hotplug-512M"] = "b-fw-q35-rootport",
        ["b2-q35-rootport-hotplug-512M-native"] = "b-fw-q35-rootport",
        ["c-q35-rootport-pref64-1G-hotplug-512M"] = "c-fw-q35-rootport-pref64-1G",
        ["c2-q35-rootport-pref64-1G-hotplug-512M-native"] = "c-fw-q35-rootport-pref64-1G",
        ["d1-q35-mixed-1G-linux"] = "d1-q35-mixed-1G",
    };

    private const string K612Suffix = "-k612";

    public ConformanceCase(string name)
    {
        Name = name;
        Dir = Path.Combine(SharedPaths.Conformance!, name);
        Linux = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "linux.json"))).RootElement;
        var baseName = name.EndsWith(K612Suffix, StringComparison.Ordinal) ? name[..^K612Suffix.Length] : name;
        Firmware = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedPaths.Conformance!, FirmwareCaseOf[baseName], "firmware.json"))).RootElement;
        Version = Linux.TryGetProperty("kernel_version", out var kv) && kv.ValueKind == JsonValueKind.String && kv.GetString() == "6.12"
            ? KernelVersion.Linux6_12 : KernelVersion.Linux6_1;
        Machine = Linux.GetProperty("machine").GetString()!;
        RamSize = ParseSize(Linux.GetProperty("memory").GetString()!);
        Native = Linux.GetProperty("qemu_argv").EnumerateArray().Any(a => a.GetString()!.Contains("acpi-pci-hotplug-with-bridge-support=off", StringComparison.Ordinal));
        Accessor = new ReplayConfigAccessor(Machine == "q35" ? ConfigSpace.ExpressSize : ConfigSpace.ConventionalSize);
        LoadFirmwareState();
    }

    public string Name { get; }
    public string Dir { get; }
    public JsonElement Linux { get; }
    public JsonElement Firmware { get; }
    public KernelVersion Version { get; }
    /// <summary>"pc" or "q35".</summary>
    public string Machine { get; }
    public ulong RamSize { get; }
    public bool Native { get; }
    public ReplayConfigAccessor Accessor { get; }

    public static IEnumerable<string> AllCases()
    {
        if (SharedPaths.Conformance is null) yield break;
        foreach (var n in FirmwareCaseOf.Keys)
        {
            foreach (var name in new[] { n, n + K612Suffix })
            {
                if (File.Exists(Path.Combine(SharedPaths.Conformance, name, "linux.json"))) yield return name;
            }
        }
    }

    /// <summary>The one line filter: PCI messages, timestamps stripped.</summary>
    public static IReadOnlyList<string> FilterDmesg(IEnumerable<string> lines) =>
        lines.Select(l => Timestamp().Replace(l, "")).Where(IsPciLine).ToArray();

    public static bool IsPciLine(string l) =>
        l.StartsWith("pci ", StringComparison.Ordinal) || l.StartsWith("pci_bus ", StringComparison.Ordinal)
        || l.StartsWith("pcieport ", StringComparison.Ordinal) || l.StartsWith("shpchp", StringComparison.Ordinal)
        || l.StartsWith("acpiphp", StringComparison.Ordinal) || l.StartsWith("PCI: No. ", StringComparison.Ordinal);

    /// <summary>The PCI entries of a /proc/iomem or /proc/ioports dump.</summary>
    public static IReadOnlyList<string> FilterProc(IEnumerable<string> lines) =>
        lines.Where(l => ProcPci().IsMatch(l)).ToArray();

    [GeneratedRegex(@"^\[\s*\d+\.\d+\] ")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"^\s*[0-9a-f]+-[0-9a-f]+ : (PCI Bus [0-9a-f]{4}:[0-9a-f]{2}|[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])$")]
    private static partial Regex ProcPci();

    public IReadOnlyList<string> Recorded(string file) => File.Exists(Path.Combine(Dir, file)) ? File.ReadAllLines(Path.Combine(Dir, file)) : [];

    private static ulong ParseSize(string s)
    {
        var unit = char.ToUpperInvariant(s[^1]) switch { 'K' => 1UL << 10, 'M' => 1UL << 20, 'G' => 1UL << 30, _ => 1UL };
        var digits = unit == 1 ? s : s[..^1];
        return ulong.Parse(digits, CultureInfo.InvariantCulture) * unit;
    }

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private void LoadFirmwareState()
    {
        var bootDevices = Linux.GetProperty("dumps").GetProperty("boot").GetProperty("devices");
        foreach (var dev in Firmware.GetProperty("pci").GetProperty("devices").EnumerateArray())
        {
            var bdf = Bdf.Parse(dev.GetProperty("bdf").GetString()!);
            var data = Hex(dev.GetProperty("config_hex").GetString()!);
            if (bootDevices.TryGetProperty(bdf.ToString("D", null), out var linuxDev))
            {
                var full = Hex(linuxDev.GetProperty("config_hex").GetString()!);
                // The raw firmware read of the host bridge sometimes failed (all ones); the Linux dump has its header.
                if (data[0] == byte.MaxValue && data[1] == byte.MaxValue) data = full.AsSpan(0, data.Length).ToArray();
                if (full.Length > data.Length)
                {
                    var merged = new byte[full.Length];
                    full.CopyTo(merged, 0);
                    data.CopyTo(merged, 0);
                    data = merged;
                }
            }
            var f = new ReplayFunction(data);
            DeclareBars(f, dev.GetProperty("bars"));
            Accessor.Add(bdf, f);
        }
    }

    private static void DeclareBars(ReplayFunction f, JsonElement bars)
    {
        foreach (var bar in bars.EnumerateArray())
        {
            var size = Convert.ToUInt64(bar.GetProperty("size").GetString()!, 16);
            var index = bar.GetProperty("index").GetInt32();
            if (bar.TryGetProperty("rom", out var rom) && rom.GetBoolean()) f.DeclareRom(size);
            else f.DeclareBar(index, size, bar.GetProperty("type").GetString() == "io", bar.GetProperty("mem64").GetBoolean());
        }
    }

    public LinuxEnumerator Boot()
    {
        // The recording has no ACPI tables: take them from the same topology built and run through the SeaBIOS port
        // (whose config state equals the recording's firmware state; the firmware conformance tests hold that).
        var argv = Linux.GetProperty("qemu_argv").EnumerateArray().Select(a => a.GetString()!).ToArray();
        var runner = new RecordedTopology(Name, Dir, Machine, false, RecordedTopology.TopologyArguments(argv)).BootFirmware();
        var facts = MachineFacts.For(runner.Machine, FirmwareKind.SeaBios, runner.FirmwareRun);
        var e = new LinuxEnumerator(Accessor, facts, new KernelOptions { Version = Version });
        e.Boot();
        return e;
    }

    /// <summary>Plugs the recorded hot-plug device into the replay and tells the enumerator.</summary>
    public HotplugVerdict? HotplugFirst(LinuxEnumerator e, out JsonElement recorded)
    {
        recorded = default;
        var hps = Linux.GetProperty("hotplug");
        if (hps.GetArrayLength() == 0) return null;
        recorded = hps[0];
        var newBdf = recorded.GetProperty("new_devices")[0].GetString()!;
        var bdf = Bdf.Parse(newBdf);
        var cfg = Hex(Linux.GetProperty("dumps").GetProperty("hotplug0").GetProperty("devices").GetProperty(newBdf).GetProperty("config_hex").GetString()!);
        var after = recorded.GetProperty("query_pci_after").GetProperty("devices").EnumerateArray()
            .First(d => d.GetProperty("bdf").GetString() == bdf.ToString());
        var f = new ReplayFunction(cfg);
        f.Data[CommonHeader.Command.Offset] = 0;
        foreach (var bar in after.GetProperty("bars").EnumerateArray())
        {
            var idx = bar.GetProperty("index").GetInt32();
            var isIo = bar.GetProperty("type").GetString() == "io";
            var typeBits = isIo ? BarBits.SpaceIo : (bar.GetProperty("mem64").GetBoolean() ? BarBits.MemType64 : 0) | (bar.GetProperty("prefetch").GetBoolean() ? BarBits.MemPrefetch : 0);
            var off = Type0Header.Bar(idx).Offset;
            BitConverter.TryWriteBytes(f.Data.AsSpan(off), typeBits);
            if (bar.GetProperty("mem64").GetBoolean()) BitConverter.TryWriteBytes(f.Data.AsSpan(off + 4), 0u);
        }
        DeclareBars(f, after.GetProperty("bars"));
        Accessor.Add(bdf, f);
        var spec = recorded.GetProperty("spec").GetString()!;
        var props = spec.Split(',').Skip(1).Select(p => p.Split('=')).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        var parentId = props["bus"];
        var parent = Firmware.GetProperty("pci").GetProperty("devices").EnumerateArray()
            .First(d => d.TryGetProperty("qdev_id", out var q) && q.ValueKind == JsonValueKind.String && q.GetString() == parentId);
        var parentBdf = Bdf.Parse(parent.GetProperty("bdf").GetString()!);
        var slot = bdf.Device;
        return e.DeviceAdded(e.DriverFor(parentBdf), parentBdf, slot);
    }
}
