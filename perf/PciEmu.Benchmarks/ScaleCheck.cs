using System.Diagnostics;
using System.Globalization;
using PciEmu.Firmware.SeaBios;
using PciEmu.Scenarios.Generation;

namespace PciEmu.Benchmarks;

/// <summary>
/// Functional check and quick timing of the generated topologies outside BenchmarkDotNet: functions present,
/// SeaBIOS outcome, highest bus number, config accesses per phase, and the best of a few stopwatch runs.
/// </summary>
public static class ScaleCheck
{
    public const string Command = "scale-check";
    private const int Runs = 5;
    private static readonly int[] DefaultSizes = [10, 100, 1000, 4000, LargeTopology.FullFunctionCount];

    public static int Run(string[] args, TextWriter o)
    {
        var sizes = args.Length == 0 ? DefaultSizes : args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        o.WriteLine("target  functions  max-bus  seabios  accesses(fw)  accesses(linux)  build-ms  seabios-ms  linux-ms  total-ms  us/function");
        var failed = false;
        foreach (var n in sizes)
        {
            var c = new ScaleCase(n);
            double best = double.MaxValue, bestFw = 0, bestOs = 0, bestBuild = 0;
            SeaBiosResult? fw = null;
            long fwAccesses = 0, osAccesses = 0;
            var functions = 0;
            for (var i = 0; i < Runs; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                c.Build();
                var t1 = Stopwatch.GetTimestamp();
                fw = c.RunFirmware();
                var t2 = Stopwatch.GetTimestamp();
                fwAccesses = c.Machine.Cpu.Stats.TotalConfigAccesses;
                if (!fw.Outcome.IsOk) break;
                c.RunKernel();
                var t3 = Stopwatch.GetTimestamp();
                osAccesses = c.Machine.Cpu.Stats.TotalConfigAccesses - fwAccesses;
                var total = Stopwatch.GetElapsedTime(t1, t3).TotalMilliseconds;
                if (total < best)
                {
                    best = total;
                    bestBuild = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
                    bestFw = Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds;
                    bestOs = Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds;
                }
                functions = c.CountFunctions();
            }
            if (fw is null || !fw.Outcome.IsOk)
            {
                failed = true;
                o.WriteLine($"{n,6}  SeaBIOS: {fw?.Outcome.Kind} {fw?.Outcome.Message}");
                continue;
            }
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{n,6}  {functions,9}  {fw.MaxPciBus,7}  {fw.Outcome.Kind,7}  {fwAccesses,12}  {osAccesses,15}  {bestBuild,8:F2}  {bestFw,10:F2}  {bestOs,8:F2}  {best,8:F2}  {best * 1000 / functions,11:F2}"));
        }
        return failed ? 1 : 0;
    }
}
