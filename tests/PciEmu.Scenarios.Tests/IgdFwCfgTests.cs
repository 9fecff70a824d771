using PciEmu.Platform;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Tests;

public class IgdFwCfgTests
{
    [Fact]
    public void IgdAt0200_PublishesOpRegionAndBdsmSize_InSortedDirectory()
    {
        var m = new TopologyParser().ParseText("-M pc\n-nodefaults\n-device vfio-pci,host=00:02.0,addr=02.0,x-igd-opregion=on\n").Build(DevicesCatalog.Instance);
        Assert.True(m.FwCfg.TryGetFile("etc/igd-opregion", out var opregion));
        Assert.False(opregion.IsEmpty);
        Assert.True(m.FwCfg.TryGetFile("etc/igd-bdsm-size", out var bdsm));
        Assert.Equal(sizeof(ulong), bdsm.Length);
        Assert.Equal(["etc/boot-fail-wait", "etc/e820", "etc/igd-bdsm-size", "etc/igd-opregion", "etc/table-loader"], m.FwCfg.FileNames);
    }

    [Fact]
    public void NoIgd_NoIgdFiles()
    {
        var m = new TopologyParser().ParseText("-M pc\n-nodefaults\n").Build(DevicesCatalog.Instance);
        Assert.Equal(["etc/boot-fail-wait", "etc/e820", "etc/table-loader"], m.FwCfg.FileNames);
    }
}
