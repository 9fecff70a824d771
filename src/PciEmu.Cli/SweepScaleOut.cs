using System.Globalization;
using System.Text.Json;
using PciEmu.Scenarios.Checking;

namespace PciEmu.Cli;

/// <summary>How a sweep runs: cores used and output form.</summary>
public sealed record SweepSettings
{
    /// <summary>Upper bound on --jobs (a typo such as 1000 is an input error, not 1000 threads).</summary>
    public const int MaxJobs = 256;

    public int Jobs { get; init; } = 1;

    public bool Json { get; init; }
}

/// <summary>
/// <c>--shard I/K</c>: the seed range S..S+N-1 cut into K contiguous parts, part I (1-based) kept. Part I holds seeds
/// S + ⌊N(I-1)/K⌋ … S + ⌊NI/K⌋ - 1, so the K parts are disjoint, cover the range, and differ in size by at most one.
/// Sharding is by seed range only, so any job runner (a CI matrix, a cluster job array, xargs) can drive it.
/// </summary>
public static class SweepShard
{
    public static (int Seed, int Count) Apply(int seed, int count, string? shard)
    {
        if (shard is null) return (seed, count);
        var parts = shard.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var k)
            || k < 1 || i < 1 || i > k)
        {
            throw new CliInputException("--shard", $"--shard: '{shard}' is not I/K with 1 <= I <= K");
        }
        if (k > count) throw new CliInputException("--shard", $"--shard: {k} shards for {count} topologies leaves shards empty");
        var first = (int)((long)count * (i - 1) / k);
        var end = (int)((long)count * i / k);
        return (seed + first, end - first);
    }
}

/// <summary>
/// Runs seeds on up to J worker threads and hands results to the report callback on the calling thread in seed
/// order (a small reorder buffer), so the output of a sweep does not depend on J. Each topology builds its own
/// machine, firmware and kernel objects; nothing is shared between workers.
/// </summary>
public static class SweepScheduler
{
    public static void Run(int seed, int count, int jobs, Func<int, SweepCase> run, Action<SweepCase> report)
    {
        if (jobs <= 1)
        {
            for (var i = 0; i < count; i++) report(run(seed + i));
            return;
        }
        var results = new SweepCase?[count];
        var ready = new SemaphoreSlim(0);
        var next = -1;
        Exception? error = null;
        var workers = Enumerable.Range(0, Math.Min(jobs, count)).Select(_ => new Thread(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                try
                {
                    Volatile.Write(ref results[i], run(seed + i));
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref error, e, null);
                    Volatile.Write(ref next, count);
                }
                ready.Release();
            }
        }, maxStackSize: WorkerStack) { IsBackground = true }).ToList();
        foreach (var w in workers) w.Start();
        for (var i = 0; i < count; i++)
        {
            while (Volatile.Read(ref results[i]) is null)
            {
                if (Volatile.Read(ref error) is { } e) throw new InvalidOperationException($"sweep worker failed on a seed near {seed + i}", e);
                ready.Wait();
            }
            report(results[i]!);
            results[i] = null;
        }
        foreach (var w in workers) w.Join();
    }

    /// <summary>Workers get the main thread's default stack (8 MiB on Linux), as a sequential sweep would have.</summary>
    private const int WorkerStack = 8 * 1024 * 1024;
}

/// <summary>One JSON object per topology: seed, machine, outcome, hot-plug verdict, buses, details.</summary>
public static class SweepJson
{
    public static string Line(SweepCase c)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("seed", c.Topology.Seed);
            w.WriteString("machine", c.Topology.Machine);
            w.WriteString("outcome", c.Outcome.ToString());
            if (c.HotplugOk is { } ok) w.WriteBoolean("hotplug_ok", ok);
            else w.WriteNull("hotplug_ok");
            w.WriteNumber("buses", c.Topology.Buses);
            w.WriteStartArray("details");
            foreach (var d in c.Details) w.WriteStringValue(d);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
