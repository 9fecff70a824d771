using System.Globalization;
using PciEmu.Firmware.SeaBios;

namespace PciEmu.Perf;

/// <summary>
/// Workloads for <c>valgrind --tool=callgrind</c> (perf/callgrind). Instruction counts do not depend on machine load:
/// the difference between two runs of different lengths, divided by the difference in work, is the cost of one unit.
/// <list type="bullet">
/// <item><c>access ecam|cf8 THOUSANDS [DEPTH]</c>: THOUSANDS × 1,000 dword reads of a function behind DEPTH bridges.</item>
/// <item><c>scale FUNCTIONS [RUNS] [firmware|kernel|both]</c>: RUNS boots of the generated topology (machine build
/// outside the part that is counted per boot only through the difference of two RUNS values).</item>
/// </list>
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "access") return Access(args[1], Int(args, 2, 100), Int(args, 3, 3));
        if (args.Length >= 2 && args[0] == "scale") return Scale(Int(args, 1, 100), Int(args, 2, 1), args.Length > 3 ? args[3] : "both");
        Console.Error.WriteLine("usage: PciEmu.Profile access ecam|cf8 THOUSANDS [DEPTH] | scale FUNCTIONS [RUNS] [firmware|kernel|both]");
        return 2;
    }

    private static int Int(string[] args, int i, int fallback) =>
        args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;

    private static int Access(string kind, int thousands, int depth)
    {
        var rig = new AccessRig(depth, tracing: false);
        Func<uint> invoke = kind switch
        {
            "ecam" => rig.EcamRead32,
            "cf8" => rig.Cf8CfcRead32,
            _ => throw new ArgumentException($"unknown access kind '{kind}' (ecam, cf8)", nameof(kind)),
        };
        uint sink = 0;
        for (var i = 0; i < thousands; i++) sink ^= invoke();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{kind} depth {depth}: {thousands} x {AccessRig.OpsPerInvoke} reads, sink {sink:x8}, config accesses {rig.Cpu.Stats.TotalConfigAccesses}"));
        return 0;
    }

    private static int Scale(int functions, int runs, string what)
    {
        var c = new ScaleCase(functions);
        long allocated = 0;
        for (var r = 0; r < runs; r++)
        {
            c.Build();
            if (what == "kernel") c.RunFirmware();
            var a0 = GC.GetAllocatedBytesForCurrentThread();
            var fw = Boot(c, what);
            allocated += GC.GetAllocatedBytesForCurrentThread() - a0;
            if (fw is { Outcome.IsOk: false })
            {
                Console.Error.WriteLine($"SeaBIOS: {fw.Outcome.Kind} {fw.Outcome.Message}");
                return 1;
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{functions} functions, {runs} runs of {what}: {allocated / runs} bytes allocated per run, config accesses {c.Machine.Cpu.Stats.TotalConfigAccesses}"));
        return 0;
    }

    /// <summary>The counted part of a scale run (perf/callgrind collects only inside this method): firmware, kernel or both.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static SeaBiosResult? Boot(ScaleCase c, string what)
    {
        SeaBiosResult? fw = null;
        if (what != "kernel") fw = c.RunFirmware();
        if (what != "firmware" && fw is not { Outcome.IsOk: false }) c.RunKernel();
        return fw;
    }
}
