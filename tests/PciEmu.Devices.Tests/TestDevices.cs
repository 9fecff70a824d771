using PciEmu.Core;
using PciEmu.Devices.Catalog;
using PciEmu.Devices.Devices;

namespace PciEmu.Devices.Tests;

/// <summary>Every modelled device, realized with representative properties.</summary>
public static class TestDevices
{
    public static readonly IReadOnlyDictionary<string, Func<PciFunction>> All = new Dictionary<string, Func<PciFunction>>
    {
        ["i440fx"] = () => new I440fxHost(new I440fxOptions { RamSize = 1UL << 30 }),
        ["piix3"] = () => new Piix3Isa(),
        ["piix3-ide"] = () => new PiixIde(),
        ["piix4-pm"] = () => new Piix4Pm(new Piix4PmOptions()),
        ["mch"] = () => new Q35Mch(new Q35MchOptions()),
        ["ich9-lpc"] = () => new Ich9Lpc(new Ich9LpcOptions()),
        ["ich9-ahci"] = () => new Ich9Ahci(),
        ["ich9-smbus"] = () => new Ich9Smbus(),
        ["gpex-root"] = () => new GpexRoot(),
        ["pcie-root-port"] = () => Catalog("pcie-root-port,id=rp1,chassis=1,slot=2"),
        ["pcie-root-port-reserve"] = () => Catalog("pcie-root-port,id=rp2,chassis=1,io-reserve=0,mem-reserve=8M,bus-reserve=3"),
        ["ioh3420"] = () => Catalog("ioh3420,id=rp3,chassis=2"),
        ["xio3130-downstream"] = () => Catalog("xio3130-downstream,id=dp,chassis=3"),
        ["x3130-upstream"] = () => Catalog("x3130-upstream,id=up"),
        ["pci-bridge"] = () => Catalog("pci-bridge,id=br1,chassis_nr=1"),
        ["pci-bridge-reserve"] = () => Catalog("pci-bridge,id=br2,chassis_nr=2,pref64-reserve=1G"),
        ["pcie-pci-bridge"] = () => Catalog("pcie-pci-bridge,id=ppb"),
        ["pci-testdev"] = () => Catalog("pci-testdev,membar=64M"),
        ["e1000"] = () => Catalog("e1000"),
        ["e1000e"] = () => Catalog("e1000e"),
        ["virtio-net-pci"] = () => Catalog("virtio-net-pci"),
        ["virtio-rng-pci-modern"] = () => DeviceCatalog.Create(DeviceProperties.Parse("virtio-rng-pci"), new PlugContext(true, false)),
        ["VGA"] = () => Catalog("VGA"),
        ["igd"] = () => Catalog("vfio-pci,host=00:02.0,x-pci-device-id=0x0412,x-igd-gms=2"),
    };

    public static PciFunction Catalog(string spec) => DeviceCatalog.Create(DeviceProperties.Parse(spec));

    public static PciFunction Realized(string name)
    {
        var f = All[name]();
        f.Realize();
        return f;
    }
}
