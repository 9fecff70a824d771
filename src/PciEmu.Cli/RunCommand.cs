using System.CommandLine;
using System.Globalization;
using PciEmu.Core;
using PciEmu.Core.Tracing;
using PciEmu.Fabric;
using PciEmu.Fabric.Tracing;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Cli;

/// <summary>
/// <c>pciemu run [FILE] [-M pc|q35|xenfv] [-m SIZE] [-device STR]… [-global STR]… [--xen KEY=VALUE]… [--firmware seabios|hvmloader[,version=4.5|4.20]]
/// [--kernel linux[,opts]] [--device-add STR]… [--device-del ID]… [--setpci "-s BDF OP"]… [--emit KIND[=FILE]]…
/// [--cost bare|kvm|tcg] [--trace-bdf B[-B]] [--trace-reg R[-R]] [--trace-phase NAME] [--trace-mechanism cf8|ecam]
/// [--trace-bus] [--json]</c>. The QEMU-style part goes to the topology parser in order; the rest is ours.
/// </summary>
public static class RunCommand
{
    /// <summary>For --help only: the run command's own options (the arguments are parsed by <see cref="Execute"/>).</summary>
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var cmd = new Command("run", "Build a QEMU topology, run firmware and kernel, apply hot-plug steps, and emit views.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        cmd.Arguments.Add(new Argument<string[]>("args") { Description = "[FILE] and QEMU-style options: -M, -m, -device, -global, -nodefaults, --xen KEY=VALUE, --firmware, --kernel, --device-add, --device-del, --setpci, --emit KIND[=FILE], --cost, --trace-*, --json", Arity = ArgumentArity.ZeroOrMore });
        cmd.SetAction(parse =>
        {
            var tokens = parse.Tokens.Select(t => t.Value).SkipWhile(v => v == "run").ToArray();
            return Execute(tokens, stdout, stderr);
        });
        return cmd;
    }

    private sealed class CliOptions
    {
        public List<EmitSpec> Emits { get; } = [];
        public ICostModel Cost { get; set; } = CostProfiles.BareMetal;
        public MechanismOverride Mechanism { get; set; } = MechanismOverride.Native;
        public TraceFilter Filter { get; set; } = new();
        public bool Json { get; set; }
        public bool Check { get; set; }
        public List<string> Topology { get; } = [];
        public string? File { get; set; }
    }

    private static CliOptions SplitArguments(IReadOnlyList<string> args)
    {
        var o = new CliOptions();
        var phases = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new CliInputException(a, $"{a}: requires an argument");
            switch (a)
            {
                case "--emit": o.Emits.Add(EmitSpec.Parse(Next())); break;
                case "--cost":
                    var c = Next();
                    o.Cost = CostProfiles.Find(c) ?? throw new CliInputException(c, $"--cost: unknown profile '{c}' (bare, kvm, tcg)");
                    break;
                case "--json": o.Json = true; break;
                case "--check": o.Check = true; break;
                case "--mechanism":
                    var mech = Next();
                    o.Mechanism = mech switch
                    {
                        "native" => MechanismOverride.Native,
                        "cf8" or "cf8cfc" => MechanismOverride.Cf8Cfc,
                        _ => throw new CliInputException(mech, $"--mechanism: '{mech}' (native or cf8)"),
                    };
                    break;
                case "--trace-bus": o.Filter = o.Filter with { IncludeBusCycles = true }; break;
                case "--trace-bdf":
                    var b = Next();
                    var (lo, hi) = Range(b, s => Bdf.TryParse(s, out var x) ? x : throw new CliInputException(b, $"--trace-bdf: '{s}' is not a bus:dev.fn"));
                    o.Filter = o.Filter with { BdfFrom = lo, BdfTo = hi };
                    break;
                case "--trace-reg":
                    var r = Next();
                    var (rlo, rhi) = Range(r, s => ParseRegister(r, s));
                    o.Filter = o.Filter with { RegisterFrom = rlo, RegisterTo = rhi };
                    break;
                case "--trace-phase": phases.Add(Next()); break;
                case "--trace-mechanism":
                    var m = Next();
                    o.Filter = o.Filter with
                    {
                        Mechanism = m switch
                        {
                            "cf8" or "cf8cfc" or "CF8" => AccessMechanism.Cf8Cfc,
                            "ecam" or "ECAM" => AccessMechanism.Ecam,
                            _ => throw new CliInputException(m, $"--trace-mechanism: '{m}' (cf8 or ecam)"),
                        },
                    };
                    break;
                default:
                    if (i == 0 && !a.StartsWith('-')) o.File = a;
                    else o.Topology.Add(a);
                    break;
            }
        }
        if (phases.Count > 0) o.Filter = o.Filter with { PhaseNames = phases };
        return o;
    }

    private static (T Lo, T Hi) Range<T>(string text, Func<string, T> parse)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        return dash < 0 ? (parse(text), parse(text)) : (parse(text[..dash]), parse(text[(dash + 1)..]));
    }

    private static int ParseRegister(string token, string s)
    {
        if (SetpciLike.TryOffset(s, out var off)) return off;
        throw new CliInputException(token, $"--trace-reg: '{s}' is not a register offset or header register name");
    }

    /// <summary>Runs <c>pciemu run</c> with its argument vector (without "run").</summary>
    public static int Execute(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var o = SplitArguments(args);
        var settings = new RunSettings();
        var parser = ScenarioOptions.CreateParser(settings);
        Scenario scenario;
        if (o.File is { } file)
        {
            if (!File.Exists(file)) throw new CliInputException(file, $"{file}: no such scenario file");
            if (o.Topology.Count > 0) throw new CliInputException(o.Topology[0], $"{o.Topology[0]}: a scenario file carries the topology; only --emit/--cost/--trace options may follow it");
            scenario = parser.ParseFile(file);
        }
        else
        {
            scenario = parser.ParseArguments(o.Topology);
        }

        using var output = new RunOutput(o.Emits, o.Json, stdout);
        var request = new RunRequest
        {
            Scenario = scenario,
            Firmware = settings.Firmware,
            Edk2Options = settings.Edk2,
            Kernel = settings.Kernel,
            Cost = o.Cost,
            Mechanism = o.Mechanism,
        };
        var runner = ScenarioRunner.Run(request with { Trace = output.CreateTraceSink(o.Filter) });
        foreach (var w in scenario.Warnings.Concat(runner.Machine.Warnings)) stderr.WriteLine($"pciemu: warning: {w}");
        // No CF8/CFC comparison where there is no ECAM (pc) or no CF8/CFC (arm virt: ECAM only).
        output.Write(runner, m => runner.Machine.Ecam is null || !runner.Machine.Kind.HasCf8Cfc || m == o.Mechanism ? null : ScenarioRunner.Run(request with { Mechanism = m }));
        if (o.Emits.Count == 0 && !o.Check) stdout.Write(RunSummary.Render(runner));
        if (runner.FirmwareFailed)
        {
            stderr.WriteLine(runner.FirmwareFailureMessage);
            return ExitCodes.FirmwareFailure;
        }
        if (o.Check && CheckCommand.Report(runner, stdout, stderr) != ExitCodes.Ok) return ExitCodes.ExpectationFailed;
        return runner.Steps.Any(s => s.Step is ExpectHotplugStep or ExpectRegisterStep or ExpectLogStep && s.Passed == false)
            ? ExitCodes.ExpectationFailed : ExitCodes.Ok;
    }
}

/// <summary>Offsets for --trace-reg: hex numbers or header register names.</summary>
internal static class SetpciLike
{
    public static bool TryOffset(string s, out int offset)
    {
        var r = Type0Header.All.Concat(Type1Header.All).FirstOrDefault(x => string.Equals(x.Name, s, StringComparison.OrdinalIgnoreCase));
        if (r.Name is not null)
        {
            offset = r.Offset;
            return true;
        }
        var hex = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? s[2..] : s;
        return int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out offset) && offset is >= 0 and < ConfigSpace.ExpressSize;
    }
}
