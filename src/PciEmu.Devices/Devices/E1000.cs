using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>Options of a NIC or display device whose ROM BAR comes from a firmware blob (romfile/rombar/romsize).</summary>
public record RomDeviceOptions : PciDeviceOptions
{
    /// <summary>romsize: explicit ROM size; null = the size of the default blob rounded up to a power of two.</summary>
    public ulong? RomSize { get; init; }
}

/// <summary>ROM BAR rules of pci_add_option_rom: no ROM when romfile is empty or rombar=0.</summary>
public static class OptionRom
{
    public static ulong EffectiveSize(RomDeviceOptions o, ulong defaultSize)
    {
        // pci_qdev_realize: an explicit romsize must be a power of two.
        if (o.RomSize is { } explicitSize && (explicitSize == 0 || (explicitSize & (explicitSize - 1)) != 0))
            throw new DeviceRealizeException($"ROM size {explicitSize} is not a power of two");
        if (o.RomFile is { Length: 0 } || !o.RomBar) return 0;
        var size = o.RomSize ?? defaultSize;
        return size == 0 ? 0 : System.Numerics.BitOperations.RoundUpToPowerOf2(size);
    }
}

/// <summary>Intel 82540EM, e1000 8086:100e (hw/net/e1000.c).</summary>
public sealed class E1000(RomDeviceOptions options) : PciFunction(options)
{
    public const ulong MmioSize = 0x20000;
    public const ulong IoSize = 0x40;
    public const byte Revision = 0x03;
    public const byte RealizeCacheLineSize = 0x10;

    /// <summary>Debian's efi-e1000.rom (ipxe-qemu), rounded up to a power of two.</summary>
    public const ulong DefaultRomSize = 0x40000;

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.Intel, 0x100e, PciClass.NetworkEthernet, Revision) { InterruptPin = 1 };

    public override string TypeName => "e1000";
    public override DeviceIdentity Identity => DeviceIdentity;

    /// <summary>pci_e1000_realize (the realize-time cache line 0x10 is cleared by the first reset).</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        b.Init(CommonHeader.CacheLineSize, RealizeCacheLineSize);
        b.Bar(new BarDefinition(0, BarKind.Memory32, MmioSize));
        b.Bar(new BarDefinition(1, BarKind.Io, IoSize));
        var rom = OptionRom.EffectiveSize(options, DefaultRomSize);
        if (rom != 0) b.Rom(rom);
    }
}
