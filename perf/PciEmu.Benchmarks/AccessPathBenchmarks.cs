using BenchmarkDotNet.Attributes;
using PciEmu.Core;
using PciEmu.Fabric;
using PciEmu.Fabric.Tracing;
using PciEmu.Testing;

namespace PciEmu.Benchmarks;

/// <summary>
/// One config dword read or write through ECAM and through CF8/CFC (a port pair), with tracing off and into an
/// in-memory ring, at routing depth 0, 1 and 3. Each invocation performs <see cref="OpsPerInvoke"/> accesses.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class AccessPathBenchmarks
{
    public const int OpsPerInvoke = 1000;

    private CpuBus _cpu = null!;
    private Cf8CfcAccessor _cf8 = null!;
    private EcamAccessor _ecam = null!;
    private Bdf _target;

    [Params(0, 1, 3)]
    public int Depth { get; set; }

    [Params(false, true)]
    public bool Tracing { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cpu = new CpuBus(CostProfiles.BareMetal);
        var root = PciBus.CreateRoot("pcie.0", isExpress: true);
        var hierarchy = new PciHierarchy(root);
        var decoder = new PciConfigDecoder(hierarchy, _cpu);
        new Cf8CfcHost(decoder).Map(_cpu);
        var ecam = new EcamHost(decoder);
        ecam.Update(true, 0xb0000000, 0x10000000);
        root.Plug(0, new TestHost());
        var bus = root;
        var bridges = new List<TestBridge>();
        for (var i = 0; i < Depth; i++)
        {
            var br = new TestBridge(new PciDeviceOptions { Id = "br" + i });
            bus = bus.Plug(1 << 3, br)!;
            bridges.Add(br);
        }
        for (var i = 0; i < bridges.Count; i++)
        {
            bridges[i].WriteConfig(Type1Header.PrimaryBus.Offset, 1, (uint)i);
            bridges[i].WriteConfig(Type1Header.SecondaryBus.Offset, 1, (uint)(i + 1));
            bridges[i].WriteConfig(Type1Header.SubordinateBus.Offset, 1, (uint)Depth);
        }
        bus.Plug(2 << 3, new TestEndpoint());
        _target = new Bdf(Depth, 2, 0);
        if (Tracing) _cpu.Trace = new RingTraceSink(4096);
        _cf8 = new Cf8CfcAccessor(_cpu);
        _ecam = new EcamAccessor(_cpu, 0xb0000000);
    }

    /// <summary>The target function's config bytes as ECAM reads them (for the flat-array reference).</summary>
    public byte[] TargetConfigBytes()
    {
        var bytes = new byte[ConfigSpace.ExpressSize];
        for (var o = 0; o < bytes.Length; o += sizeof(uint))
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(o), _ecam.Read32(_target, o));
        }
        return bytes;
    }

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public uint EcamRead32()
    {
        uint x = 0;
        for (var i = 0; i < OpsPerInvoke; i++) x ^= _ecam.Read32(_target, 0);
        return x;
    }

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public uint Cf8CfcRead32()
    {
        uint x = 0;
        for (var i = 0; i < OpsPerInvoke; i++) x ^= _cf8.Read32(_target, 0);
        return x;
    }

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public void EcamWrite32()
    {
        for (var i = 0; i < OpsPerInvoke; i++) _ecam.Write32(_target, 0x40, (uint)i);
    }

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public void Cf8CfcWrite32()
    {
        for (var i = 0; i < OpsPerInvoke; i++) _cf8.Write32(_target, 0x40, (uint)i);
    }
}
