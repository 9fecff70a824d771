namespace PciEmu.Core;

/// <summary>A named config-space register: offset, width in bytes (1, 2 or 4) and its setpci name.</summary>
public readonly record struct Register(ushort Offset, byte Width, string Name)
{
    public int End => Offset + Width;
    public uint Mask => Width == 4 ? uint.MaxValue : (1u << (Width * 8)) - 1;
    public bool Contains(int offset) => offset >= Offset && offset < End;
    public override string ToString() => Name;
}

public readonly record struct Reg8(ushort Offset, string Name)
{
    public static implicit operator Register(Reg8 r) => new(r.Offset, 1, r.Name);
    public Register ToRegister() => this;
}

public readonly record struct Reg16(ushort Offset, string Name)
{
    public static implicit operator Register(Reg16 r) => new(r.Offset, 2, r.Name);
    public Register ToRegister() => this;
}

public readonly record struct Reg32(ushort Offset, string Name)
{
    public static implicit operator Register(Reg32 r) => new(r.Offset, 4, r.Name);
    public Register ToRegister() => this;
}

/// <summary>Registers common to every header type (pci_regs.h, setpci names).</summary>
public static class CommonHeader
{
    public const int Size = 0x40;
    public static readonly Reg16 VendorId = new(0x00, "VENDOR_ID");
    public static readonly Reg16 DeviceId = new(0x02, "DEVICE_ID");
    public static readonly Reg16 Command = new(0x04, "COMMAND");
    public static readonly Reg16 Status = new(0x06, "STATUS");
    public static readonly Reg8 Revision = new(0x08, "REVISION");
    public static readonly Reg8 ClassProg = new(0x09, "CLASS_PROG");
    public static readonly Reg16 ClassDevice = new(0x0a, "CLASS_DEVICE");
    public static readonly Reg8 CacheLineSize = new(0x0c, "CACHE_LINE_SIZE");
    public static readonly Reg8 LatencyTimer = new(0x0d, "LATENCY_TIMER");
    public static readonly Reg8 HeaderType = new(0x0e, "HEADER_TYPE");
    public static readonly Reg8 Bist = new(0x0f, "BIST");
    public static readonly Reg8 CapabilityList = new(0x34, "CAPABILITIES");
    public static readonly Reg8 InterruptLine = new(0x3c, "INTERRUPT_LINE");
    public static readonly Reg8 InterruptPin = new(0x3d, "INTERRUPT_PIN");

    public const byte HeaderTypeMask = 0x7f;
    public const byte HeaderTypeMultifunction = 0x80;
    public const byte HeaderTypeNormal = 0x00;
    public const byte HeaderTypeBridge = 0x01;
}

/// <summary>Type-0 (endpoint) header registers.</summary>
public static class Type0Header
{
    public const int BarCount = 6;
    public static readonly Reg32 BaseAddress0 = new(0x10, "BASE_ADDRESS_0");
    public static readonly Reg32 BaseAddress1 = new(0x14, "BASE_ADDRESS_1");
    public static readonly Reg32 BaseAddress2 = new(0x18, "BASE_ADDRESS_2");
    public static readonly Reg32 BaseAddress3 = new(0x1c, "BASE_ADDRESS_3");
    public static readonly Reg32 BaseAddress4 = new(0x20, "BASE_ADDRESS_4");
    public static readonly Reg32 BaseAddress5 = new(0x24, "BASE_ADDRESS_5");
    public static readonly Reg32 CardbusCis = new(0x28, "CARDBUS_CIS");
    public static readonly Reg16 SubsystemVendorId = new(0x2c, "SUBSYSTEM_VENDOR_ID");
    public static readonly Reg16 SubsystemId = new(0x2e, "SUBSYSTEM_ID");
    public static readonly Reg32 RomAddress = new(0x30, "ROM_ADDRESS");
    public static readonly Reg8 MinGnt = new(0x3e, "MIN_GNT");
    public static readonly Reg8 MaxLat = new(0x3f, "MAX_LAT");

    public static Register Bar(int index) => new((ushort)(BaseAddress0.Offset + 4 * index), 4, "BASE_ADDRESS_" + index);

    public static readonly IReadOnlyList<Register> All =
    [
        CommonHeader.VendorId, CommonHeader.DeviceId, CommonHeader.Command, CommonHeader.Status,
        CommonHeader.Revision, CommonHeader.ClassProg, CommonHeader.ClassDevice, CommonHeader.CacheLineSize,
        CommonHeader.LatencyTimer, CommonHeader.HeaderType, CommonHeader.Bist,
        BaseAddress0, BaseAddress1, BaseAddress2, BaseAddress3, BaseAddress4, BaseAddress5,
        CardbusCis, SubsystemVendorId, SubsystemId, RomAddress, CommonHeader.CapabilityList,
        CommonHeader.InterruptLine, CommonHeader.InterruptPin, MinGnt, MaxLat,
    ];
}

/// <summary>Type-1 (PCI-to-PCI bridge) header registers.</summary>
public static class Type1Header
{
    public const int BarCount = 2;
    public static readonly Reg32 BaseAddress0 = new(0x10, "BASE_ADDRESS_0");
    public static readonly Reg32 BaseAddress1 = new(0x14, "BASE_ADDRESS_1");
    public static readonly Reg8 PrimaryBus = new(0x18, "PRIMARY_BUS");
    public static readonly Reg8 SecondaryBus = new(0x19, "SECONDARY_BUS");
    public static readonly Reg8 SubordinateBus = new(0x1a, "SUBORDINATE_BUS");
    public static readonly Reg8 SecLatencyTimer = new(0x1b, "SEC_LATENCY_TIMER");
    public static readonly Reg8 IoBase = new(0x1c, "IO_BASE");
    public static readonly Reg8 IoLimit = new(0x1d, "IO_LIMIT");
    public static readonly Reg16 SecStatus = new(0x1e, "SEC_STATUS");
    public static readonly Reg16 MemoryBase = new(0x20, "MEMORY_BASE");
    public static readonly Reg16 MemoryLimit = new(0x22, "MEMORY_LIMIT");
    public static readonly Reg16 PrefMemoryBase = new(0x24, "PREF_MEMORY_BASE");
    public static readonly Reg16 PrefMemoryLimit = new(0x26, "PREF_MEMORY_LIMIT");
    public static readonly Reg32 PrefBaseUpper32 = new(0x28, "PREF_BASE_UPPER32");
    public static readonly Reg32 PrefLimitUpper32 = new(0x2c, "PREF_LIMIT_UPPER32");
    public static readonly Reg16 IoBaseUpper16 = new(0x30, "IO_BASE_UPPER16");
    public static readonly Reg16 IoLimitUpper16 = new(0x32, "IO_LIMIT_UPPER16");
    public static readonly Reg32 RomAddress = new(0x38, "BRIDGE_ROM_ADDRESS");
    public static readonly Reg16 BridgeControl = new(0x3e, "BRIDGE_CONTROL");

    public static readonly IReadOnlyList<Register> All =
    [
        CommonHeader.VendorId, CommonHeader.DeviceId, CommonHeader.Command, CommonHeader.Status,
        CommonHeader.Revision, CommonHeader.ClassProg, CommonHeader.ClassDevice, CommonHeader.CacheLineSize,
        CommonHeader.LatencyTimer, CommonHeader.HeaderType, CommonHeader.Bist,
        BaseAddress0, BaseAddress1, PrimaryBus, SecondaryBus, SubordinateBus, SecLatencyTimer,
        IoBase, IoLimit, SecStatus, MemoryBase, MemoryLimit, PrefMemoryBase, PrefMemoryLimit,
        PrefBaseUpper32, PrefLimitUpper32, IoBaseUpper16, IoLimitUpper16, CommonHeader.CapabilityList,
        RomAddress, CommonHeader.InterruptLine, CommonHeader.InterruptPin, BridgeControl,
    ];
}

[Flags]
public enum CommandBits : ushort
{
    None = 0,
    Io = 1 << 0,
    Memory = 1 << 1,
    BusMaster = 1 << 2,
    Special = 1 << 3,
    Invalidate = 1 << 4,
    VgaPalette = 1 << 5,
    Parity = 1 << 6,
    Wait = 1 << 7,
    Serr = 1 << 8,
    FastBack = 1 << 9,
    InterruptDisable = 1 << 10,
}

[Flags]
public enum StatusBits : ushort
{
    None = 0,
    Interrupt = 1 << 3,
    CapList = 1 << 4,
    Mhz66 = 1 << 5,
    FastBack = 1 << 7,
    MasterDataParity = 1 << 8,
    SigTargetAbort = 1 << 11,
    RecTargetAbort = 1 << 12,
    RecMasterAbort = 1 << 13,
    SigSystemError = 1 << 14,
    DetectedParity = 1 << 15,

    /// <summary>The W1C set QEMU's pci_init_w1cmask installs (0xF900).</summary>
    QemuW1c = MasterDataParity | SigTargetAbort | RecTargetAbort | RecMasterAbort | SigSystemError | DetectedParity,
}

[Flags]
public enum BridgeControlBits : ushort
{
    None = 0,
    Parity = 1 << 0,
    Serr = 1 << 1,
    Isa = 1 << 2,
    Vga = 1 << 3,
    Vga16Bit = 1 << 4,
    MasterAbort = 1 << 5,
    BusReset = 1 << 6,
    FastBack = 1 << 7,
    Discard = 1 << 8,
    SecDiscard = 1 << 9,
    DiscardStatus = 1 << 10,
    DiscardSerr = 1 << 11,

    /// <summary>QEMU's pci_init_mask_bridge write mask (0x0BFF).</summary>
    QemuConventionalWritable = Parity | Serr | Isa | Vga | Vga16Bit | MasterAbort | BusReset | FastBack | Discard | SecDiscard | DiscardSerr,

    /// <summary>PCIe ports drop the PCI-only bits (0x005F).</summary>
    QemuExpressWritable = Parity | Serr | Isa | Vga | Vga16Bit | BusReset,
}

/// <summary>BAR and window field encodings (pci_regs.h).</summary>
public static class BarBits
{
    public const uint SpaceIo = 0x1;
    public const uint MemType64 = 0x4;
    public const uint MemPrefetch = 0x8;
    public const uint IoAddressMask = ~0x3u;
    public const uint MemAddressMask = ~0xfu;
    public const uint RomEnable = 0x1;
    public const uint RomAddressMask = ~0x7ffu;

    public const byte IoRangeTypeMask = 0x0f;
    public const byte IoRangeMask = 0xf0;
    public const ushort MemRangeMask = 0xfff0;
    public const ushort PrefRangeType64 = 0x1;
    public const ushort PrefRangeTypeMask = 0xf;
}
