using System.Text.Json;

namespace PciEmu.Devices.Tests.Conformance;

/// <summary>One config-space dump QEMU 7.2 (after SeaBIOS, or after Linux) showed for one function.</summary>
public sealed record DumpedFunction(string Case, string Source, int Bus, int DevFn, byte[] Config)
{
    /// <summary>QEMU's own view of the BARs (query-pci): index (6 = ROM), io/mem, 64-bit, prefetchable, size.</summary>
    public IReadOnlyList<RecordedBar> Bars { get; init; } = [];

    public override string ToString() => $"{Case}/{Source} {Bus:x2}:{DevFn >> 3:x2}.{DevFn & 7}";
}

/// <summary>One BAR as QEMU's query-pci reported it.</summary>
public readonly record struct RecordedBar(int Index, bool Io, bool Mem64, bool Prefetch, ulong Size);

/// <summary>One recorded run: the machine, the -device list and the dumps taken after boot and each hot-plug.</summary>
public sealed record RecordedCase(
    string Name, string Kind, string Machine, ulong RamSize, IReadOnlyList<string> Argv, IReadOnlyList<string> DeviceArgs,
    IReadOnlyList<string> HotplugSpecs, IReadOnlyDictionary<string, IReadOnlyList<DumpedFunction>> Dumps, string? QemuVersion)
{
    /// <summary>Cases recorded on another QEMU (the arm64 e3 cases ran QEMU 11.1) are not 7.2 ground truth.</summary>
    public bool IsQemu72 => QemuVersion is null || QemuVersion.Contains("7.2", StringComparison.Ordinal);
}

/// <summary>Reads ../shared/conformance (found by walking up from the test binaries).</summary>
public static class ConformanceData
{
    private static readonly Lazy<IReadOnlyList<RecordedCase>> All = new(Load);

    public static IReadOnlyList<RecordedCase> Cases => All.Value;

    public static string? FindDirectory() => PciEmu.Testing.Recordings.Root;

    private static List<RecordedCase> Load()
    {
        var list = new List<RecordedCase>();
        var root = FindDirectory() ?? throw new DirectoryNotFoundException("shared/conformance not found above " + AppContext.BaseDirectory);
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            foreach (var file in new[] { "firmware.json", "linux.json" })
            {
                var path = Path.Combine(dir, file);
                if (File.Exists(path)) list.Add(Read(Path.GetFileName(dir), path));
            }
        }
        return list;
    }

    private static RecordedCase Read(string name, string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var r = doc.RootElement;
        var kind = r.GetProperty("kind").GetString()!;
        var argv = r.GetProperty("qemu_argv").EnumerateArray().Select(e => e.GetString()!).ToList();
        var deviceArgs = r.GetProperty("device_args").EnumerateArray().Select(e => e.GetString()!).ToList();
        var dumps = new Dictionary<string, IReadOnlyList<DumpedFunction>>();
        var hotplug = new List<string>();
        string? qemu = null;
        if (r.TryGetProperty("versions", out var versions) && versions.TryGetProperty("qemu", out var q) && q.ValueKind == JsonValueKind.String)
            qemu = q.GetString();
        if (kind == "firmware")
        {
            var fns = new List<DumpedFunction>();
            foreach (var d in r.GetProperty("pci").GetProperty("devices").EnumerateArray())
            {
                var bars = d.GetProperty("bars").EnumerateArray().Select(b => new RecordedBar(
                    b.GetProperty("index").GetInt32(), b.GetProperty("type").GetString() == "io",
                    b.GetProperty("mem64").GetBoolean(), b.GetProperty("prefetch").GetBoolean(),
                    Convert.ToUInt64(b.GetProperty("size").GetString()!, 16))).ToList();
                fns.Add(new DumpedFunction(name, "firmware", d.GetProperty("bus").GetInt32(),
                    (d.GetProperty("slot").GetInt32() << 3) | d.GetProperty("function").GetInt32(),
                    Convert.FromHexString(d.GetProperty("config_hex").GetString()!)) { Bars = bars });
            }
            dumps["firmware"] = fns;
        }
        else
        {
            foreach (var h in r.GetProperty("hotplug").EnumerateArray()) hotplug.Add(h.GetProperty("spec").GetString()!);
            foreach (var dump in r.GetProperty("dumps").EnumerateObject())
            {
                var fns = new List<DumpedFunction>();
                foreach (var dev in dump.Value.GetProperty("devices").EnumerateObject())
                {
                    // "0000:01:00.0"
                    var bdf = dev.Name;
                    var bus = Convert.ToInt32(bdf[5..7], 16);
                    var slot = Convert.ToInt32(bdf[8..10], 16);
                    var fn = bdf[11] - '0';
                    fns.Add(new DumpedFunction(name, "linux:" + dump.Name, bus, (slot << 3) | fn,
                        Convert.FromHexString(dev.Value.GetProperty("config_hex").GetString()!)));
                }
                dumps["linux:" + dump.Name] = fns;
            }
        }
        var mem = r.GetProperty("memory").GetString()!;
        return new RecordedCase(name, kind, r.GetProperty("machine").GetString()!, ParseMem(mem), argv, deviceArgs, hotplug, dumps, qemu);
    }

    private static ulong ParseMem(string s) => s[^1] switch
    {
        'G' => ulong.Parse(s[..^1], System.Globalization.CultureInfo.InvariantCulture) << 30,
        'M' => ulong.Parse(s[..^1], System.Globalization.CultureInfo.InvariantCulture) << 20,
        _ => ulong.Parse(s, System.Globalization.CultureInfo.InvariantCulture),
    };
}
