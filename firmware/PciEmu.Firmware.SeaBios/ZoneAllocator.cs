using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Firmware.SeaBios;

/// <summary>
/// A model of SeaBIOS's ZoneHigh / ZoneTmpHigh (src/malloc.c, malloc_preinit) for intel_igd_setup: ZoneHigh is
/// the top BUILD_MAX_HIGHTABLE (16 MiB) of the highest RAM entry below 4 GiB, ZoneTmpHigh the RAM below it.
/// Both allocate top-down. Real SeaBIOS has already placed other tables there, so exact addresses differ; the
/// placement rules (alignment, zone, top-down) are the same.
/// </summary>
public sealed class ZoneAllocator : ISeaBiosAllocator
{
    /// <summary>BUILD_MAX_HIGHTABLE.</summary>
    public const uint BUILD_MAX_HIGHTABLE = 16 * 1024 * 1024;

    /// <summary>BUILD_MIN_HIGHTABLE.</summary>
    public const uint BUILD_MIN_HIGHTABLE = 256 * 1024;

    private const ulong LowMemLimit = 1024 * 1024;

    private ulong _highTop;
    private readonly ulong _highBottom;
    private ulong _tmpTop;
    private readonly ulong _tmpBottom;

    public ZoneAllocator(ulong highBottom, ulong highTop, ulong tmpBottom, ulong tmpTop)
    {
        _highBottom = highBottom;
        _highTop = highTop;
        _tmpBottom = tmpBottom;
        _tmpTop = tmpTop;
    }

    /// <summary>Zones as malloc_preinit carves them from the highest RAM entry below 4 GiB.</summary>
    public static ZoneAllocator FromE820(IReadOnlyList<E820Entry> e820, uint ramSize)
    {
        var ram = e820.Where(e => e.Type == E820Type.Ram && e.End <= uint.MaxValue + 1UL && e.End >= LowMemLimit)
            .OrderByDescending(e => e.End).FirstOrDefault();
        var start = ram == default ? LowMemLimit : Math.Max(ram.Start, LowMemLimit);
        var end = ram == default ? ramSize : ram.End;
        if (end >= start + 2UL * BUILD_MAX_HIGHTABLE)
            return new ZoneAllocator(end - BUILD_MAX_HIGHTABLE, end, start, end - BUILD_MAX_HIGHTABLE);
        var min = end >= start + BUILD_MIN_HIGHTABLE ? end - BUILD_MIN_HIGHTABLE : start;
        return new ZoneAllocator(min, end, start, min);
    }

    public uint? MemalignHigh(uint align, uint size) => Alloc(ref _highTop, _highBottom, align, size);

    public uint? MemalignTmpHigh(uint align, ulong size) => Alloc(ref _tmpTop, _tmpBottom, align, size);

    private static uint? Alloc(ref ulong top, ulong bottom, ulong align, ulong size)
    {
        if (size > top) return null;
        var addr = (top - size) & ~(align - 1);
        if (addr < bottom) return null;
        top = addr;
        return (uint)addr;
    }
}
