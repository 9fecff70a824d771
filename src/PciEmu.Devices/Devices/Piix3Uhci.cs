using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>
/// PIIX3 USB UHCI, piix3-usb-uhci 8086:7020 (hw/usb/hcd-uhci.c, QEMU 7.2), what pc_init1 adds at 01.2 with -usb / usb=on:
/// class 0c0300, revision 1, INTD (irq_pin 3), BAR4 I/O 32 bytes, SBRN (0x60) = USB 1.0.
/// </summary>
public sealed class Piix3Uhci(PciDeviceOptions options) : PciFunction(options)
{
    public const ushort DevicePiix3Uhci = 0x7020;  // PCI_DEVICE_ID_INTEL_82371SB_2
    public const uint ClassSerialUsbUhci = 0x0c0300;
    public const byte Revision = 0x01;
    public const byte InterruptPinD = 4;
    public const int IoBar = 4;
    public const ulong IoBarSize = 0x20;
    public const int UsbSbrn = 0x60;
    public const byte UsbRelease1 = 0x10;

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.Intel, DevicePiix3Uhci, ClassSerialUsbUhci, Revision) { InterruptPin = InterruptPinD };

    public override string TypeName => "piix3-usb-uhci";
    public override DeviceIdentity Identity => DeviceIdentity;

    /// <summary>usb_uhci_common_realize.</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        b.Init(UsbSbrn, 1, UsbRelease1);
        b.Bar(new BarDefinition(IoBar, BarKind.Io, IoBarSize));
    }
}
