using BenchmarkDotNet.Attributes;
using PciEmu.Perf;
using PciEmu.Scenarios.Generation;

namespace PciEmu.Benchmarks;

/// <summary>
/// SeaBIOS pciinit and the Linux-like enumerator on generated q35 topologies (<see cref="LargeTopology"/>) of 10 to
/// 4,000 functions, and the full 256-bus shape (<see cref="LargeTopology.FullFunctionCount"/> functions). Machine
/// construction is in the iteration setup, so each measurement is one boot phase on a fresh machine.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ScalingBenchmarks
{
    private ScaleCase _case = null!;

    [Params(10, 100, 1000, 4000, LargeTopology.FullFunctionCount)]
    public int Functions { get; set; }

    [GlobalSetup]
    public void Setup() => _case = new ScaleCase(Functions);

    [IterationSetup(Targets = [nameof(SeaBios), nameof(SeaBiosAndLinux)])]
    public void BuildMachine() => _case.Build();

    [IterationSetup(Target = nameof(Linux))]
    public void BuildMachineAndFirmware()
    {
        _case.Build();
        _case.RunFirmware();
    }

    /// <summary>SeaBIOS 1.16.2 pci_setup port: bus numbering, sizing, allocation, programming.</summary>
    [Benchmark]
    public object SeaBios() => _case.RunFirmware();

    /// <summary>The Linux-like enumerator (scan, quirks, resource claim) after firmware.</summary>
    [Benchmark]
    public object Linux() => _case.RunKernel();

    /// <summary>Firmware + enumerator back to back: the 256-bus target.</summary>
    [Benchmark]
    public object SeaBiosAndLinux()
    {
        _case.RunFirmware();
        return _case.RunKernel();
    }
}
