using PciEmu.Core;
using PciEmu.Fabric;
using PciEmu.Testing;

namespace PciEmu.Fabric.Tests;

/// <summary>A minimal q35-like fabric: CPU bus, PCIe root bus with a host at 00:00.0, CF8/CFC, 0xCF9, ECAM.</summary>
internal sealed class TestFabric
{
    public const ulong EcamBase = 0xb0000000;
    public const ulong EcamSize = 0x10000000;

    public TestFabric(ICostModel? cost = null, bool express = true)
    {
        Cpu = new CpuBus(cost ?? CostProfiles.BareMetal);
        Root = PciBus.CreateRoot(express ? "pcie.0" : "pci.0", express);
        Hierarchy = new PciHierarchy(Root);
        Decoder = new PciConfigDecoder(Hierarchy, Cpu);
        Cf8 = new Cf8CfcHost(Decoder);
        Cf8.Map(Cpu);
        Rcr = new ResetControlRegister(0x0a);
        Rcr.Map(Cpu);
        Ecam = new EcamHost(Decoder);
        Root.Plug(0, new TestHost());
        Cf8Accessor = new Cf8CfcAccessor(Cpu);
        EcamAccessor = new EcamAccessor(Cpu, EcamBase);
    }

    public CpuBus Cpu { get; }
    public PciBus Root { get; }
    public PciHierarchy Hierarchy { get; }
    public PciConfigDecoder Decoder { get; }
    public Cf8CfcHost Cf8 { get; }
    public ResetControlRegister Rcr { get; }
    public EcamHost Ecam { get; }
    public Cf8CfcAccessor Cf8Accessor { get; }
    public EcamAccessor EcamAccessor { get; }

    public void EnableEcam() => Ecam.Update(true, EcamBase, EcamSize);

    /// <summary>Builds root → bridge chain of <paramref name="depth"/> bridges (at slot 1 of each bus) with an endpoint below.</summary>
    public (List<TestBridge> Bridges, TestEndpoint Endpoint) Chain(int depth, bool express = false, bool program = true)
    {
        var bridges = new List<TestBridge>();
        var bus = Root;
        for (var i = 0; i < depth; i++)
        {
            var br = new TestBridge(new PciDeviceOptions { Id = "br" + i }, express);
            bus = bus.Plug(express ? 0 : (1 << 3), br)!;
            if (bus.ParentBus == Root) { /* keep */ }
            bridges.Add(br);
        }
        var ep = new TestEndpoint();
        bus.Plug(express ? 0 : (1 << 3), ep);
        if (program)
        {
            // Number the buses 1..depth like firmware would: bridge i has primary i, secondary i+1, subordinate depth.
            for (var i = 0; i < depth; i++)
            {
                bridges[i].WriteConfig(Type1Header.PrimaryBus.Offset, 1, (uint)i);
                bridges[i].WriteConfig(Type1Header.SecondaryBus.Offset, 1, (uint)(i + 1));
                bridges[i].WriteConfig(Type1Header.SubordinateBus.Offset, 1, (uint)depth);
            }
        }
        return (bridges, ep);
    }
}
