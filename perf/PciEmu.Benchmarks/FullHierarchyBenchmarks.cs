using BenchmarkDotNet.Attributes;
using PciEmu.Core;
using PciEmu.Perf;
using PciEmu.Scenarios.Generation;

namespace PciEmu.Benchmarks;

/// <summary>
/// Config reads on the booted full 256-bus hierarchy (<see cref="LargeTopology.Full"/>, after SeaBIOS + Linux):
/// the vendor ID of every devfn on every bus (most absent: master abort), and of every present function only.
/// Each operation is one ECAM dword read; routing crosses up to three bridges and a root bus with 193 children.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class FullHierarchyBenchmarks
{
    private const int Buses = 256;
    private IConfigAccessor _ecam = null!;
    private Bdf[] _present = [];

    [GlobalSetup]
    public void Setup()
    {
        var c = new ScaleCase(LargeTopology.FullFunctionCount);
        c.Build();
        c.RunFirmware();
        c.RunKernel();
        _ecam = ScaleCase.KernelAccessor(c.Machine);
        var present = new List<Bdf>();
        for (var bus = 0; bus < Buses; bus++)
        {
            for (var devFn = 0; devFn < Bdf.DevFnCount; devFn++)
            {
                var bdf = Bdf.FromDevFn(bus, devFn);
                if (_ecam.Read32(bdf, 0) != uint.MaxValue) present.Add(bdf);
            }
        }
        _present = [.. present];
    }

    /// <summary>65,536 reads: every devfn of every bus.</summary>
    [Benchmark(OperationsPerInvoke = Buses * Bdf.DevFnCount)]
    public uint EcamSweepAllDevFns()
    {
        uint x = 0;
        for (var bus = 0; bus < Buses; bus++)
        {
            for (var devFn = 0; devFn < Bdf.DevFnCount; devFn++) x ^= _ecam.Read32(Bdf.FromDevFn(bus, devFn), 0);
        }
        return x;
    }

    /// <summary>One read of each present function (<see cref="LargeTopology.FullFunctionCount"/> reads).</summary>
    [Benchmark(OperationsPerInvoke = LargeTopology.FullFunctionCount)]
    public uint EcamReadPresentFunctions()
    {
        uint x = 0;
        foreach (var bdf in _present) x ^= _ecam.Read32(bdf, 0);
        return x;
    }
}
