using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PciEmu.Scenarios.Checking;
using Spectre.Console;

namespace PciEmu.Cli;

/// <summary>
/// <c>pciemu sweep --seed S --count N [--out DIR] [--jobs J] [--shard I/K] [--json]</c>: generates N seeded random
/// topologies (seeds S..S+N-1), runs SeaBIOS, Linux and a random hot-plug on each, checks the invariants, and writes
/// every failing topology to DIR as a scenario file (<c>pciemu run FILE --check</c> reproduces it). <c>--jobs</c> runs
/// J topologies at once on J cores; <c>--shard I/K</c> keeps the I-th of K contiguous seed ranges (so a CI matrix or
/// a cluster job array runs one sweep on K machines); <c>--json</c> prints one JSON line per topology (shards merge
/// with <c>cat</c>). Output is in seed order whatever J is. Exit 0 when nothing failed, 1 otherwise.
/// </summary>
public static class SweepCommand
{
    private const int MaxListedFailures = 20;

    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var seed = new Option<int>("--seed") { Description = "First seed", DefaultValueFactory = _ => 1 };
        var count = new Option<int>("--count") { Description = "Number of topologies", DefaultValueFactory = _ => 100 };
        var output = new Option<string>("--out") { Description = "Folder for failing scenarios", DefaultValueFactory = _ => "sweep-failures" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Topologies run at once (cores used)", DefaultValueFactory = _ => 1 };
        var shard = new Option<string?>("--shard") { Description = "I/K: run only the I-th (1..K) of K contiguous seed ranges" };
        var json = new Option<bool>("--json") { Description = "One JSON line per topology instead of the summary" };
        var cmd = new Command("sweep", "Run seeded random topologies through firmware, kernel and hot-plug; check invariants.")
        {
            seed, count, output, jobs, shard, json,
        };
        cmd.SetAction(parse =>
        {
            var range = SweepShard.Apply(parse.GetValue(seed), parse.GetValue(count), parse.GetValue(shard));
            return Execute(range.Seed, range.Count, parse.GetValue(output)!, stdout, stderr,
                new SweepSettings { Jobs = parse.GetValue(jobs), Json = parse.GetValue(json) });
        });
        return cmd;
    }

    public static int Execute(int seed, int count, string outDir, TextWriter stdout, TextWriter stderr) =>
        Execute(seed, count, outDir, stdout, stderr, new SweepSettings());

    public static int Execute(int seed, int count, string outDir, TextWriter stdout, TextWriter stderr, SweepSettings settings)
    {
        if (count <= 0) throw new CliInputException("--count", $"--count: '{count}' must be positive");
        if ((long)seed + count - 1 > int.MaxValue) throw new CliInputException("--seed", $"--seed: {seed} + {count} passes {int.MaxValue}");
        if (settings.Jobs is < 1 or > SweepSettings.MaxJobs)
        {
            throw new CliInputException("--jobs", $"--jobs: '{settings.Jobs}' must be between 1 and {SweepSettings.MaxJobs}");
        }
        var summary = new SweepSummary();
        var clock = Stopwatch.StartNew();
        void Report(SweepCase c)
        {
            summary.Add(c);
            if (c.IsFailure) Write(outDir, c, stderr);
            if (settings.Json) stdout.WriteLine(SweepJson.Line(c));
        }
        void RunAll(Action? tick) => SweepScheduler.Run(seed, count, settings.Jobs, SweepRunner.RunOne, c =>
        {
            Report(c);
            tick?.Invoke();
        });
        if (settings.Json)
        {
            RunAll(null);
            return summary.Failures.Count == 0 ? ExitCodes.Ok : ExitCodes.ExpectationFailed;
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
        summary.Print(stdout, seed, count, clock.Elapsed, outDir, settings.Jobs);
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

        public void Print(TextWriter o, int seed, int count, TimeSpan elapsed, string outDir, int jobs)
        {
            var inv = CultureInfo.InvariantCulture;
            var rate = count / Math.Max(elapsed.TotalSeconds, 1e-9);
            o.WriteLine(string.Create(inv, $"sweep: seeds {seed}..{seed + count - 1}, {count} topologies in {elapsed.TotalSeconds:F1} s, {rate:F0} topologies/s on {jobs} job{(jobs == 1 ? "" : "s")} (largest {MaxBuses} buses)"));
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
