using PciEmu.Platform;
using PciEmu.Scenarios.Reports;
using PciEmu.Scenarios.Topology;
using PciEmu.Testing;

namespace PciEmu.Scenarios.Tests;

/// <summary>Every view of two topologies right after machine creation (no firmware ran), pinned as golden files.</summary>
public class GoldenViewTests
{
    public static TheoryData<string, string> Scenarios() => new()
    {
        { "platform-pc-bridge-testdev", "-M pc\n-m 1G\n-nodefaults\n-device pci-bridge,id=br1,chassis_nr=1\n-device pci-testdev,bus=br1,addr=1,membar=64M\n-device e1000\n" },
        { "platform-q35-rootports", "-M q35\n-m 4G\n-nodefaults\n-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=1c.0,multifunction=on,pref64-reserve=1G\n-device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,addr=1c.1,io-reserve=0\n-device pci-testdev,bus=rp1,membar=4M\n-device virtio-net-pci,bus=rp2\n" },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Views_BeforeFirmware_MatchGoldenFiles(string name, string scenario)
    {
        var machine = new TopologyParser().ParseText(scenario, name).Build(DevicesCatalog.Instance);
        foreach (var kind in PlatformReports.Kinds)
            Golden.Assert(name, kind + ".txt", PlatformReports.Render(kind, machine)!);
    }
}
