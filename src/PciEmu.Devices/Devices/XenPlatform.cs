using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>
/// The Xen platform device, xen-platform 5853:0001 (hw/i386/xen/xen_platform.c, QEMU 7.2): the PV drivers' anchor on
/// xenfv's bus 0. Class ff80, revision 1, subsystem 5853:0001, INTA, BAR0 I/O 256 bytes (platform_ioport_bar_setup),
/// BAR1 16 MiB 32-bit prefetchable (platform_mmio_setup, the grant table / shared-info area).
/// </summary>
public sealed class XenPlatform(PciDeviceOptions options) : PciFunction(options)
{
    public const ushort VendorXen = 0x5853;        // PCI_VENDOR_ID_XEN
    public const ushort DevicePlatform = 0x0001;   // PCI_DEVICE_ID_XEN_PLATFORM
    public const uint ClassOthers80 = 0xff8000;    // PCI_CLASS_OTHERS << 8 | 0x80, prog-if 0
    public const byte Revision = 1;
    public const ulong IoBarSize = 0x100;
    public const ulong MmioBarSize = 0x1000000;

    public static readonly DeviceIdentity DeviceIdentity = new(VendorXen, DevicePlatform, ClassOthers80, Revision)
    {
        SubsystemVendorId = VendorXen,
        SubsystemId = DevicePlatform,
        InterruptPin = 1,
    };

    public override string TypeName => "xen-platform";
    public override DeviceIdentity Identity => DeviceIdentity;

    /// <summary>xen_platform_realize: COMMAND = IO | MEMORY at realize (the machine reset clears it again), then the BARs.</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        b.Init(CommonHeader.Command, (uint)(CommandBits.Io | CommandBits.Memory));
        b.Bar(new BarDefinition(0, BarKind.Io, IoBarSize));
        b.Bar(new BarDefinition(1, BarKind.Memory32, MmioBarSize, Prefetchable: true));
    }
}
