using System.CommandLine;
using System.Text.Json;
using PciEmu.Scenarios.Reports;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Cli;

/// <summary>
/// <c>pciemu diff [FILE | topology…] --firmware A --firmware B [--kernel linux[,opts]] [--device-add STR]… [--json]</c>:
/// the same topology booted under two firmwares, side by side: bus numbers, every bridge window and BAR (as the
/// firmware — and the kernel, when one runs — left them at boot), then each step's hot-plug verdict. Exit 0 when both
/// agree, 1 when they differ, 2 on bad input.
/// </summary>
public static class DiffCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var cmd = new Command("diff", "Boot one topology under two firmwares and compare bus numbers, windows, BARs and hot-plug verdicts.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        cmd.Arguments.Add(new Argument<string[]>("args") { Description = "[FILE] and QEMU-style options, exactly two --firmware NAME[,opts], optional --kernel, --device-add, --json", Arity = ArgumentArity.ZeroOrMore });
        cmd.SetAction(parse => Execute(parse.Tokens.Select(t => t.Value).SkipWhile(v => v == "diff").ToArray(), stdout, stderr));
        return cmd;
    }

    /// <summary>One side: the firmware's name, what it assigned, the step verdicts, and how it ended.</summary>
    private sealed record Side(string Firmware, string? Policy, IReadOnlyList<AssignmentRow> Rows, IReadOnlyList<(string Step, string Verdict)> Verdicts, string Outcome);

    public static int Execute(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var firmwares = new List<string>();
        var rest = new List<string>();
        string? file = null;
        var json = false;
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a is "--firmware" or "-firmware")
            {
                if (i + 1 >= args.Count) throw new CliInputException(a, $"{a}: requires an argument");
                firmwares.Add(args[++i]);
            }
            else if (a == "--json") json = true;
            else if (i == 0 && !a.StartsWith('-')) file = a;
            else rest.Add(a);
        }
        if (firmwares.Count != 2)
            throw new CliInputException("--firmware", $"diff: give exactly two --firmware options (got {firmwares.Count}), e.g. --firmware seabios --firmware ovmf");
        if (file is not null && !File.Exists(file)) throw new CliInputException(file, $"{file}: no such scenario file");

        var sides = firmwares.Select(fw => Boot(file, rest, fw)).ToArray();
        var (a0, b0) = (sides[0], sides[1]);
        var keys = a0.Rows.Select(r => (r.Path, r.Item)).Concat(b0.Rows.Select(r => (r.Path, r.Item))).Distinct().ToList();
        var lookupA = a0.Rows.ToDictionary(r => (r.Path, r.Item));
        var lookupB = b0.Rows.ToDictionary(r => (r.Path, r.Item));
        var rows = keys.Select(k =>
        {
            lookupA.TryGetValue(k, out var ra);
            lookupB.TryGetValue(k, out var rb);
            var name = (ra ?? rb)!.Name;
            return (k.Path, Name: name, k.Item, A: ra?.Value ?? "-", B: rb?.Value ?? "-");
        }).ToList();
        var verdicts = a0.Verdicts.Select((v, i) => (v.Step, A: v.Verdict, B: i < b0.Verdicts.Count ? b0.Verdicts[i].Verdict : "-")).ToList();
        var agree = rows.All(r => r.A == r.B) && verdicts.All(v => v.A == v.B) && a0.Outcome == b0.Outcome;

        if (json)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteStartArray("firmwares");
                w.WriteStringValue(a0.Firmware);
                w.WriteStringValue(b0.Firmware);
                w.WriteEndArray();
                w.WriteStartArray("outcomes");
                w.WriteStringValue(a0.Outcome);
                w.WriteStringValue(b0.Outcome);
                w.WriteEndArray();
                w.WriteBoolean("agree", agree);
                w.WriteStartArray("rows");
                foreach (var r in rows)
                {
                    w.WriteStartObject();
                    w.WriteString("path", r.Path);
                    w.WriteString("function", r.Name);
                    w.WriteString("item", r.Item);
                    w.WriteString("a", r.A);
                    w.WriteString("b", r.B);
                    w.WriteBoolean("same", r.A == r.B);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("hotplug");
                foreach (var v in verdicts)
                {
                    w.WriteStartObject();
                    w.WriteString("step", v.Step);
                    w.WriteString("a", v.A);
                    w.WriteString("b", v.B);
                    w.WriteBoolean("same", v.A == v.B);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            stdout.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
            return agree ? ExitCodes.Ok : ExitCodes.ExpectationFailed;
        }

        var col = Math.Max(24, rows.Select(r => r.A.Length).Append(a0.Firmware.Length).Max() + 2);
        var head = Math.Max(28, rows.Select(r => r.Name.Length + r.Path.Length + r.Item.Length + 4).DefaultIfEmpty(0).Max());
        stdout.WriteLine($"  {"function (path) item".PadRight(head)}{a0.Firmware.PadRight(col)}{b0.Firmware}");
        if (a0.Outcome != "ok" || b0.Outcome != "ok") stdout.WriteLine($"  {"firmware".PadRight(head)}{a0.Outcome.PadRight(col)}{b0.Outcome}");
        foreach (var r in rows)
        {
            var mark = r.A == r.B ? "  " : "* ";
            stdout.WriteLine($"{mark}{$"{r.Name} ({r.Path}) {r.Item}".PadRight(head)}{r.A.PadRight(col)}{r.B}");
        }
        foreach (var v in verdicts)
        {
            var mark = v.A == v.B ? "  " : "* ";
            stdout.WriteLine($"{mark}{v.Step.PadRight(head)}{v.A.PadRight(col)}{v.B}");
        }
        var differing = rows.Count(r => r.A != r.B) + verdicts.Count(v => v.A != v.B);
        stdout.WriteLine();
        stdout.WriteLine(agree ? "The two firmwares agree." : $"{differing} item(s) differ (marked *).");
        if (!agree)
        {
            foreach (var s in sides)
            {
                if (s.Policy is { } p) stdout.WriteLine($"  {p}");
            }
        }
        return agree ? ExitCodes.Ok : ExitCodes.ExpectationFailed;
    }

    private static Side Boot(string? file, IReadOnlyList<string> topology, string firmware)
    {
        var settings = new RunSettings();
        var parser = ScenarioOptions.CreateParser(settings);
        Scenario scenario = file is not null
            ? parser.ParseText(File.ReadAllText(file) + "\nfirmware " + firmware + "\n" + string.Join('\n', Pairs(topology)), file)
            : parser.ParseArguments([.. topology, "--firmware", firmware]);
        var runner = ScenarioRunner.Boot(new RunRequest { Scenario = scenario, Firmware = settings.Firmware, Edk2Options = settings.Edk2, Kernel = settings.Kernel });
        var rows = AssignmentView.Build(runner.Machine.Snapshot());
        var verdicts = new List<(string, string)>();
        if (!runner.FirmwareFailed)
        {
            runner.RunSteps(scenario.Steps);
            foreach (var s in runner.Steps)
            {
                if (s.Step is not DeviceAddStep add) continue;
                var id = add.Device.Id ?? add.Device.Driver;
                verdicts.Add(($"device_add {id}", s.Verdict is { } v ? (v.AllBarsAssigned ? "ok" : "fails") : "plugged (no kernel)"));
            }
        }
        return new Side(settings.Firmware.Name, settings.Firmware.WindowPolicy, rows, verdicts, runner.FirmwareRun?.Outcome ?? "none");
    }

    /// <summary>Command-line options after a scenario file, as scenario-file lines ("--device-add X" → "-device-add X").</summary>
    private static IEnumerable<string> Pairs(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][1..] : args[i];
            yield return i + 1 < args.Count && !args[i + 1].StartsWith('-') ? $"{name} {args[++i]}" : name;
        }
    }
}
