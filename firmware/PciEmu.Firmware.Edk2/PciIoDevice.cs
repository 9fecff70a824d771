using PciEmu.Core;

namespace PciEmu.Firmware.Edk2;

/// <summary>PCI_IO_DEVICE (PciBus.h): what PciBusDxe knows about one function (or the root bridge).</summary>
internal sealed class PciIoDevice
{
    /// <summary>PCI_MAX_BAR; a PPB uses PciBar[0..1] and the window slots PPB_IO_RANGE.. below.</summary>
    public const int PciMaxBar = 6;
    public const int PpbBar0 = 0;
    public const int PpbBar1 = 1;
    public const int PpbIoRange = 2;
    public const int PpbMem32Range = 3;
    public const int PpbPMem32Range = 4;
    public const int PpbPMem64Range = 5;
    public const int PpbMem64Range = 0xff;

    public PciIoDevice(Bdf bdf, ushort vendorId, ushort deviceId, byte headerType, bool isRootBridge = false)
    {
        Bdf = bdf;
        VendorId = vendorId;
        DeviceId = deviceId;
        HeaderType = headerType;
        IsRootBridge = isRootBridge;
        for (var i = 0; i < PciMaxBar; i++) PciBar[i] = new PciBar();
    }

    public Bdf Bdf { get; }
    public ushort VendorId { get; }
    public ushort DeviceId { get; }
    public byte HeaderType { get; }
    public bool IsRootBridge { get; }
    public PciIoDevice? Parent { get; set; }
    public List<PciIoDevice> ChildList { get; } = [];
    public PciBar[] PciBar { get; } = new PciBar[PciMaxBar];
    public BridgeDecodes Decodes { get; set; }
    public ulong RomSize { get; set; }
    public bool Allocated { get; set; }
    public bool IsPciExp { get; set; }
    public int PciExpressCapabilityOffset { get; set; }
    public IReadOnlyList<PaddingDescriptor>? ResourcePaddingDescriptors { get; set; }

    /// <summary>The command bits DetermineDeviceAttribute found writable (the Supports attribute).</summary>
    public ushort SupportedCommand { get; set; }

    /// <summary>BridgeIoAlignment: 4 KiB windows (PcdPciBridgeIoAlignmentProbe FALSE).</summary>
    public ulong BridgeIoAlignment { get; } = 0xfff;

    /// <summary>IS_PCI_BRIDGE.</summary>
    public bool IsPciBridge => (HeaderType & CommonHeader.HeaderTypeMask) == CommonHeader.HeaderTypeBridge;

    /// <summary>IS_PCI_MULTI_FUNC.</summary>
    public bool IsMultiFunction => (HeaderType & CommonHeader.HeaderTypeMultifunction) != 0;
}

/// <summary>PCI_RESOURCE_NODE (PciResourceSupport.h).</summary>
internal sealed class PciResourceNode(PciIoDevice pciDev, ulong length, ulong alignment, int bar, PciBarType resType, PciResourceUsage usage)
{
    public PciIoDevice PciDev { get; } = pciDev;
    public ulong Length { get; set; } = length;
    public ulong Offset { get; set; }
    public ulong Alignment { get; set; } = alignment;
    public int Bar { get; } = bar;
    public PciBarType ResType { get; set; } = resType;
    public PciResourceUsage ResourceUsage { get; } = usage;
    public List<PciResourceNode> ChildList { get; } = [];
}
