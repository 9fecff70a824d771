using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>
/// Realtek 8139C+, rtl8139 10ec:8139 (hw/net/rtl8139.c, QEMU 7.2), xl's default NIC: revision 0x20, INTA, BAR0 I/O
/// 256 bytes, BAR1 memory 256 bytes (an alias of the I/O registers), the efi-rtl8139.rom ROM. The capability pointer
/// reads 0xdc although STATUS has no capability-list bit (QEMU's "TODO" in pci_rtl8139_realize).
/// </summary>
public sealed class Rtl8139(RomDeviceOptions options) : PciFunction(options)
{
    public const ushort VendorRealtek = 0x10ec;    // PCI_VENDOR_ID_REALTEK
    public const ushort Device8139 = 0x8139;       // PCI_DEVICE_ID_REALTEK_8139
    public const byte Revision = 0x20;             // RTL8139_PCI_REVID
    public const ulong IoBarSize = 0x100;
    public const ulong MmioBarSize = 0x100;
    public const byte CapabilityPointer = 0xdc;

    /// <summary>Debian's efi-rtl8139.rom (ipxe-qemu), rounded up to a power of two.</summary>
    public const ulong DefaultRomSize = 0x40000;

    public static readonly DeviceIdentity DeviceIdentity = new(VendorRealtek, Device8139, PciClass.NetworkEthernet, Revision) { InterruptPin = 1 };

    public override string TypeName => "rtl8139";
    public override DeviceIdentity Identity => DeviceIdentity;

    /// <summary>pci_rtl8139_realize.</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        b.Init(CommonHeader.CapabilityList, CapabilityPointer);
        b.Bar(new BarDefinition(0, BarKind.Io, IoBarSize));
        b.Bar(new BarDefinition(1, BarKind.Memory32, MmioBarSize));
        var rom = OptionRom.EffectiveSize(options, DefaultRomSize);
        if (rom != 0) b.Rom(rom);
    }
}
