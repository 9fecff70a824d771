using BenchmarkDotNet.Attributes;
using PciEmu.Perf;

namespace PciEmu.Benchmarks;

/// <summary>
/// One config dword read or write through ECAM and through CF8/CFC (a port pair), with tracing off and into an
/// in-memory ring, at routing depth 0, 1 and 3 (<see cref="AccessRig"/>). Each invocation performs
/// <see cref="OpsPerInvoke"/> accesses.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class AccessPathBenchmarks
{
    public const int OpsPerInvoke = AccessRig.OpsPerInvoke;

    private AccessRig _rig = null!;

    [Params(0, 1, 3)]
    public int Depth { get; set; }

    [Params(false, true)]
    public bool Tracing { get; set; }

    [GlobalSetup]
    public void Setup() => _rig = new AccessRig(Depth, Tracing);

    /// <summary>The target function's config bytes as ECAM reads them (for the flat-array reference).</summary>
    public byte[] TargetConfigBytes() => _rig.TargetConfigBytes();

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public uint EcamRead32() => _rig.EcamRead32();

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public uint Cf8CfcRead32() => _rig.Cf8CfcRead32();

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public void EcamWrite32() => _rig.EcamWrite32();

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public void Cf8CfcWrite32() => _rig.Cf8CfcWrite32();
}
