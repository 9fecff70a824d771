using System.Globalization;
using PciEmu.Perf;

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

        // The limit: the same loop shape reading a dword of the same config bytes from a flat byte array (what a
        // model with no fabric, no counters and no routing would do), timed in the same process, so the ratio is
        // the distance to the hardware limit and machine load does not move it.
        var deep = new AccessPathBenchmarks { Depth = 3, Tracing = false };
        deep.Setup();
        var flat = new FlatConfigArray(deep.TargetConfigBytes());
        var ecam = 0.0;
        var reference = 0.0;
        for (var pass = 0; pass < RatioPasses; pass++)
        {
            ecam += Best(() => deep.EcamRead32());
            reference += Best(flat.Read32, FlatInvokesPerRound);
        }
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"flat-array-read ns {reference / RatioPasses:F2}"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ecam-read-vs-flat-array {ecam / reference:F1}"));
        return 0;
    }

    private const int RatioPasses = 3;

    // Thread CPU time advances at scheduler ticks; the flat loop is ~30x faster, so it runs ~30x more invokes to
    // span as many ticks as an ECAM round.
    private const int FlatInvokesPerRound = 60_000;

    /// <summary>A function's config bytes in a plain array, read as the benchmark reads ECAM: one dword per access.</summary>
    private sealed class FlatConfigArray(byte[] bytes)
    {
        private readonly byte[] _bytes = bytes;

        // The offset walks the header's dwords so that the JIT cannot hoist the load out of the loop; the value is
        // folded with a rotate so that the loop cannot be reduced to a closed form.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        public uint Read32()
        {
            uint x = 0;
            var bytes = _bytes;
            for (var i = 0; i < AccessPathBenchmarks.OpsPerInvoke; i++)
            {
                var offset = (i * sizeof(uint)) & (HeaderBytes - 1);
                x = System.Numerics.BitOperations.RotateLeft(x, 1) ^ System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset));
            }
            return x;
        }

        private const int HeaderBytes = 64;
    }

    /// <summary>This thread's on-CPU time (Linux schedstat, ns), so time spent preempted on the shared VM is not counted.</summary>
    private static long ThreadCpuNanoseconds()
    {
        const string SchedStat = "/proc/thread-self/schedstat";
        var text = File.ReadAllText(SchedStat);
        return long.Parse(text.AsSpan(0, text.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
    }

    private static double Best(Func<uint> invoke) => Best(invoke, InvokesPerRound);

    private static double Best(Func<uint> invoke, int invokesPerRound)
    {
        var best = double.MaxValue;
        uint sink = 0;
        for (var r = 0; r < Rounds; r++)
        {
            var t0 = ThreadCpuNanoseconds();
            for (var i = 0; i < invokesPerRound; i++) sink ^= invoke();
            var ns = (ThreadCpuNanoseconds() - t0) / ((double)invokesPerRound * AccessPathBenchmarks.OpsPerInvoke);
            best = Math.Min(best, ns);
        }
        return sink == 1 ? -best : best;
    }
}
