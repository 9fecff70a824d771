using PciEmu.Core;

namespace PciEmu.Devices.Capabilities;

/// <summary>MSI capability (hw/pci/msi.c).</summary>
public static class MsiCap
{
    public const int Flags = 2;
    public const int AddressLo = 4;
    public const int AddressHi = 8;
    public const int Data32 = 8;
    public const int Data64 = 12;
    public const int Mask32 = 12;
    public const int Mask64 = 16;
    public const int Pending32 = 16;
    public const int Pending64 = 20;

    public const ushort FlagEnable = 0x0001;
    public const ushort FlagQmaskMask = 0x000e;
    public const int FlagQmaskShift = 1;
    public const ushort FlagQsizeMask = 0x0070;
    public const ushort Flag64Bit = 0x0080;
    public const ushort FlagMaskBit = 0x0100;
    public const uint AddressLoMask = 0xfffffffc;
    public const ushort DataMask = 0xffff;

    public const int Size32 = 0x0a;
    public const int Size64 = 0x0e;
    public const int Size32Mask = 0x14;
    public const int Size64Mask = 0x18;

    /// <summary>msi_cap_sizeof.</summary>
    public static int SizeOf(bool is64, bool perVectorMask) =>
        perVectorMask ? (is64 ? Size64Mask : Size32Mask) : (is64 ? Size64 : Size32);

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
    public static int VectorsAllocated(ConfigSpace c, int pos) => 1 << ((c.GetWord(pos + Flags) & FlagQsizeMask) >> QsizeShift);

    private const int QsizeShift = 4;

    /// <summary>msi_write_config: once MSI is enabled, a QSIZE above the capable QMASK is clamped to it.</summary>
    public static void WriteConfig(ConfigSpace c, int pos, in ConfigWrite w)
    {
        if (pos == 0) return;
        var flags = c.GetWord(pos + Flags);
        if (!w.Overlaps(pos, SizeOf((flags & Flag64Bit) != 0, (flags & FlagMaskBit) != 0)) || (flags & FlagEnable) == 0) return;
        var logNum = (flags & FlagQsizeMask) >> QsizeShift;
        var logMax = (flags & FlagQmaskMask) >> FlagQmaskShift;
        if (logNum > logMax) c.SetWord(pos + Flags, (ushort)((flags & ~FlagQsizeMask) | (logMax << QsizeShift)));
    }
}

/// <summary>MSI-X capability (hw/pci/msix.c), 12 bytes.</summary>
public static class MsixCap
{
    public const int Size = 12;
    public const int Control = 2;
    public const int Table = 4;
    public const int Pba = 8;

    public const ushort ControlTableSizeMask = 0x07ff;
    public const ushort ControlFunctionMask = 0x4000;
    public const ushort ControlEnable = 0x8000;

    /// <summary>msix_init_exclusive_bar: the BAR is at least 4 KiB, the PBA sits in its upper half.</summary>
    public const ulong MinExclusiveBarSize = 4096;
    public const int TableEntrySize = 16;

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
