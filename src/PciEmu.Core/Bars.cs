namespace PciEmu.Core;

public enum BarKind : byte
{
    Io,
    Memory32,
    Memory64,
}

/// <summary>A BAR a device registers (pci_register_bar): kind, prefetchability and a power-of-two size.</summary>
public sealed record BarDefinition(int Index, BarKind Kind, ulong Size, bool Prefetchable = false)
{
    public bool IsIo => Kind == BarKind.Io;
    public bool Is64 => Kind == BarKind.Memory64;

    /// <summary>The read-only type bits in the low nibble of the BAR register.</summary>
    public uint TypeBits => Kind switch
    {
        BarKind.Io => BarBits.SpaceIo,
        BarKind.Memory64 => BarBits.MemType64 | (Prefetchable ? BarBits.MemPrefetch : 0),
        _ => Prefetchable ? BarBits.MemPrefetch : 0,
    };

    public void Validate()
    {
        if (Size == 0 || (Size & (Size - 1)) != 0)
            throw new ArgumentException($"BAR {Index} size 0x{Size:x} is not a power of two");
        if (Kind == BarKind.Io && Prefetchable)
            throw new ArgumentException($"BAR {Index}: an I/O BAR cannot be prefetchable");
    }
}

/// <summary>The value pci_bar_address returns when a BAR does not decode.</summary>
public static class BarAddress
{
    public const ulong Unmapped = ulong.MaxValue;
}
