using System.Numerics;
using PciEmu.Core;

namespace PciEmu.Firmware.Edk2;

/// <summary>
/// OvmfPkg/PciHotPlugInitDxe (GetResourcePadding and the QEMU resource-reservation capability) plus
/// PciBusDxe/PciHotPlugSupport.c's choice of which bridges are hot-plug buses.
/// </summary>
internal sealed class PciHotPlugInit(IConfigAccessor cfg, Edk2Options options)
{
    /// <summary>QEMU's PCI vendor ID: only its bridges carry the reservation capability.</summary>
    private const ushort QemuVendorId = 0x1b36;

    /// <summary>QEMU_PCI_BRIDGE_CAPABILITY_HDR / RESOURCE_RESERVE layout (QemuPciBridgeCapabilities.h).</summary>
    internal const int CapLengthOffset = 2;
    internal const int CapTypeOffset = 3;
    internal const byte ReservationCapLength = 0x20;
    internal const byte ReservationCapType = 0x01;
    internal const int BusNumbersOffset = 4;
    internal const int IoOffset = 8;
    internal const int NonPref32Offset = 16;
    internal const int Pref32Offset = 20;
    internal const int Pref64Offset = 24;

    /// <summary>PCI Express capability: flags (slot implemented bit 8), slot capabilities (HPC bit 6).</summary>
    internal const int PcieFlagsOffset = 2;
    internal const int PcieSlotCapOffset = 0x14;
    internal const ushort PcieFlagsSlotImplemented = 0x0100;
    internal const uint SlotCapHotPlugCapable = 0x40;

    private const ulong DefaultMmioPadding = 2UL << 20;
    private const ulong DefaultIoPadding202211 = 512;
    private const ulong DefaultIoPadding = 0x1000;
    private const ulong ThirtyTwoGiB = 32UL << 30;
    private const int PrefDefaultShift = 8;

    /// <summary>IsPciHotPlugBus (PciHotPlugSupport.c): an SHPC, a PCIe slot with a hot-plug controller, or a root HPC.</summary>
    public bool IsPciHotPlugBus(PciIoDevice dev)
    {
        if (PciCapabilities.Find(cfg, dev.Bdf, CapabilityId.Shpc) != 0) return true;
        if (dev.IsPciExp)
        {
            var pos = dev.PciExpressCapabilityOffset;
            var flags = cfg.Read16(dev.Bdf, pos + PcieFlagsOffset);
            var slotCap = cfg.Read32(dev.Bdf, pos + PcieSlotCapOffset);
            if ((flags & PcieFlagsSlotImplemented) != 0 && (slotCap & SlotCapHotPlugCapable) != 0) return true;
        }
        // IsRootPciHotPlugBus: GetRootHpcList returns no controllers on OVMF/ArmVirt.
        return false;
    }

    /// <summary>QueryReservationHint (PciHotPlugInit.c): the QEMU vendor capability of a 1b36 bridge, or null.</summary>
    private (uint Bus, ulong Io, uint Mem, uint Pref32, ulong Pref64)? QueryReservationHint(Bdf bdf)
    {
        if (cfg.Read16(bdf, CommonHeader.VendorId.Offset) != QemuVendorId) return null;
        foreach (var pos in PciCapabilities.All(cfg, bdf))
        {
            if (cfg.Read8(bdf, pos) != CapabilityId.Vendor) continue;
            if (cfg.Read8(bdf, pos + CapLengthOffset) != ReservationCapLength) continue;
            if (cfg.Read8(bdf, pos + CapTypeOffset) != ReservationCapType) continue;
            ulong Read64(int off) => cfg.Read32(bdf, pos + off) | ((ulong)cfg.Read32(bdf, pos + off + 4) << 32);
            return (cfg.Read32(bdf, pos + BusNumbersOffset), Read64(IoOffset), cfg.Read32(bdf, pos + NonPref32Offset),
                cfg.Read32(bdf, pos + Pref32Offset), Read64(Pref64Offset));
        }
        return null;
    }

    /// <summary>HighBitSetRoundUp32/64: the exponent of the smallest power of two >= value (value > 0).</summary>
    private static int HighBitSetRoundUp(ulong value) => value <= 1 ? 0 : 64 - BitOperations.LeadingZeroCount(value - 1);

    /// <summary>
    /// GetResourcePadding (OvmfPkg PciHotPlugInit.c): the reservation hint translated into descriptors, then the
    /// defaults (I/O 512 B in 202211 / none in 202608, 2 MiB 32-bit MMIO, 64-bit pref only when PcdPciMmio64Size &gt; 32 GiB).
    /// Descriptors are written backwards into the array and returned from the last one written.
    /// </summary>
    public IReadOnlyList<PaddingDescriptor> GetResourcePadding(Bdf hpc)
    {
        var defaultIo = options.Version == Edk2Version.Stable202211;
        var defaultMmio = true;
        var defaultPrefMmio = true;
        var written = new List<PaddingDescriptor>();
        if (QueryReservationHint(hpc) is { } hint)
        {
            if (hint.Bus != 0 && hint.Bus != uint.MaxValue) written.Add(new(PaddingResourceType.Bus, 0, 0, 0, hint.Bus));
            if (hint.Io == 0)
            {
                defaultIo = false;
            }
            else if (hint.Io != ulong.MaxValue)
            {
                var bit = HighBitSetRoundUp(hint.Io);
                if (bit < 64)
                {
                    written.Add(Io(bit));
                    defaultIo = false;
                }
            }
            if (hint.Mem == 0)
            {
                defaultMmio = false;
            }
            else if (hint.Mem != uint.MaxValue)
            {
                var bit = HighBitSetRoundUp(hint.Mem);
                if (bit < 32)
                {
                    written.Add(Mmio(prefetchable: false, thirtyTwoBitOnly: true, bit));
                    defaultMmio = false;
                }
            }
            if (hint.Pref32 != 0 && hint.Pref32 != uint.MaxValue)
            {
                var bit = HighBitSetRoundUp(hint.Pref32);
                if (bit < 32)
                {
                    written.Add(Mmio(prefetchable: true, thirtyTwoBitOnly: true, bit));
                    defaultPrefMmio = false;
                }
            }
            else if (hint.Pref64 != 0 && hint.Pref64 != ulong.MaxValue)
            {
                var bit = HighBitSetRoundUp(hint.Pref64);
                if (bit < 64)
                {
                    written.Add(Mmio(prefetchable: true, thirtyTwoBitOnly: false, bit));
                    defaultPrefMmio = false;
                }
            }
        }
        if (defaultIo)
        {
            written.Add(Io(HighBitSetRoundUp(options.Version == Edk2Version.Stable202211 ? DefaultIoPadding202211 : DefaultIoPadding)));
        }
        if (defaultMmio) written.Add(Mmio(prefetchable: false, thirtyTwoBitOnly: true, HighBitSetRoundUp(DefaultMmioPadding)));
        if (defaultPrefMmio && options.PcdPciMmio64Size > ThirtyTwoGiB)
        {
            written.Add(Mmio(prefetchable: true, thirtyTwoBitOnly: false, HighBitSetRoundUp(options.PcdPciMmio64Size >> PrefDefaultShift)));
        }
        written.Reverse();
        return written;
    }

    /// <summary>SetIoPadding.</summary>
    private static PaddingDescriptor Io(int exponent) => new(PaddingResourceType.Io, 0, 0, (1UL << exponent) - 1, 1UL << exponent);

    /// <summary>SetMmioPadding.</summary>
    private static PaddingDescriptor Mmio(bool prefetchable, bool thirtyTwoBitOnly, int exponent) =>
        new(PaddingResourceType.Mem, thirtyTwoBitOnly ? 32 : 64, prefetchable ? PaddingDescriptor.Prefetchable : (byte)0,
            (1UL << exponent) - 1, 1UL << exponent);
}

/// <summary>LocateCapabilityRegBlock's walk of the standard capability list (bounded: a looped list ends).</summary>
internal static class PciCapabilities
{
    private const int MaxCapabilities = 48;
    private const ushort StatusCapList = 0x10;
    private const byte PointerMask = 0xfc;

    public static IEnumerable<int> All(IConfigAccessor cfg, Bdf bdf)
    {
        if ((cfg.Read16(bdf, CommonHeader.Status.Offset) & StatusCapList) == 0) yield break;
        var pos = cfg.Read8(bdf, CommonHeader.CapabilityList.Offset) & PointerMask;
        for (var i = 0; i < MaxCapabilities && pos != 0; i++)
        {
            yield return pos;
            pos = cfg.Read8(bdf, pos + 1) & PointerMask;
        }
    }

    public static int Find(IConfigAccessor cfg, Bdf bdf, byte id) => All(cfg, bdf).FirstOrDefault(p => cfg.Read8(bdf, p) == id);
}
