using PciEmu.Core;
using static PciEmu.Core.MsiCap;
using static PciEmu.Core.MsixCap;

namespace PciEmu.Devices.Capabilities;

/// <summary>QEMU's hw/pci/msi.c over the MSI registers declared in the core (<see cref="MsiCap"/>).</summary>
public static class QemuMsi
{




    /// <summary>msi_init: capability, flags, and the write masks (enable + QSIZE, address, data, mask bits).</summary>
    public static int Add(ConfigSpaceBuilder b, int offset, int vectors, bool is64, bool perVectorMask)
    {
        if (vectors is < 1 or > 32 || (vectors & (vectors - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(vectors));
        var size = SizeOf(is64, perVectorMask);
        var pos = b.Capabilities.Add(CapabilityId.Msi, offset, size);
        var log2 = System.Numerics.BitOperations.Log2((uint)vectors);
        var flags = (ushort)((log2 << FlagQmaskShift) | (is64 ? Flag64Bit : 0) | (perVectorMask ? FlagMaskBit : 0));
        b.Config.SetWord(pos + Flags, flags);
        b.Rw(pos + Flags, 2, (uint)(FlagQsizeMask | FlagEnable));
        b.Rw(pos + AddressLo, 4, AddressLoMask);
        if (is64) b.Rw(pos + AddressHi, 4, uint.MaxValue);
        b.Rw(pos + (is64 ? Data64 : Data32), 2, DataMask);
        if (perVectorMask)
        {
            var maskBits = vectors == 32 ? uint.MaxValue : (1u << vectors) - 1;
            b.Rw(pos + (is64 ? Mask64 : Mask32), 4, maskBits);
        }
        b.OnGenericReset(c => Reset(c, pos));
        b.OnGenericWrite((ConfigSpace c, in ConfigWrite w) => WriteConfig(c, pos, w));
        return pos;
    }

    /// <summary>msi_reset: enable and QSIZE cleared, address/data (and mask/pending) zeroed.</summary>
    public static void Reset(ConfigSpace c, int pos)
    {
        var flags = c.GetWord(pos + Flags);
        var is64 = (flags & Flag64Bit) != 0;
        var mask = (flags & FlagMaskBit) != 0;
        c.SetWord(pos + Flags, (ushort)(flags & ~(FlagQsizeMask | FlagEnable)));
        c.SetLong(pos + AddressLo, 0);
        if (is64) c.SetLong(pos + AddressHi, 0);
        c.SetWord(pos + (is64 ? Data64 : Data32), 0);
        if (mask)
        {
            c.SetLong(pos + (is64 ? Mask64 : Mask32), 0);
            c.SetLong(pos + (is64 ? Pending64 : Pending32), 0);
        }
    }

    public static bool Enabled(ConfigSpace c, int pos) => (c.GetWord(pos + Flags) & FlagEnable) != 0;

    /// <summary>msi_nr_vectors_allocated: 1 &lt;&lt; QSIZE.</summary>
    public static int VectorsAllocated(ConfigSpace c, int pos) => 1 << ((c.GetWord(pos + Flags) & FlagQsizeMask) >> FlagQsizeShift);

    /// <summary>msi_write_config: once MSI is enabled, a QSIZE above the capable QMASK is clamped to it.</summary>
    public static void WriteConfig(ConfigSpace c, int pos, in ConfigWrite w)
    {
        if (pos == 0) return;
        var flags = c.GetWord(pos + Flags);
        if (!w.Overlaps(pos, SizeOf((flags & Flag64Bit) != 0, (flags & FlagMaskBit) != 0)) || (flags & FlagEnable) == 0) return;
        var logNum = (flags & FlagQsizeMask) >> FlagQsizeShift;
        var logMax = (flags & FlagQmaskMask) >> FlagQmaskShift;
        if (logNum > logMax) c.SetWord(pos + Flags, (ushort)((flags & ~FlagQsizeMask) | (logMax << FlagQsizeShift)));
    }
}

/// <summary>QEMU's hw/pci/msix.c over the MSI-X registers declared in the core (<see cref="MsixCap"/>).</summary>
public static class QemuMsix
{


    /// <summary>msix_init_exclusive_bar: the BAR is at least 4 KiB, the PBA sits in its upper half.</summary>
    public const ulong MinExclusiveBarSize = 4096;

    /// <summary>msix_init: table and PBA locations, enable and function-mask writable.</summary>
    public static int Add(ConfigSpaceBuilder b, int offset, int vectors, int tableBar, uint tableOffset, int pbaBar, uint pbaOffset)
    {
        var pos = b.Capabilities.Add(CapabilityId.MsiX, offset, Size);
        b.Config.SetWord(pos + Control, (ushort)(vectors - 1));
        b.Config.SetLong(pos + Table, tableOffset | (uint)tableBar);
        b.Config.SetLong(pos + Pba, pbaOffset | (uint)pbaBar);
        b.Rw(pos + Control, 2, ControlEnable | ControlFunctionMask);
        b.OnGenericReset(c => c.SetWord(pos + Control, (ushort)(c.GetWord(pos + Control) & ~(ControlEnable | ControlFunctionMask))));
        return pos;
    }

    /// <summary>msix_init_exclusive_bar: a 32-bit memory BAR holding table (offset 0) and PBA (half-way).</summary>
    public static int AddExclusiveBar(ConfigSpaceBuilder b, int offset, int vectors, int barNr)
    {
        var tableSize = (ulong)vectors * TableEntrySize;
        var pbaSize = (ulong)((vectors + 63) / 64 * 8);
        var barSize = Math.Max(MinExclusiveBarSize, System.Numerics.BitOperations.RoundUpToPowerOf2(tableSize + pbaSize));
        var pbaOffset = (uint)(barSize / 2);
        if (tableSize > pbaOffset) pbaOffset = (uint)tableSize;
        b.Bar(new BarDefinition(barNr, BarKind.Memory32, barSize));
        return Add(b, offset, vectors, barNr, 0, barNr, pbaOffset);
    }

    public static bool Enabled(ConfigSpace c, int pos) => (c.GetWord(pos + Control) & ControlEnable) != 0;
}
