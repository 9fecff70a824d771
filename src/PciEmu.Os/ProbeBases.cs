using PciEmu.Core;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;

namespace PciEmu.Os;

/// <summary>drivers/pci/probe.c: BAR sizing and bridge window reads (__pci_read_base, pci_read_bridge_bases).</summary>
internal sealed class ProbeBases(PciCore core) : PciCorePart(core)
{
    private const ushort CommandDecodeEnable = (ushort)(CommandBits.Io | CommandBits.Memory);
    private const uint IoMask = 0xfffffffc;
    private const uint MemMask = 0xfffffff0;
    private const uint RomMask = 0xfffff800;
    private const uint MemType64 = 0x4;
    private const uint MemTypeMask = 0x6;
    private const int IoGranularity = 0x1000;
    private const ulong MemGranularity = 0x100000;
    private const ushort IoProbePattern = 0xe0f0;
    private const uint PrefProbePattern = 0xffe0fff0;
    private const byte IoRangeType32 = 0x01;
    private const ushort PrefRangeType64 = 0x1;

    /// <summary>pci_read_bases: decode disabled once around the sweep (6.12), each BAR sized with all-ones.</summary>
    public void ReadBases(PciDev dev, int howmany, int romReg)
    {
        var cmd = Read16(dev, CommonHeader.Command.Offset);
        if ((cmd & CommandDecodeEnable) != 0) Write16(dev, CommonHeader.Command.Offset, (ushort)(cmd & ~CommandDecodeEnable));
        for (var pos = 0; pos < howmany; pos++)
        {
            if (ReadBase(dev, pos, Type0Header.Bar(pos).Offset, rom: false)) pos++;
        }
        if (romReg != 0) ReadBase(dev, PciDev.RomResource, romReg, rom: true);
        if ((cmd & CommandDecodeEnable) != 0) Write16(dev, CommonHeader.Command.Offset, cmd);
    }

    /// <summary>__pci_read_base; returns true for a 64-bit BAR (the next index is its upper half).</summary>
    private bool ReadBase(PciDev dev, int index, int pos, bool rom)
    {
        var res = dev.Resources[index];
        var mask = rom ? RomMask : uint.MaxValue;
        var l = Read32(dev, pos);
        Write32(dev, pos, l | mask);
        var sz = Read32(dev, pos);
        Write32(dev, pos, l);
        if (sz == uint.MaxValue) sz = 0;
        if (l == uint.MaxValue) l = 0;
        ulong l64, sz64, mask64;
        ResFlags flags;
        if (!rom)
        {
            flags = DecodeBar(l) | ResFlags.SizeAlign;
            if (flags.Any(ResFlags.Io)) { l64 = l & IoMask; sz64 = sz & IoMask; mask64 = IoMask & PciCore.IoSpaceLimit; }
            else { l64 = l & MemMask; sz64 = sz & MemMask; mask64 = MemMask; }
        }
        else
        {
            flags = ResFlags.Mem | ResFlags.Prefetch | ResFlags.ReadOnly | ResFlags.SizeAlign;
            if ((l & BarBits.RomEnable) != 0) flags |= ResFlags.RomEnable;
            l64 = l & RomMask; sz64 = sz & RomMask; mask64 = RomMask;
        }
        var is64 = flags.Any(ResFlags.Mem64);
        if (is64)
        {
            var hi = Read32(dev, pos + 4);
            Write32(dev, pos + 4, uint.MaxValue);
            var szHi = Read32(dev, pos + 4);
            Write32(dev, pos + 4, hi);
            l64 |= (ulong)hi << PciRegs.Upper32Shift;
            sz64 |= (ulong)szHi << PciRegs.Upper32Shift;
            mask64 |= (ulong)uint.MaxValue << PciRegs.Upper32Shift;
        }
        var size = sz64 == 0 ? 0 : PciSize(l64, sz64, mask64);
        if (sz64 != 0 && size == 0) Log.Dev(dev, $"[Firmware Bug]: {PciCore.ResName(dev, index)}: invalid; can't size");
        if (size == 0)
        {
            res.Flags = ResFlags.None;
            return is64;
        }
        res.Name = dev.Name;
        res.Start = l64;
        res.End = l64 + size - 1;
        res.Flags = flags;
        dev.ProbedBars.Add((index, flags, size));
        Log.Dev(dev, $"{PciCore.ResName(dev, index)} {res}");
        return is64;
    }

    /// <summary>pci_size: the lowest writable address bit.</summary>
    private static ulong PciSize(ulong @base, ulong maxbase, ulong mask)
    {
        var size = mask & maxbase;
        if (size == 0) return 0;
        size &= ~(size - 1);
        if (@base == maxbase && ((@base | (size - 1)) & mask) != mask) return 0;
        return size;
    }

    /// <summary>decode_bar.</summary>
    private static ResFlags DecodeBar(uint bar)
    {
        if ((bar & BarBits.SpaceIo) != 0) return ResFlags.Io;
        var flags = ResFlags.Mem;
        if ((bar & BarBits.MemPrefetch) != 0) flags |= ResFlags.Prefetch;
        if ((bar & MemTypeMask) == MemType64) flags |= ResFlags.Mem64;
        return flags;
    }

    /// <summary>pci_read_bridge_windows: which windows exist (6.12 also logs the current programming).</summary>
    public void ReadBridgeWindows(PciDev bridge)
    {
        if (Is612)
        {
            var buses = Read32(bridge, Type1Header.PrimaryBus.Offset);
            var busn = new Resource("", (buses >> PciRegs.SecondaryBusShift) & PciRegs.BusNumberMask,
                (buses >> PciRegs.SubordinateBusShift) & PciRegs.BusNumberMask, ResFlags.Bus);
            Log.Dev(bridge, $"PCI bridge to {busn}{(bridge.Transparent ? " (subtractive decode)" : "")}");
        }
        var io = Read16(bridge, Type1Header.IoBase.Offset);
        if (io == 0)
        {
            Write16(bridge, Type1Header.IoBase.Offset, IoProbePattern);
            io = Read16(bridge, Type1Header.IoBase.Offset);
            Write16(bridge, Type1Header.IoBase.Offset, 0);
        }
        var scratch = new Resource(bridge.Name, 0, 0, ResFlags.None);
        if (io != 0)
        {
            bridge.IoWindow = true;
            ReadBridgeIo(bridge, scratch, Is612);
        }
        ReadBridgeMmio(bridge, new Resource(bridge.Name, 0, 0, ResFlags.None), Is612);
        var pmem = Read32(bridge, Type1Header.PrefMemoryBase.Offset);
        if (pmem == 0)
        {
            Write32(bridge, Type1Header.PrefMemoryBase.Offset, PrefProbePattern);
            pmem = Read32(bridge, Type1Header.PrefMemoryBase.Offset);
            Write32(bridge, Type1Header.PrefMemoryBase.Offset, 0);
        }
        if (pmem == 0) return;
        bridge.PrefWindow = true;
        if ((pmem & BarBits.PrefRangeTypeMask) == PrefRangeType64)
        {
            var upper = Read32(bridge, Type1Header.PrefBaseUpper32.Offset);
            Write32(bridge, Type1Header.PrefBaseUpper32.Offset, uint.MaxValue);
            var tmp = Read32(bridge, Type1Header.PrefBaseUpper32.Offset);
            Write32(bridge, Type1Header.PrefBaseUpper32.Offset, upper);
            if (tmp != 0) bridge.Pref64Window = true;
        }
        ReadBridgeMmioPref(bridge, new Resource(bridge.Name, 0, 0, ResFlags.None), Is612);
    }

    /// <summary>pci_read_bridge_io.</summary>
    private void ReadBridgeIo(PciDev dev, Resource res, bool log)
    {
        var baseLo = Read8(dev, Type1Header.IoBase.Offset);
        var limitLo = Read8(dev, Type1Header.IoLimit.Offset);
        ulong b = (ulong)(baseLo & BarBits.IoRangeMask) << PciRegs.IoWindowShift;
        ulong lim = (ulong)(limitLo & BarBits.IoRangeMask) << PciRegs.IoWindowShift;
        if ((baseLo & BarBits.IoRangeTypeMask) == IoRangeType32)
        {
            b |= (ulong)Read16(dev, Type1Header.IoBaseUpper16.Offset) << PciRegs.IoUpper16Shift;
            lim |= (ulong)Read16(dev, Type1Header.IoLimitUpper16.Offset) << PciRegs.IoUpper16Shift;
        }
        if (b > lim) return;
        res.Flags = ResFlags.Io;
        res.Start = b;
        res.End = lim + IoGranularity - 1;
        if (log) Log.Dev(dev, $"  bridge window {res}");
    }

    /// <summary>pci_read_bridge_mmio.</summary>
    private void ReadBridgeMmio(PciDev dev, Resource res, bool log)
    {
        ulong b = (ulong)(Read16(dev, Type1Header.MemoryBase.Offset) & BarBits.MemRangeMask) << PciRegs.MemWindowShift;
        ulong lim = (ulong)(Read16(dev, Type1Header.MemoryLimit.Offset) & BarBits.MemRangeMask) << PciRegs.MemWindowShift;
        if (b > lim) return;
        res.Flags = ResFlags.Mem;
        res.Start = b;
        res.End = lim + MemGranularity - 1;
        if (log) Log.Dev(dev, $"  bridge window {res}");
    }

    /// <summary>pci_read_bridge_mmio_pref.</summary>
    private void ReadBridgeMmioPref(PciDev dev, Resource res, bool log)
    {
        var baseLo = Read16(dev, Type1Header.PrefMemoryBase.Offset);
        var limitLo = Read16(dev, Type1Header.PrefMemoryLimit.Offset);
        ulong b = (ulong)(baseLo & BarBits.MemRangeMask) << PciRegs.MemWindowShift;
        ulong lim = (ulong)(limitLo & BarBits.MemRangeMask) << PciRegs.MemWindowShift;
        if ((baseLo & BarBits.PrefRangeTypeMask) == PrefRangeType64)
        {
            var bu = Read32(dev, Type1Header.PrefBaseUpper32.Offset);
            var lu = Read32(dev, Type1Header.PrefLimitUpper32.Offset);
            if (bu <= lu)
            {
                b |= (ulong)bu << PciRegs.Upper32Shift;
                lim |= (ulong)lu << PciRegs.Upper32Shift;
            }
        }
        if (b > lim) return;
        res.Flags = ResFlags.Mem | ResFlags.Prefetch;
        if ((baseLo & BarBits.PrefRangeTypeMask) == PrefRangeType64) res.Flags |= ResFlags.Mem64;
        res.Start = b;
        res.End = lim + MemGranularity - 1;
        if (log) Log.Dev(dev, $"  bridge window {res}");
    }

    /// <summary>pcibios_fixup_bus (x86) → pci_read_bridge_bases: load the bridge windows into resources 13..15. arm64 has
    /// no such fixup: its windows are only read when the firmware configuration is claimed.</summary>
    public void PcibiosFixupBus(PciBusNode bus)
    {
        if (Facts.Arch == PciArch.X86) ReadBridgeBases(bus);
    }

    /// <summary>pci_read_bridge_bases.</summary>
    public void ReadBridgeBases(PciBusNode bus)
    {
        if (bus.Self is not { } dev) return;
        Log.Dev(dev, $"PCI bridge to {bus.Busn}{(dev.Transparent ? " (subtractive decode)" : "")}");
        var log = !Is612;
        foreach (var i in new[] { PciDev.BridgeIoWindow, PciDev.BridgeMemWindow, PciDev.BridgePrefWindow })
        {
            var r = dev.Resources[i];
            if (r.IsAssigned) ResourceTree.Release(r);
            r.Reset();
        }
        ReadBridgeIo(dev, dev.Resources[PciDev.BridgeIoWindow], log);
        ReadBridgeMmio(dev, dev.Resources[PciDev.BridgeMemWindow], log);
        ReadBridgeMmioPref(dev, dev.Resources[PciDev.BridgePrefWindow], log);
    }
}
