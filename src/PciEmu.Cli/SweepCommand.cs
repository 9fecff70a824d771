using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PciEmu.Scenarios.Checking;
using Spectre.Console;

namespace PciEmu.Cli;

/// <summary>
/// <c>pciemu sweep --seed S --count N [--out DIR]</c>: generates N seeded random topologies (seeds S..S+N-1), runs
/// SeaBIOS, Linux and a random hot-plug on each, checks the invariants, and writes every failing topology to DIR as
/// a scenario file (<c>pciemu run FILE --check</c> reproduces it). Exit 0 when nothing failed, 1 otherwise.
/// </summary>
public static class SweepCommand
{
    private const int MaxListedFailures = 20;

    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var seed = new Option<int>("--seed") { Description = "First seed", DefaultValueFactory = _ => 1 };
        var count = new Option<int>("--count") { Description = "Number of topologies", DefaultValueFactory = _ => 100 };
        var output = new Option<string>("--out") { Description = "Folder for failing scenarios", DefaultValueFactory = _ => "sweep-failures" };
        var cmd = new Command("sweep", "Run seeded random topologies through firmware, kernel and hot-plug; check invariants.") { seed, count, output };
        cmd.SetAction(parse => Execute(parse.GetValue(seed), parse.GetValue(count), parse.GetValue(output)!, stdout, stderr));
        return cmd;
    }

    public static int Execute(int seed, int count, string outDir, TextWriter stdout, TextWriter stderr)
    {
        if (count <= 0) throw new CliInputException("--count", $"--count: '{count}' must be positive");
        if ((long)seed + count - 1 > int.MaxValue) throw new CliInputException("--seed", $"--seed: {seed} + {count} passes {int.MaxValue}");
        var summary = new SweepSummary();
        var clock = Stopwatch.StartNew();
        void RunAll(Action? tick)
        {
            for (var i = 0; i < count; i++)
            {
                var c = SweepRunner.RunOne(seed + i);
                summary.Add(c);
                if (c.IsFailure) Write(outDir, c, stderr);
                tick?.Invoke();
            }
        }
        if (ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected)
        {
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask($"sweep seeds {seed}..{seed + count - 1}", maxValue: count);
                    RunAll(() => task.Increment(1));
                });
        }
        else
        {
            RunAll(null);
        }
        summary.Print(stdout, seed, count, clock.Elapsed, outDir);
        return summary.Failures.Count == 0 ? ExitCodes.Ok : ExitCodes.ExpectationFailed;
    }

    private static void Write(string outDir, SweepCase c, TextWriter stderr)
    {
        Directory.CreateDirectory(outDir);
        var path = Path.Combine(outDir, $"seed-{c.Topology.Seed}.pciemu");
        File.WriteAllText(path, c.ToScenarioText());
        stderr.WriteLine($"pciemu: sweep: seed {c.Topology.Seed} {c.Outcome}: {First(c)} -> {path}");
    }

    private static string First(SweepCase c) => c.Details.Count > 0 ? c.Details[0] : string.Empty;

    private sealed class SweepSummary
    {
        public Dictionary<SweepOutcome, int> Outcomes { get; } = Enum.GetValues<SweepOutcome>().ToDictionary(o => o, _ => 0);
        public Dictionary<string, int> Panics { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, int> Known { get; } = new(StringComparer.Ordinal);
        public List<SweepCase> Failures { get; } = [];
        public int HotplugOk { get; private set; }
        public int HotplugFails { get; private set; }
        public int MaxBuses { get; private set; }

        public void Add(SweepCase c)
        {
            Outcomes[c.Outcome]++;
            if (c.Outcome == SweepOutcome.FirmwarePanic) Panics[c.Details[0]] = Panics.GetValueOrDefault(c.Details[0]) + 1;
            if (c.IsFailure) Failures.Add(c);
            if (c.Outcome == SweepOutcome.KnownUpstream) Known[c.Details[0]] = Known.GetValueOrDefault(c.Details[0]) + 1;
            if (c.HotplugOk == true) HotplugOk++;
            if (c.HotplugOk == false) HotplugFails++;
            MaxBuses = Math.Max(MaxBuses, c.Topology.Buses);
        }

        public void Print(TextWriter o, int seed, int count, TimeSpan elapsed, string outDir)
        {
            var inv = CultureInfo.InvariantCulture;
            o.WriteLine(string.Create(inv, $"sweep: seeds {seed}..{seed + count - 1}, {count} topologies in {elapsed.TotalSeconds:F1} s (largest {MaxBuses} buses)"));
            foreach (var (k, v) in Outcomes) o.WriteLine(string.Create(inv, $"  {k,-14} {v}"));
            foreach (var (text, n) in Panics.OrderBy(p => p.Key, StringComparer.Ordinal)) o.WriteLine(string.Create(inv, $"    {n} x {text}"));
            o.WriteLine(string.Create(inv, $"  hot-plug: {HotplugOk} ok, {HotplugFails} failed to get resources (outcomes, not failures)"));
            if (Failures.Count == 0)
            {
                o.WriteLine("sweep: no failures");
                return;
            }
            o.WriteLine(string.Create(inv, $"sweep: {Failures.Count} failures, scenarios in {outDir}/"));
            foreach (var f in Failures.Take(MaxListedFailures)) o.WriteLine(string.Create(inv, $"  seed {f.Topology.Seed}: {f.Outcome}: {First(f)}"));
        }
    }
}
