using PciEmu.Core;
using PciEmu.Fabric;
using PciEmu.Scenarios.Profiling;
using PciEmu.Testing;

namespace PciEmu.Scenarios.Tests.Profiling;

public class ProfileTests
{
    private static CpuBus Run(ICostModel cost)
    {
        var cpu = new CpuBus(cost);
        var root = PciBus.CreateRoot("pcie.0", true);
        var dec = new PciConfigDecoder(new PciHierarchy(root), cpu);
        new Cf8CfcHost(dec).Map(cpu);
        var ecam = new EcamHost(dec);
        ecam.Update(true, 0xb0000000, 0x10000000);
        root.Plug(0, new TestHost());
        root.Plug(3 << 3, new TestEndpoint());
        var cf8 = new Cf8CfcAccessor(cpu);
        var mm = new EcamAccessor(cpu, 0xb0000000);
        using (cpu.BeginPhase("probe"))
        {
            for (var dev = 0; dev < 4; dev++) cf8.Read32(new Bdf(0, dev, 0), 0);
        }
        using (cpu.BeginPhase("size"))
        {
            mm.Write32(new Bdf(0, 3, 0), 0x10, uint.MaxValue);
            mm.Read32(new Bdf(0, 3, 0), 0x10);
            mm.Write32(new Bdf(0, 3, 0), 0x10, 0);
        }
        return cpu;
    }

    [Fact]
    public void ProfileTable_IsGolden()
    {
        var p = Profile.Capture(Run(CostProfiles.Kvm));
        Golden.Assert("profile", "small-kvm.txt", p.ToText());
    }

    [Fact]
    public void Profile_AttributesCyclesToPhasesDevicesAndMechanisms()
    {
        var p = Profile.Capture(Run(CostProfiles.BareMetal), b => b + " dev");
        Assert.Equal(7, p.ConfigAccesses);
        Assert.Equal(2, p.Aborts);
        Assert.Equal(4 * 2 * 1000, p.Phases.Single(r => r.Name == "probe").Cycles);
        Assert.Equal(3 * 400, p.Phases.Single(r => r.Name == "size").Cycles);
        Assert.Equal(p.TotalCycles, p.Phases.Sum(r => r.Cycles));
        Assert.Equal(p.TotalCycles, p.Devices.Sum(r => r.Cycles));
        Assert.Equal(4, p.Devices.Single(r => r.Name == "00:03.0 dev").Accesses);
        Assert.Equal(4, p.Mechanisms.Single(r => r.Name == "CF8/CFC read32").Accesses);
        Assert.Equal(2, p.Mechanisms.Single(r => r.Name == "ECAM write32").Accesses);
        Assert.Contains("<svg", p.ToSvg(), StringComparison.Ordinal);
    }
}
