namespace PciEmu.Os.Resources;

/// <summary>include/linux/ioport.h IORESOURCE_* bits (values as in the kernel, so flag dumps compare).</summary>
[Flags]
public enum ResFlags : uint
{
    None = 0,

    /// <summary>IORESOURCE_ROM_ENABLE (bus-specific low bits).</summary>
    RomEnable = 1 << 0,

    /// <summary>IORESOURCE_PCI_FIXED: immovable (legacy IDE, EA).</summary>
    PciFixed = 1 << 4,

    Io = 0x00000100,
    Mem = 0x00000200,
    Bus = 0x00001000,
    TypeBits = 0x00001f00,
    Prefetch = 0x00002000,
    ReadOnly = 0x00004000,
    SizeAlign = 0x00040000,
    StartAlign = 0x00080000,
    Mem64 = 0x00100000,
    Window = 0x00200000,
    Disabled = 0x10000000,
    Unset = 0x20000000,
}

/// <summary>Flag helpers named after the kernel's macros.</summary>
public static class ResFlagsExtensions
{
    /// <summary>PCI_RES_TYPE_MASK.</summary>
    public const ResFlags PciResTypeMask = ResFlags.Io | ResFlags.Mem | ResFlags.Prefetch | ResFlags.Mem64;

    public static bool Has(this ResFlags f, ResFlags bits) => (f & bits) == bits;
    public static bool Any(this ResFlags f, ResFlags bits) => (f & bits) != 0;

    /// <summary>resource_type.</summary>
    public static ResFlags Type(this ResFlags f) => f & ResFlags.TypeBits;
}
