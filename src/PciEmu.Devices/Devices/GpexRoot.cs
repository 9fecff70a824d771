using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>The arm virt root complex function, gpex-root 1b36:0008 (hw/pci-host/gpex.c).</summary>
public sealed class GpexRoot(PciDeviceOptions? options = null) : PciFunction(options)
{
    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.RedHat, 0x0008, PciClass.BridgeHost);

    public override string TypeName => "gpex-root";
    public override DeviceIdentity Identity => DeviceIdentity;

    protected override void Configure(ConfigSpaceBuilder b)
    {
    }
}
