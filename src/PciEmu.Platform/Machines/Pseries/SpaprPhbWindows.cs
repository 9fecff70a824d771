namespace PciEmu.Platform.Machines.Pseries;

/// <summary>
/// The windows of one sPAPR PHB as QEMU 7.2 places them (hw/ppc/spapr.c spapr_phb_placement, "new style" layout of
/// pseries-2.8 and later; include/hw/pci-host/spapr.h): every PHB in 32 TiB … 64 TiB, one 64 KiB I/O window, one
/// 2 GiB 32-bit window seen at PCI 0x8000_0000, one 1 TiB 64-bit window mapped 1:1.
/// </summary>
public sealed record SpaprPhbWindows
{
    /// <summary>SPAPR_PCI_BASE: 32 TiB.</summary>
    public const ulong PciBase = 1UL << 45;

    /// <summary>SPAPR_PCI_LIMIT: 64 TiB.</summary>
    public const ulong PciLimit = 1UL << 46;

    /// <summary>SPAPR_PCI_MEM_WIN_BUS_OFFSET: the PCI address of the 32-bit window.</summary>
    public const ulong MemWinBusOffset = 0x80000000;

    /// <summary>SPAPR_PCI_MEM32_WIN_SIZE: 4 GiB - the bus offset = 2 GiB.</summary>
    public const ulong Mem32WinSize = (1UL << 32) - MemWinBusOffset;

    /// <summary>SPAPR_PCI_MEM64_WIN_SIZE: 1 TiB.</summary>
    public const ulong DefaultMem64WinSize = 0x10000000000;

    /// <summary>SPAPR_PCI_IO_WIN_SIZE: 64 KiB.</summary>
    public const ulong IoWinSize = 0x10000;

    /// <summary>spapr_phb_placement's base_buid.</summary>
    public const ulong BaseBuid = 0x800000020000000;

    /// <summary>SPAPR_MAX_PHBS: (64 TiB - 32 TiB) / 1 TiB - 1 = 31.</summary>
    public const int MaxPhbs = (int)((PciLimit - PciBase) / DefaultMem64WinSize - 1);

    public required int Index { get; init; }
    public required ulong Buid { get; init; }
    public required ulong IoWinAddr { get; init; }
    public required ulong MemWinAddr { get; init; }
    public ulong MemWinSize { get; init; } = Mem32WinSize;
    public required ulong Mem64WinAddr { get; init; }
    public ulong Mem64WinSize { get; init; } = DefaultMem64WinSize;

    /// <summary>mem64_win_pciaddr: the 64-bit window is identity mapped (-1 → mem64_win_addr in spapr_phb_realize).</summary>
    public ulong Mem64WinPciAddr => Mem64WinAddr;

    /// <summary>The PHB's device-tree node name (spapr_dt_phb: "pci@" + BUID in hex).</summary>
    public string NodeName => $"pci@{Buid:x}";

    /// <summary>spapr_phb_placement for <paramref name="index"/>; an index ≥ 31 is QEMU's error.</summary>
    public static SpaprPhbWindows Place(int index)
    {
        if (index < 0 || index >= MaxPhbs)
            throw new QemuException($"\"index\" for PAPR PHB is too large (max {MaxPhbs - 1})");
        return new SpaprPhbWindows
        {
            Index = index,
            Buid = BaseBuid + (ulong)index,
            IoWinAddr = PciBase + (ulong)index * IoWinSize,
            MemWinAddr = PciBase + (ulong)(index + 1) * Mem32WinSize,
            Mem64WinAddr = PciBase + (ulong)(index + 1) * DefaultMem64WinSize,
        };
    }
}
