using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>i440fx host bridge options.</summary>
public sealed record I440fxOptions : PciDeviceOptions
{
    /// <summary>Guest RAM size; 0x57 holds it in 8 MiB units (capped at 255) for old coreboot.</summary>
    public ulong RamSize { get; init; }
}

/// <summary>Intel 440FX PMC host bridge, 8086:1237 at pc 00:00.0 (hw/pci-host/i440fx.c).</summary>
public sealed class I440fxHost(I440fxOptions options) : PciFunction(options)
{
    public static readonly Reg8 CorebootRamSize = new(0x57, "I440FX_COREBOOT_RAM_SIZE");
    public const int PamOffset = 0x59;
    public const int PamSize = 7;
    public static readonly Reg8 Smram = new(0x72, "I440FX_SMRAM");
    public const byte SmramDefault = 0x02;
    public const byte Revision = 0x02;
    private const int RamSizeShift = 23;
    private const ulong RamSizeUnitsMax = 255;

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.Intel, 0x1237, PciClass.BridgeHost, Revision);

    public override string TypeName => "i440FX";
    public override DeviceIdentity Identity => DeviceIdentity;

    /// <summary>Raised after a write overlapping PAM (0x59-0x5f) or SMRAM (i440fx_update_memory_mappings).</summary>
    public event Action<I440fxHost>? MemoryMappingsChanged;

    /// <summary>i440fx_realize + i440fx_init.</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        b.Init(Smram, SmramDefault);
        b.Init(CorebootRamSize, (uint)Math.Min(options.RamSize >> RamSizeShift, RamSizeUnitsMax));
    }

    /// <summary>i440fx_write_config.</summary>
    protected override void OnConfigWritten(in ConfigWrite w)
    {
        if (w.Overlaps(PamOffset, PamSize) || w.Overlaps(Smram)) MemoryMappingsChanged?.Invoke(this);
    }
}
