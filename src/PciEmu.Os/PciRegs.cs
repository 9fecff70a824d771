namespace PciEmu.Os;

/// <summary>include/uapi/linux/pci_regs.h field layouts the enumerator decodes (register offsets come from PciEmu.Core).</summary>
internal static class PciRegs
{
    /// <summary>PCI_CAP_LIST_ID / PCI_CAP_LIST_NEXT: id in the low byte, next pointer (dword aligned) in the high byte.</summary>
    public const int CapIdMask = 0xff;
    public const int CapNextShift = 8;
    public const int CapPtrMask = 0xfc;

    /// <summary>PCI_EXT_CAP_ID / PCI_EXT_CAP_NEXT.</summary>
    public const uint ExtCapIdMask = 0xffff;
    public const int ExtCapNextShift = 20;
    public const int ExtCapNextMask = 0xffc;

    /// <summary>PCI_PRIMARY_BUS dword: primary, secondary, subordinate, secondary latency timer.</summary>
    public const int BusNumberMask = 0xff;
    public const int SecondaryBusShift = 8;
    public const int SubordinateBusShift = 16;
    public const uint SecLatencyTimerMask = 0xff000000;

    /// <summary>Base/limit register to address shifts of the I/O and memory windows.</summary>
    public const int IoWindowShift = 8;
    public const int IoUpper16Shift = 16;
    public const int MemWindowShift = 16;
    public const int Upper32Shift = 32;

    /// <summary>PCI_CLASS_REVISION: revision in the low byte; prog-if 1 on a bridge = subtractive decode.</summary>
    public const int ClassShift = 8;
    public const uint ProgIfMask = 0xff;
    public const uint ProgIfSubtractive = 1;

    /// <summary>PCI_VENDOR_ID dword: device id in the high half.</summary>
    public const int DeviceIdShift = 16;

    /// <summary>Vendor-id reads that mean "no function" (pci_bus_generic_read_dev_vendor_id).</summary>
    public const uint AbsentLowHalf = 0x0000ffff;
    public const uint AbsentHighHalf = 0xffff0000;

    /// <summary>PCI_DEVFN: device number above the three function bits.</summary>
    public const int DevFnShift = 3;

    /// <summary>PCI_STATUS_CAP_LIST.</summary>
    public const ushort StatusCapList = 0x10;

    /// <summary>PCI_FIND_CAP_TTL.</summary>
    public const int CapTtl = 48;

    /// <summary>__pci_find_next_cap through any accessor: the offset of capability <paramref name="id"/>, or 0.</summary>
    public static int FindCapability(PciEmu.Core.IConfigAccessor cfg, PciEmu.Core.Bdf bdf, byte id)
    {
        if ((cfg.Read16(bdf, PciEmu.Core.CommonHeader.Status.Offset) & StatusCapList) == 0) return 0;
        var pos = cfg.Read8(bdf, PciEmu.Core.CommonHeader.CapabilityList.Offset) & CapPtrMask;
        for (var ttl = 0; pos >= PciEmu.Core.CommonHeader.Size && ttl < CapTtl; ttl++)
        {
            var hdr = cfg.Read16(bdf, pos);
            if ((hdr & CapIdMask) == id) return pos;
            pos = (hdr >> CapNextShift) & CapPtrMask;
        }
        return 0;
    }
}
