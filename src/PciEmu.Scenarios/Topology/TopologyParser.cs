using PciEmu.Platform;
using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Scenarios.Topology;

/// <summary>
/// QEMU's command-line topology language: -M/-machine, -m, -device, -global, -nodefaults, plus the scenario
/// steps device_add / device_del. Accepts an argument vector or a scenario file (one option per line, # comments).
/// More options (kernel, firmware, setpci steps) plug in through <see cref="AddOption"/>.
/// </summary>
public sealed class TopologyParser
{
    /// <summary>Handles one option: the builder state, the argument (null for flags) and the token to blame.</summary>
    public delegate void OptionHandler(ScenarioBuilder scenario, string? argument, string token);

    private readonly Dictionary<string, (bool TakesArgument, OptionHandler Handler)> _options = new(StringComparer.Ordinal);

    public TopologyParser()
    {
        AddOption("-M", true, (s, a, t) => MachineLine.Apply(s, a!));
        AddOption("-machine", true, (s, a, t) => MachineLine.Apply(s, a!));
        AddOption("-m", true, (s, a, t) => MemoryLine.Apply(s, a!));
        AddOption("-device", true, (s, a, t) => s.Devices.Add(new DeviceLine(DeviceLineParser.Parse(s, a!), t) { Location = s.CurrentLocation }));
        AddOption("-global", true, (s, a, t) => s.Globals.Add(GlobalLine.Parse(a!)));
        AddOption("-nodefaults", false, (s, a, t) => s.NoDefaults = true);
        AddOption("-cpu", true, (s, a, t) =>
        {
            s.Cpu = a!;
            // The x86 CPU models only matter (and are only checked) on x86 machines; -M virt takes its own (cortex-a57).
            if (s.Machine.Kind.Architecture == TableArchitecture.X86) _ = X86Cpu.Parse(a!, s.Kvm);
        });
        AddOption("-accel", true, (s, a, t) =>
        {
            s.Kvm = QemuOpts.Parse(a!, "accel").Where(o => o.Name == "accel").Select(o => o.Value).FirstOrDefault() switch
            {
                "tcg" => false,
                "kvm" => true,
                var other => throw new QemuException($"invalid accelerator {other} (tcg or kvm)"),
            };
            if (s.Cpu is { } cpu && s.Machine.Kind.Architecture == TableArchitecture.X86) _ = X86Cpu.Parse(cpu, s.Kvm);
        });
        AddOption("-fw_cfg", true, (s, a, t) => s.FwCfgFiles.Add(FwCfgLine.Parse(a!)));
        // --xen KEY=VALUE: an xl.cfg key of a Xen HVM guest (-M xenfv; Machines/Xenfv/XlConfig).
        foreach (var name in new[] { "xen", "-xen" })
            AddOption(name, true, (s, a, t) => s.Xen = (s.Xen ?? new PciEmu.Platform.Machines.Xenfv.XlConfig()).With(a!));
        AddOption("device_add", true, (s, a, t) => s.Steps.Add(new DeviceAddStep(DeviceLineParser.Parse(s, a!), t) { Location = s.CurrentLocation }));
        AddOption("device_del", true, (s, a, t) =>
        {
            s.ReleaseDeviceId(a!);
            s.Steps.Add(new DeviceDelStep(a!, t) { Location = s.CurrentLocation });
        });
    }

    /// <summary>Registers (or replaces) an option; names are matched exactly ("-device", "device_add").</summary>
    public void AddOption(string name, bool takesArgument, OptionHandler handler) => _options[name] = (takesArgument, handler);

    /// <summary>Parses an argument vector such as {"-M", "q35", "-device", "pcie-root-port,id=rp1"}.</summary>
    public Scenario ParseArguments(IReadOnlyList<string> args)
    {
        var s = new ScenarioBuilder();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string? arg = null;
            if (_options.TryGetValue(Normalise(name), out var opt) && opt.TakesArgument)
            {
                if (i + 1 >= args.Count) throw new TopologyException(name, "requires an argument");
                arg = args[++i];
            }
            Run(s, name, arg);
        }
        return s.Build();
    }

    /// <summary>Parses scenario-file text: one "option [argument]" per line; blank lines and # comments ignored.</summary>
    public Scenario ParseText(string text, string source = "scenario")
    {
        var s = new ScenarioBuilder();
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = StripComment(lines[n]).Trim();
            if (line.Length == 0) continue;
            s.CurrentLocation = $"{source}:{n + 1}";
            var split = line.IndexOfAny([' ', '\t']);
            var name = split < 0 ? line : line[..split];
            var arg = split < 0 ? null : line[(split + 1)..].Trim();
            try
            {
                if (_options.TryGetValue(Normalise(name), out var opt) && opt.TakesArgument && string.IsNullOrEmpty(arg))
                    throw new TopologyException(name, "requires an argument");
                Run(s, name, arg);
            }
            catch (TopologyException e) when (e.Location is null)
            {
                throw new TopologyException(e.Token, e.Message, e) { Location = s.CurrentLocation };
            }
        }
        return s.Build();
    }

    public Scenario ParseFile(string path) => ParseText(File.ReadAllText(path), path);

    /// <summary>"--device" and "-device" are the same option, as in QEMU.</summary>
    private static string Normalise(string name) => name.StartsWith("--", StringComparison.Ordinal) ? name[1..] : name;

    /// <summary>A scenario-file line without its # comment (a # at the start or after whitespace).</summary>
    internal static string StripComment(string line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1]))) return line[..i];
        }
        return line;
    }

    private void Run(ScenarioBuilder s, string name, string? arg)
    {
        var token = arg is null ? name : $"{name} {arg}";
        if (!_options.TryGetValue(Normalise(name), out var opt)) throw new TopologyException(name, "invalid option");
        if (!opt.TakesArgument && arg is not null) throw new TopologyException(token, $"option '{name}' takes no argument");
        try
        {
            opt.Handler(s, arg, token);
        }
        catch (QemuException e)
        {
            throw new TopologyException(token, e.Message, e) { Location = s.CurrentLocation };
        }
    }
}

/// <summary>The mutable state of one parse; <see cref="Build"/> freezes it.</summary>
public sealed class ScenarioBuilder
{
    private readonly Dictionary<string, string> _deviceIds = new(StringComparer.Ordinal);

    public MachineType Machine { get; set; } = MachineType.Pc;
    public ulong RamSize { get; set; } = MachineOptions.DefaultRamSize;
    public ulong? MaxRamSize { get; set; }
    public ulong MemorySlots { get; set; }
    public ulong MaxRamBelow4G { get; set; }
    public bool NoDefaults { get; set; }

    /// <summary>-cpu text, parsed against the accelerator when the machine is built.</summary>
    public string? Cpu { get; set; }

    /// <summary>-accel kvm (default tcg, as the recordings run).</summary>
    public bool Kvm { get; set; }
    public List<KeyValuePair<string, byte[]>> FwCfgFiles { get; } = [];
    public PciEmu.Platform.Machines.Xenfv.XlConfig? Xen { get; set; }
    public List<GlobalProperty> Globals { get; } = [];
    public List<DeviceLine> Devices { get; } = [];
    public List<ScenarioStep> Steps { get; } = [];
    public List<string> Warnings { get; } = [];
    public string? CurrentLocation { get; set; }

    /// <summary>qemu_opts_create on the "device" list: ids are unique across -device and device_add.</summary>
    public void ClaimDeviceId(string id)
    {
        if (!QdevId.IsWellFormed(id)) throw new QemuException(QdevId.BadIdMessage);
        if (!_deviceIds.TryAdd(id, id)) throw new QemuException(QdevId.Duplicate(id));
    }

    /// <summary>device_del frees the id for a later device_add.</summary>
    public void ReleaseDeviceId(string id) => _deviceIds.Remove(id);

    public Scenario Build() => new()
    {
        Machine = Machine,
        RamSize = RamSize,
        MaxRamSize = MaxRamSize,
        MemorySlots = MemorySlots,
        MaxRamBelow4G = MaxRamBelow4G,
        NoDefaults = NoDefaults,
        Cpu = Cpu is null || Machine.Kind.Architecture != TableArchitecture.X86 ? null : X86Cpu.Parse(Cpu, Kvm),
        Kvm = Kvm,
        FwCfgFiles = [.. FwCfgFiles],
        Xen = Xen,
        Globals = [.. Globals],
        Devices = [.. Devices],
        Steps = [.. Steps],
        Warnings = [.. Warnings],
    };
}
