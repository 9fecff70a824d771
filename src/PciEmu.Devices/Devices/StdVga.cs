using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>VGA properties.</summary>
public sealed record StdVgaOptions : RomDeviceOptions
{
    /// <summary>vgamem_mb: video memory in MiB (BAR0 size, rounded up to a power of two).</summary>
    public uint VgaMemMb { get; init; } = 16;
    /// <summary>mmio: the 4 KiB MMIO BAR2 (qext/bochs dispi registers).</summary>
    public bool Mmio { get; init; } = true;
}

/// <summary>Standard VGA, VGA 1234:1111 (hw/display/vga-pci.c).</summary>
public sealed class StdVga(StdVgaOptions options) : PciFunction(options)
{
    public const ulong MmioSize = 4096;
    public const byte Revision = 0x02;
    private const ulong MiB = 1 << 20;

    /// <summary>vgabios-stdvga.bin (39.5 KiB) rounded up.</summary>
    public const ulong DefaultRomSize = 0x10000;

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.Bochs, 0x1111, PciClass.DisplayVga, Revision);

    public override string TypeName => "VGA";
    public override DeviceIdentity Identity => DeviceIdentity;

    /// <summary>pci_std_vga_realize.</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        var vram = System.Numerics.BitOperations.RoundUpToPowerOf2(options.VgaMemMb * MiB);
        b.Bar(new BarDefinition(0, BarKind.Memory32, vram, Prefetchable: true));
        if (options.Mmio) b.Bar(new BarDefinition(2, BarKind.Memory32, MmioSize));
        var rom = OptionRom.EffectiveSize(options, DefaultRomSize);
        if (rom != 0) b.Rom(rom);
    }
}
