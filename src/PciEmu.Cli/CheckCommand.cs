using System.CommandLine;
using PciEmu.Scenarios.Checking;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Cli;

/// <summary>
/// <c>pciemu check FILE | [-M …] [-device …]…</c>: boots the scenario (SeaBIOS and Linux unless the scenario says
/// otherwise), runs its steps and prints the invariant report. Exit 0 all hold, 1 a violation, 2 bad input,
/// 3 firmware panic. <c>pciemu run … --check</c> appends the same report to a run.
/// </summary>
public static class CheckCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var cmd = new Command("check", "Boot a scenario (SeaBIOS + Linux by default), run its steps, and check the allocation invariants.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        cmd.Arguments.Add(new Argument<string[]>("args") { Description = "FILE, or QEMU-style options as for run", Arity = ArgumentArity.ZeroOrMore });
        cmd.SetAction(parse => Execute(parse.Tokens.Select(t => t.Value).SkipWhile(v => v == "check").ToArray(), stdout, stderr));
        return cmd;
    }

    public static int Execute(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var settings = new RunSettings { Firmware = FirmwareKind.SeaBios, Kernel = new PciEmu.Os.KernelOptions() };
        var parser = ScenarioOptions.CreateParser(settings);
        Scenario scenario;
        if (args.Count == 1 && !args[0].StartsWith('-'))
        {
            if (!File.Exists(args[0])) throw new CliInputException(args[0], $"{args[0]}: no such scenario file");
            scenario = parser.ParseFile(args[0]);
        }
        else
        {
            scenario = parser.ParseArguments(args);
        }
        var runner = ScenarioRunner.Run(new RunRequest { Scenario = scenario, Firmware = settings.Firmware, Edk2Options = settings.Edk2, Kernel = settings.Kernel });
        if (runner.FirmwareFailed)
        {
            stderr.WriteLine(runner.FirmwareFailureMessage);
            return ExitCodes.FirmwareFailure;
        }
        return Report(runner, stdout, stderr);
    }

    /// <summary>Prints "invariants: ok" or each violation (to stderr); returns the exit code for it.</summary>
    public static int Report(ScenarioRunner runner, TextWriter stdout, TextWriter stderr)
    {
        var violations = InvariantChecker.Check(runner);
        var failures = InvariantChecker.Failures(violations);
        foreach (var v in violations.Where(v => v.IsKnown)) stderr.WriteLine($"pciemu: warning: invariant broken as upstream breaks it: {v}");
        foreach (var v in failures) stderr.WriteLine($"invariant violated: {v}");
        var known = violations.Count - failures.Count;
        var note = known == 0 ? string.Empty : $" ({known} known upstream)";
        stdout.WriteLine(failures.Count == 0 ? $"invariants: ok{note}" : $"invariants: {failures.Count} violated{note}");
        return failures.Count == 0 ? ExitCodes.Ok : ExitCodes.ExpectationFailed;
    }
}
