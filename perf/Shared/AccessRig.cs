using PciEmu.Core;
using PciEmu.Fabric;
using PciEmu.Fabric.Tracing;
using PciEmu.Testing;

namespace PciEmu.Perf;

/// <summary>
/// The access-path rig shared by the benchmarks and the callgrind profile: a host bridge, <c>depth</c> bridges in a
/// chain and an endpoint behind them; ECAM at 0xB0000000 and CF8/CFC. Each loop performs <see cref="OpsPerInvoke"/>
/// dword accesses of the endpoint, so one call per thousand accesses is the only overhead outside the path.
/// </summary>
public sealed class AccessRig
{
    public const int OpsPerInvoke = 1000;
    public const ulong EcamBase = 0xb0000000;
    private const ulong EcamSize = 0x10000000;
    private const int RingEvents = 4096;
    private const int ScratchRegister = 0x40;

    private readonly Cf8CfcAccessor _cf8;
    private readonly EcamAccessor _ecam;
    private readonly Bdf _target;

    public AccessRig(int depth, bool tracing)
    {
        Cpu = new CpuBus(CostProfiles.BareMetal);
        var root = PciBus.CreateRoot("pcie.0", isExpress: true);
        var hierarchy = new PciHierarchy(root);
        var decoder = new PciConfigDecoder(hierarchy, Cpu);
        new Cf8CfcHost(decoder).Map(Cpu);
        var ecam = new EcamHost(decoder);
        ecam.Update(true, EcamBase, EcamSize);
        root.Plug(0, new TestHost());
        var bus = root;
        var bridges = new List<TestBridge>();
        for (var i = 0; i < depth; i++)
        {
            var br = new TestBridge(new PciDeviceOptions { Id = "br" + i });
            bus = bus.Plug(1 << 3, br)!;
            bridges.Add(br);
        }
        for (var i = 0; i < bridges.Count; i++)
        {
            bridges[i].WriteConfig(Type1Header.PrimaryBus.Offset, 1, (uint)i);
            bridges[i].WriteConfig(Type1Header.SecondaryBus.Offset, 1, (uint)(i + 1));
            bridges[i].WriteConfig(Type1Header.SubordinateBus.Offset, 1, (uint)depth);
        }
        bus.Plug(2 << 3, new TestEndpoint());
        _target = new Bdf(depth, 2, 0);
        if (tracing) Cpu.Trace = new RingTraceSink(RingEvents);
        _cf8 = new Cf8CfcAccessor(Cpu);
        _ecam = new EcamAccessor(Cpu, EcamBase);
    }

    public CpuBus Cpu { get; }

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

    public uint EcamRead32()
    {
        uint x = 0;
        for (var i = 0; i < OpsPerInvoke; i++) x ^= _ecam.Read32(_target, 0);
        return x;
    }

    public uint Cf8CfcRead32()
    {
        uint x = 0;
        for (var i = 0; i < OpsPerInvoke; i++) x ^= _cf8.Read32(_target, 0);
        return x;
    }

    public void EcamWrite32()
    {
        for (var i = 0; i < OpsPerInvoke; i++) _ecam.Write32(_target, ScratchRegister, (uint)i);
    }

    public void Cf8CfcWrite32()
    {
        for (var i = 0; i < OpsPerInvoke; i++) _cf8.Write32(_target, ScratchRegister, (uint)i);
    }
}
