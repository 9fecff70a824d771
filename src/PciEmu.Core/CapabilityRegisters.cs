namespace PciEmu.Core;

/// <summary>MSI capability register layout and flags (pci_regs.h PCI_MSI_*; setpci CAP_MSI+offset).</summary>
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
    public const int FlagQsizeShift = 4;
    public const ushort Flag64Bit = 0x0080;
    public const ushort FlagMaskBit = 0x0100;
    public const uint AddressLoMask = 0xfffffffc;
    public const ushort DataMask = 0xffff;

    /// <summary>PCI_MSI_32_SIZEOF, PCI_MSI_64_SIZEOF and the sizes with per-vector masking.</summary>
    public const int Size32 = 0x0a;
    public const int Size64 = 0x0e;
    public const int Size32Mask = 0x14;
    public const int Size64Mask = 0x18;

    /// <summary>msi_cap_sizeof.</summary>
    public static int SizeOf(bool is64, bool perVectorMask) =>
        perVectorMask ? (is64 ? Size64Mask : Size32Mask) : (is64 ? Size64 : Size32);
}

/// <summary>MSI-X capability register layout and flags (pci_regs.h PCI_MSIX_*; setpci CAP_MSIX+offset), 12 bytes.</summary>
public static class MsixCap
{
    public const int Size = 12;
    public const int Control = 2;
    public const int Table = 4;
    public const int Pba = 8;

    public const ushort ControlTableSizeMask = 0x07ff;
    public const ushort ControlFunctionMask = 0x4000;
    public const ushort ControlEnable = 0x8000;

    /// <summary>PCI_MSIX_TABLE_BIR / PCI_MSIX_PBA_BIR.</summary>
    public const uint BirMask = 0x7;

    /// <summary>PCI_MSIX_ENTRY_SIZE.</summary>
    public const int TableEntrySize = 16;
}

/// <summary>Bridge subsystem vendor ID capability (PCI_CAP_ID_SSVID; setpci CAP_SSVID+offset), 8 bytes.</summary>
public static class SsvidCap
{
    public const int Size = 8;
    public const int SubsystemVendor = 4;
    public const int SubsystemId = 6;
}

/// <summary>
/// QEMU's vendor-specific resource-reservation capability (REDHAT_PCI_CAP_RESOURCE_RESERVE, docs/pcie_pci_bridge.txt,
/// SeaBIOS's RES_RESERVE_*): offsets within the CAP_VNDR capability, 32 bytes.
/// </summary>
public static class ResourceReserveCap
{
    public const byte Length = 2;
    public const byte Type = 3;
    public const byte BusRes = 4;
    public const byte Io = 8;
    public const byte Mem = 16;
    public const byte Pref32 = 20;
    public const byte Pref64 = 24;
    public const byte Size = 32;

    /// <summary>REDHAT_PCI_CAP_RESOURCE_RESERVE.</summary>
    public const byte TypeResourceReserve = 1;
}
