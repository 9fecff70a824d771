using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>
/// Cirrus CLGD 5446 PCI, cirrus-vga 1013:00b8 (hw/display/cirrus_vga.c, QEMU 7.2), xl's default VGA: BAR0 32 MiB
/// prefetchable (the linear framebuffer plus bitblt window, whatever vgamem_mb says), BAR1 4 KiB MMIO registers, the
/// vgabios-cirrus.bin ROM. No interrupt pin, revision 0.
/// </summary>
public sealed class CirrusVga(StdVgaOptions options) : PciFunction(options)
{
    public const ushort VendorCirrus = 0x1013;     // PCI_VENDOR_ID_CIRRUS
    public const ushort DeviceClgd5446 = 0x00b8;   // CIRRUS_ID_CLGD5446
    public const ulong LinearBarSize = 0x2000000;  // "cirrus-pci-bar0"
    public const ulong MmioBarSize = 0x1000;       // cirrus_mmio_io (CIRRUS_PNPMMIO_SIZE)

    /// <summary>vgabios-cirrus.bin (about 38 KiB) rounded up.</summary>
    public const ulong DefaultRomSize = 0x10000;

    public static readonly DeviceIdentity DeviceIdentity = new(VendorCirrus, DeviceClgd5446, PciClass.DisplayVga);

    public override string TypeName => "cirrus-vga";
    public override DeviceIdentity Identity => DeviceIdentity;

    /// <summary>pci_cirrus_vga_realize.</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        b.Bar(new BarDefinition(0, BarKind.Memory32, LinearBarSize, Prefetchable: true));
        b.Bar(new BarDefinition(1, BarKind.Memory32, MmioBarSize));
        var rom = OptionRom.EffectiveSize(options, DefaultRomSize);
        if (rom != 0) b.Rom(rom);
    }
}
