using System.CommandLine;
using System.Globalization;
using System.Text;
using PciEmu.Scenarios.Advice;

namespace PciEmu.Cli;

/// <summary>
/// <c>pciemu advise [FILE] [-M …] [-m …] [-device STR]… [--firmware F] [--kernel linux[,opts]] --device-add STR…
/// [--emit qemu-args[=FILE]] [--emit kernel-args[=FILE]] [--json]</c>: the smallest change that makes every planned
/// hot-plug succeed (Advisor), verified by rerunning. Exit 0 with advice (or when nothing is needed), 1 when no change
/// can work, 2 on bad input.
/// </summary>
public static class AdviseCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var cmd = new Command("advise", "Find the smallest reservation or kernel parameter that makes the planned --device-add steps succeed.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        cmd.Arguments.Add(new Argument<string[]>("args") { Description = "[FILE] and the options of run (-M, -m, -device, -global, --firmware, --kernel, --device-add …), --emit qemu-args[=FILE], --emit kernel-args[=FILE], --json", Arity = ArgumentArity.ZeroOrMore });
        cmd.SetAction(parse =>
        {
            var tokens = parse.Tokens.Select(t => t.Value).SkipWhile(v => v == "advise").ToArray();
            return Execute(tokens, stdout, stderr);
        });
        return cmd;
    }

    public static int Execute(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var emits = new List<(string Kind, string? File)>();
        var topology = new List<string>();
        string? file = null;
        var json = false;
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a == "--emit")
            {
                if (i + 1 >= args.Count) throw new CliInputException(a, "--emit: requires an argument");
                var spec = args[++i];
                var eq = spec.IndexOf('=', StringComparison.Ordinal);
                var kind = eq < 0 ? spec : spec[..eq];
                if (kind is not ("qemu-args" or "kernel-args")) throw new CliInputException(spec, $"--emit: unknown kind '{kind}' for advise (qemu-args, kernel-args)");
                if (eq >= 0 && eq == spec.Length - 1) throw new CliInputException(spec, $"--emit {kind}=: missing file name");
                emits.Add((kind, eq < 0 ? null : spec[(eq + 1)..]));
            }
            else if (a == "--json") json = true;
            else if (i == 0 && !a.StartsWith('-')) file = a;
            else topology.Add(a);
        }
        OptionList options;
        if (file is not null)
        {
            if (!File.Exists(file)) throw new CliInputException(file, $"{file}: no such scenario file");
            options = OptionList.FromText(File.ReadAllText(file));
            if (topology.Count > 0) options = OptionList.FromArguments([.. options.ToArguments(), .. topology]);
        }
        else
        {
            options = OptionList.FromArguments(topology);
        }

        var advisor = new Advisor(options);
        var result = advisor.Advise();
        if (json) stdout.WriteLine(Json(result, advisor.Runs));
        else stdout.Write(Render(result, advisor.Runs));
        if (result.Found || result.NothingToDo)
        {
            foreach (var (kind, path) in emits)
            {
                var lines = kind == "qemu-args" ? result.Options.QemuArguments() : result.KernelArguments;
                var text = string.Concat(lines.Select(l => l + "\n"));
                if (path is null) stdout.Write(text);
                else File.WriteAllText(path, text);
            }
            return ExitCodes.Ok;
        }
        stderr.WriteLine($"pciemu: advise: {result.Impossible}");
        return ExitCodes.ExpectationFailed;
    }

    /// <summary>The human-readable advice.</summary>
    public static string Render(AdviceResult r, int runs)
    {
        var w = new StringBuilder();
        if (r.NothingToDo)
        {
            w.Append("advice: no change needed, every planned hot-plug succeeds\n");
            foreach (var s in r.Verification) w.Append($"  {s}\n");
            return w.ToString();
        }
        w.Append("why:\n");
        foreach (var reason in r.Reasons) w.Append($"  {reason.Text}\n");
        if (!r.Found)
        {
            w.Append($"advice: none: {r.Impossible}\n");
            return w.ToString();
        }
        var extra = r.ReservedBuses > 0 ? $", {r.ReservedBuses} bus numbers" : string.Empty;
        w.Append($"advice: {r.Changes.Count} change{(r.Changes.Count == 1 ? "" : "s")}, {Advisor.Size(r.ReservedBytes)} of address space reserved{extra}\n");
        foreach (var c in r.Changes) w.Append($"  {c}\n");
        w.Append($"verified ({runs} runs):\n");
        foreach (var s in r.Verification) w.Append($"  {s}\n");
        return w.ToString();
    }

    private static string Json(AdviceResult r, int runs)
    {
        static string Q(string? s) => s is null ? "null" : "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        static string Arr(IEnumerable<string> xs) => "[" + string.Join(",", xs) + "]";
        var status = r.NothingToDo ? "no-change" : r.Found ? "advice" : "impossible";
        return "{" + string.Join(",",
            $"\"status\":{Q(status)}",
            $"\"changes\":{Arr(r.Changes.Select(c => "{" + $"\"where\":{Q(c.Where)},\"name\":{Q(c.Name)},\"value\":{Q(c.Value)}" + "}"))}",
            $"\"reserved_bytes\":{r.ReservedBytes.ToString(CultureInfo.InvariantCulture)}",
            $"\"reserved_buses\":{r.ReservedBuses.ToString(CultureInfo.InvariantCulture)}",
            $"\"why\":{Arr(r.Reasons.Select(x => Q(x.Text)))}",
            $"\"verified\":{Arr(r.Verification.Select(Q))}",
            $"\"qemu_args\":{Arr(r.Options.QemuArguments().Select(Q))}",
            $"\"kernel_args\":{Arr(r.KernelArguments.Select(Q))}",
            $"\"impossible\":{Q(r.Impossible)}",
            $"\"runs\":{runs.ToString(CultureInfo.InvariantCulture)}") + "}";
    }
}
