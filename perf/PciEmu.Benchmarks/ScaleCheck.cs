using System.Diagnostics;
using System.Globalization;
using PciEmu.Core;
using PciEmu.Firmware.SeaBios;
using PciEmu.Perf;
using PciEmu.Scenarios.Generation;

namespace PciEmu.Benchmarks;

/// <summary>
/// Functional check and quick timing of the generated topologies outside BenchmarkDotNet: functions present,
/// SeaBIOS outcome, highest bus number, config accesses per phase, the best of a few stopwatch runs (wall and
/// process CPU time) and ns per ECAM read sweeping all 65,536 devfns after boot. <c>--svg FILE</c> also writes the
/// scaling plot. Exits 1 if SeaBIOS panics on any size.
/// </summary>
public static class ScaleCheck
{
    public const string Command = "scale-check";
    private const string SvgOption = "--svg";
    private const int Runs = 7;
    private const int Sweeps = 4;
    private const int Buses = 256;
    private static readonly int[] DefaultSizes = [10, 100, 1000, 4000, LargeTopology.FullFunctionCount];

    public static int Run(string[] args, TextWriter o)
    {
        string? svg = null;
        var sizes = new List<int>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == SvgOption && i + 1 < args.Length) svg = args[++i];
            else sizes.Add(int.Parse(args[i], CultureInfo.InvariantCulture));
        }
        if (sizes.Count == 0) sizes.AddRange(DefaultSizes);
        o.WriteLine("| functions | max bus | SeaBIOS | accesses (fw) | accesses (linux) | build ms | SeaBIOS ms | Linux ms | total ms | total CPU ms | µs/function | ns/ECAM read (sweep) |");
        o.WriteLine("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var failed = false;
        var points = new List<ScalePoint>();
        WarmUp();
        foreach (var n in sizes)
        {
            var c = new ScaleCase(n);
            double best = double.MaxValue, bestCpu = 0, bestFw = 0, bestOs = 0, bestBuild = 0;
            SeaBiosResult? fw = null;
            long fwAccesses = 0, osAccesses = 0;
            for (var i = 0; i < Runs; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                c.Build();
                var t1 = Stopwatch.GetTimestamp();
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                fw = c.RunFirmware();
                var t2 = Stopwatch.GetTimestamp();
                fwAccesses = c.Machine.Cpu.Stats.TotalConfigAccesses;
                if (!fw.Outcome.IsOk) break;
                c.RunKernel();
                var t3 = Stopwatch.GetTimestamp();
                var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;
                osAccesses = c.Machine.Cpu.Stats.TotalConfigAccesses - fwAccesses;
                var total = Stopwatch.GetElapsedTime(t1, t3).TotalMilliseconds;
                if (total < best)
                {
                    best = total;
                    bestCpu = cpu;
                    bestBuild = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
                    bestFw = Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds;
                    bestOs = Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds;
                }
            }
            if (fw is null || !fw.Outcome.IsOk)
            {
                failed = true;
                o.WriteLine($"| {n} | SeaBIOS: {fw?.Outcome.Kind} {fw?.Outcome.Message} |");
                continue;
            }
            var functions = c.CountFunctions();
            points.Add(new ScalePoint(functions, bestFw, bestOs));
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {functions} | {fw.MaxPciBus} | {fw.Outcome.Kind} | {fwAccesses} | {osAccesses} | {bestBuild:F2} | {bestFw:F2} | {bestOs:F2} | {best:F2} | {bestCpu:F0} | {best * 1000 / functions:F1} | {EcamSweep(c):F1} |"));
        }
        if (svg is not null && points.Count > 1)
        {
            File.WriteAllText(svg, ScalingSvg.Render(points, "SeaBIOS port + Linux-like enumerator on LargeTopology (q35), best of 7, shared 2-vCPU VM"));
            o.WriteLine($"wrote {svg}");
        }
        return failed ? 1 : 0;
    }

    /// <summary>Brings the firmware and enumerator code to tier 1 first, so small sizes are not timed at tier 0.</summary>
    private static void WarmUp()
    {
        const int WarmUpRuns = 30;
        const int WarmUpFunctions = 200;
        var c = new ScaleCase(WarmUpFunctions);
        for (var i = 0; i < WarmUpRuns; i++)
        {
            c.Build();
            c.RunFirmware();
            c.RunKernel();
        }
    }

    /// <summary>ns per ECAM vendor-ID read, sweeping every devfn of every bus (present or not) after boot.</summary>
    private static double EcamSweep(ScaleCase c)
    {
        var ecam = ScaleCase.KernelAccessor(c.Machine);
        uint x = 0;
        var t0 = Stopwatch.GetTimestamp();
        for (var s = 0; s < Sweeps; s++)
        {
            for (var bus = 0; bus < Buses; bus++)
            {
                for (var devFn = 0; devFn < Bdf.DevFnCount; devFn++) x ^= ecam.Read32(Bdf.FromDevFn(bus, devFn), 0);
            }
        }
        var ns = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / (Sweeps * Buses * Bdf.DevFnCount);
        return x == 1 ? -ns : ns;
    }
}
