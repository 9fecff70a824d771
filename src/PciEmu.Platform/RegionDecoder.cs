using PciEmu.Core;

namespace PciEmu.Platform;

/// <summary>One registered region: BAR index (6 = ROM), kind, size from the write mask, live decode address.</summary>
public sealed record PciRegion(int Bar, bool IsIo, bool Is64, bool Prefetchable, ulong Size, ulong RawAddress, ulong? Address)
{
    public const int RomIndex = 6;
    public bool IsRom => Bar == RomIndex;
}

/// <summary>pci_bar_address and the registered-BAR view (size = ~wmask + 1) over captured bytes.</summary>
public static class RegionDecoder
{
    private const uint RomEnableBit = 1;

    public static IReadOnlyList<PciRegion> Decode(FunctionSnapshot f)
    {
        var list = new List<PciRegion>();
        var barCount = f.IsBridgeHeader ? Type1Header.BarCount : Type0Header.BarCount;
        var cmd = (CommandBits)f.Command;
        for (var i = 0; i < barCount; i++)
        {
            var off = Type0Header.Bar(i).Offset;
            var mask = f.MaskLong(off);
            var raw = f.Long(off);
            var huge64 = mask == 0 && (raw & (BarBits.SpaceIo | BarBits.MemType64)) == BarBits.MemType64
                         && i + 1 < barCount && f.MaskLong(off + 4) != 0;
            if (mask == 0 && !huge64) continue;
            if ((raw & BarBits.SpaceIo) != 0)
            {
                var size = (ulong)(~mask) + 1;
                var addr = raw & ~(uint)(size - 1);
                var last = addr + size - 1;
                var mapped = (cmd & CommandBits.Io) != 0 && last > addr && last < uint.MaxValue && (addr != 0 || f.AllowZeroAddress);
                list.Add(new PciRegion(i, true, false, false, size, addr, mapped ? addr : null));
                continue;
            }
            var is64 = (raw & BarBits.MemType64) != 0 && i + 1 < barCount;
            var pref = (raw & BarBits.MemPrefetch) != 0;
            ulong fullMask = mask;
            ulong value = raw;
            if (is64)
            {
                fullMask |= (ulong)f.MaskLong(off + 4) << 32;
                value |= (ulong)f.Long(off + 4) << 32;
            }
            else
            {
                fullMask |= 0xffffffff00000000UL;
            }
            var memSize = ~fullMask + 1;
            var memAddr = value & ~(memSize - 1);
            var memLast = memAddr + memSize - 1;
            var ok = (cmd & CommandBits.Memory) != 0 && memLast > memAddr && memLast != ulong.MaxValue && (memAddr != 0 || f.AllowZeroAddress)
                     && (is64 || memLast < uint.MaxValue);
            list.Add(new PciRegion(i, false, is64, pref, memSize, memAddr, ok ? memAddr : null));
            if (is64) i++;
        }
        var romOff = f.IsBridgeHeader ? Type1Header.RomAddress.Offset : Type0Header.RomAddress.Offset;
        var romMask = f.MaskLong(romOff) & ~RomEnableBit;
        if (romMask != 0)
        {
            var size = (ulong)(~romMask) + 1;
            var raw = f.Long(romOff);
            var addr = raw & ~(uint)(size - 1) & ~RomEnableBit;
            var last = addr + size - 1;
            var ok = (cmd & CommandBits.Memory) != 0 && (raw & RomEnableBit) != 0 && last > addr && last < uint.MaxValue && (addr != 0 || f.AllowZeroAddress);
            list.Add(new PciRegion(PciRegion.RomIndex, false, false, false, size, addr, ok ? addr : null));
        }
        return list;
    }
}

/// <summary>pci_bridge_get_base / pci_bridge_get_limit over captured bytes.</summary>
public static class BridgeRanges
{
    private const int IoShift = 8;
    private const int IoUpperShift = 16;
    private const int MemShift = 16;
    private const int UpperShift = 32;
    private const ulong IoGranule = 0xfff;
    private const ulong MemGranule = 0xfffff;
    private const byte IoRangeType32 = 0x01;

    public static BridgeWindow Io(FunctionSnapshot f)
    {
        var b = f.Config[Type1Header.IoBase.Offset];
        var l = f.Config[Type1Header.IoLimit.Offset];
        ulong bas = (ulong)(b & BarBits.IoRangeMask) << IoShift;
        ulong lim = ((ulong)(l & BarBits.IoRangeMask) << IoShift) | IoGranule;
        if ((b & BarBits.IoRangeTypeMask) == IoRangeType32) bas |= (ulong)f.Word(Type1Header.IoBaseUpper16.Offset) << IoUpperShift;
        if ((l & BarBits.IoRangeTypeMask) == IoRangeType32) lim |= (ulong)f.Word(Type1Header.IoLimitUpper16.Offset) << IoUpperShift;
        return new BridgeWindow(bas, lim);
    }

    public static BridgeWindow Memory(FunctionSnapshot f) => new(
        (ulong)(f.Word(Type1Header.MemoryBase.Offset) & BarBits.MemRangeMask) << MemShift,
        ((ulong)(f.Word(Type1Header.MemoryLimit.Offset) & BarBits.MemRangeMask) << MemShift) | MemGranule);

    public static BridgeWindow Prefetchable(FunctionSnapshot f)
    {
        var b = f.Word(Type1Header.PrefMemoryBase.Offset);
        var l = f.Word(Type1Header.PrefMemoryLimit.Offset);
        ulong bas = (ulong)(b & BarBits.MemRangeMask) << MemShift;
        ulong lim = ((ulong)(l & BarBits.MemRangeMask) << MemShift) | MemGranule;
        if ((b & BarBits.PrefRangeTypeMask) == BarBits.PrefRangeType64) bas |= (ulong)f.Long(Type1Header.PrefBaseUpper32.Offset) << UpperShift;
        if ((l & BarBits.PrefRangeTypeMask) == BarBits.PrefRangeType64) lim |= (ulong)f.Long(Type1Header.PrefLimitUpper32.Offset) << UpperShift;
        return new BridgeWindow(bas, lim);
    }
}
