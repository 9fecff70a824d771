using System.Globalization;

namespace PciEmu.Benchmarks;

/// <summary>
/// <c>access-check</c>: a quick loop, timed by this thread's CPU time, over <see cref="AccessPathBenchmarks"/> (tracing off), best of several
/// rounds, for iterating on the hot path between BenchmarkDotNet runs. Prints ns and M accesses/s per case.
/// </summary>
public static class AccessCheck
{
    public const string Command = "access-check";
    private const int Rounds = 15;
    private const int InvokesPerRound = 2000;

    public static int Run(TextWriter o)
    {
        o.WriteLine("| depth | ECAM read ns | CF8/CFC read ns | ECAM write ns | CF8/CFC write ns |");
        o.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (var depth in (int[])[0, 1, 3])
        {
            var b = new AccessPathBenchmarks { Depth = depth, Tracing = false };
            b.Setup();
            var ecamR = Best(() => b.EcamRead32());
            var cf8R = Best(() => b.Cf8CfcRead32());
            var ecamW = Best(() => { b.EcamWrite32(); return 0u; });
            var cf8W = Best(() => { b.Cf8CfcWrite32(); return 0u; });
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {depth} | {ecamR:F1} | {cf8R:F1} | {ecamW:F1} | {cf8W:F1} |"));
        }
        return 0;
    }

    /// <summary>This thread's on-CPU time (Linux schedstat, ns), so time spent preempted on the shared VM is not counted.</summary>
    private static long ThreadCpuNanoseconds()
    {
        const string SchedStat = "/proc/thread-self/schedstat";
        var text = File.ReadAllText(SchedStat);
        return long.Parse(text.AsSpan(0, text.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
    }

    private static double Best(Func<uint> invoke)
    {
        var best = double.MaxValue;
        uint sink = 0;
        for (var r = 0; r < Rounds; r++)
        {
            var t0 = ThreadCpuNanoseconds();
            for (var i = 0; i < InvokesPerRound; i++) sink ^= invoke();
            var ns = (ThreadCpuNanoseconds() - t0) / ((double)InvokesPerRound * AccessPathBenchmarks.OpsPerInvoke);
            best = Math.Min(best, ns);
        }
        return sink == 1 ? -best : best;
    }
}
