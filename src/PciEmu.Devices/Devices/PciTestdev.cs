using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>pci-testdev properties.</summary>
public sealed record PciTestdevOptions : PciDeviceOptions
{
    /// <summary>membar: size of the 64-bit prefetchable BAR2; 0 = no BAR2. Must be a power of two.</summary>
    public ulong MemBar { get; init; }
}

/// <summary>QEMU's test device, pci-testdev 1b36:0005 (hw/misc/pci-testdev.c). Config space only.</summary>
public sealed class PciTestdev(PciTestdevOptions options) : PciFunction(options)
{
    /// <summary>IOTEST_MEMSIZE * 2 and IOTEST_IOSIZE * 2.</summary>
    public const ulong MmioBarSize = 4096;
    public const ulong PortioBarSize = 256;
    public const int MmioBar = 0;
    public const int PortioBar = 1;
    public const int MemBarIndex = 2;

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.RedHat, 0x0005, PciClass.Others);

    public override string TypeName => "pci-testdev";
    public override DeviceIdentity Identity => DeviceIdentity;

    /// <summary>pci_register_bar's assertion: QEMU aborts on a size that is not a power of two.</summary>
    public static void ValidateMemBar(ulong size)
    {
        if (size != 0 && (size & (size - 1)) != 0)
            throw new QemuAbortException("pci_register_bar: Assertion `is_power_of_2(size)' failed.");
    }

    /// <summary>pci_testdev_realize.</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        ValidateMemBar(options.MemBar);
        b.Bar(new BarDefinition(MmioBar, BarKind.Memory32, MmioBarSize));
        b.Bar(new BarDefinition(PortioBar, BarKind.Io, PortioBarSize));
        if (options.MemBar != 0) b.Bar(new BarDefinition(MemBarIndex, BarKind.Memory64, options.MemBar, Prefetchable: true));
    }
}
