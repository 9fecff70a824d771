using BenchmarkDotNet.Attributes;
using PciEmu.Os;
using PciEmu.Scenarios.Running;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Benchmarks;

/// <summary>
/// One whole scenario as `pciemu run` executes it: machine build, SeaBIOS, the Linux-like enumerator, and one
/// hot-plug (device_add into an empty root port, handled by pciehp). The topology is the CLI demo's.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ScenarioBenchmarks
{
    private static readonly string[] Args =
    [
        "-M", "q35", "-m", "1G", "-nodefaults",
        "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1,pref64-reserve=1G",
        "-device", "pcie-root-port,id=rp2,bus=pcie.0,chassis=1,slot=2",
        "-device", "virtio-rng-pci,bus=rp2",
        "device_add", "pci-testdev,bus=rp1,membar=512M,id=hp0",
    ];

    private Scenario _scenario = null!;

    [GlobalSetup]
    public void Setup() => _scenario = new TopologyParser().ParseArguments(Args);

    [Benchmark]
    public int FirmwareKernelHotplug()
    {
        var r = ScenarioRunner.Run(new RunRequest { Scenario = _scenario, Firmware = FirmwareKind.SeaBios, Kernel = new KernelOptions() });
        if (r.FirmwareFailed || r.Steps.Count != 1 || r.Steps[0].Passed != true) throw new InvalidOperationException("scenario did not hot-plug");
        return r.Steps.Count;
    }
}
