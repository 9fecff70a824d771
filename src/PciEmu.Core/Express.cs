namespace PciEmu.Core;

/// <summary>
/// PCIe device/port type in the PCI Express capability's FLAGS register (PCI_EXP_FLAGS_TYPE, pci_regs.h
/// PCI_EXP_TYPE_*): the one type the devices, the enumerator, the reports and the checker share.
/// </summary>
public enum PcieType : byte
{
    /// <summary>PCI_EXP_TYPE_ENDPOINT.</summary>
    Endpoint = 0x0,

    /// <summary>PCI_EXP_TYPE_LEG_END.</summary>
    LegacyEndpoint = 0x1,

    /// <summary>PCI_EXP_TYPE_ROOT_PORT.</summary>
    RootPort = 0x4,

    /// <summary>PCI_EXP_TYPE_UPSTREAM.</summary>
    UpstreamPort = 0x5,

    /// <summary>PCI_EXP_TYPE_DOWNSTREAM.</summary>
    DownstreamPort = 0x6,

    /// <summary>PCI_EXP_TYPE_PCI_BRIDGE: PCIe to PCI/PCI-X bridge.</summary>
    PcieToPciBridge = 0x7,

    /// <summary>PCI_EXP_TYPE_PCIE_BRIDGE: PCI/PCI-X to PCIe bridge.</summary>
    PciToPcieBridge = 0x8,

    /// <summary>PCI_EXP_TYPE_RC_END.</summary>
    RcIntegratedEndpoint = 0x9,

    /// <summary>PCI_EXP_TYPE_RC_EC.</summary>
    RcEventCollector = 0xa,
}

/// <summary>Link speed as QEMU's x-speed property names it (PCIExpLinkSpeed, LNKCAP encoding).</summary>
public enum PcieLinkSpeed : byte
{
    Speed2_5 = 1,
    Speed5 = 2,
    Speed8 = 3,
    Speed16 = 4,
}

/// <summary>Link width as QEMU's x-width property names it (PCIExpLinkWidth, LNKCAP encoding).</summary>
public enum PcieLinkWidth : byte
{
    X1 = 1,
    X2 = 2,
    X4 = 4,
    X8 = 8,
    X12 = 12,
    X16 = 16,
    X32 = 32,
}

/// <summary>
/// PCI Express capability register layout (offsets relative to the capability, setpci's CAP_EXP+offset) and field
/// bits, named after pci_regs.h PCI_EXP_* (PCI_EXP_SLTCAP_HPC → <see cref="SltCapHpc"/>).
/// </summary>
public static class PcieCap
{
    public const int Flags = 0x02;
    public const int DevCap = 0x04;
    public const int DevCtl = 0x08;
    public const int DevSta = 0x0a;
    public const int LnkCap = 0x0c;
    public const int LnkCtl = 0x10;
    public const int LnkSta = 0x12;
    public const int SltCap = 0x14;
    public const int SltCtl = 0x18;
    public const int SltSta = 0x1a;
    public const int RtCtl = 0x1c;
    public const int RtCap = 0x1e;
    public const int RtSta = 0x20;
    public const int DevCap2 = 0x24;
    public const int DevCtl2 = 0x28;
    public const int LnkCap2 = 0x2c;
    public const int LnkCtl2 = 0x30;
    public const int LnkSta2 = 0x32;
    public const int SltCap2 = 0x34;
    public const int V2Size = 0x3c;

    public const ushort FlagsVersionMask = 0x000f;
    public const ushort FlagsVersion2 = 0x2;
    public const int FlagsTypeShift = 4;
    public const ushort FlagsTypeMask = 0x00f0;
    public const ushort FlagsSlot = 0x0100;

    public const uint DevCapRber = 0x00008000;
    public const uint DevCapExtTag = 0x00000020;
    public const uint DevCapFlr = 0x10000000;
    public const ushort DevCtlErrorReporting = 0x000f; // CERE | NFERE | FERE | URRE
    public const ushort DevCtlExtTag = 0x0100;
    public const ushort DevCtlBcrFlr = 0x8000;
    public const ushort DevStaErrors = 0x000f;        // CED | NFED | FED | URD

    public const uint LnkCapSpeedMask = 0x0000000f;
    public const uint LnkCapWidthMask = 0x000003f0;
    public const int LnkCapWidthShift = 4;
    public const uint LnkCapAspmL0s = 0x00000400;
    public const uint LnkCapDllLarc = 0x00100000;
    public const uint LnkCapLbnc = 0x00200000;
    public const int LnkCapPortShift = 24;
    public const ushort LnkCtlCcc = 0x0040;
    public const ushort LnkCtlEs = 0x0080;
    public const ushort LnkStaSpeedMask = 0x000f;
    public const ushort LnkStaWidthMask = 0x03f0;
    public const int LnkStaWidthShift = 4;
    public const ushort LnkStaDllla = 0x2000;

    public const uint SltCapAbp = 0x00000001;
    public const uint SltCapPcp = 0x00000002;
    public const uint SltCapMrlsp = 0x00000004;
    public const uint SltCapAip = 0x00000008;
    public const uint SltCapPip = 0x00000010;
    public const uint SltCapHps = 0x00000020;
    public const uint SltCapHpc = 0x00000040;
    public const uint SltCapEip = 0x00020000;
    public const uint SltCapNccs = 0x00040000;
    public const int SltCapPsnShift = 19;

    public const ushort SltCtlAbpe = 0x0001;
    public const ushort SltCtlPdce = 0x0008;
    public const ushort SltCtlCcie = 0x0010;
    public const ushort SltCtlHpie = 0x0020;
    public const ushort SltCtlAic = 0x00c0;
    public const ushort SltCtlAttnIndOff = 0x00c0;
    public const ushort SltCtlPic = 0x0300;
    public const ushort SltCtlPwrIndOn = 0x0100;
    public const ushort SltCtlPwrIndBlink = 0x0200;
    public const ushort SltCtlPwrIndOff = 0x0300;
    public const ushort SltCtlPcc = 0x0400;
    public const ushort SltCtlEic = 0x0800;

    public const ushort SltStaAbp = 0x0001;
    public const ushort SltStaPfd = 0x0002;
    public const ushort SltStaMrlsc = 0x0004;
    public const ushort SltStaPdc = 0x0008;
    public const ushort SltStaCc = 0x0010;
    public const ushort SltStaPds = 0x0040;
    public const ushort SltStaEis = 0x0080;
    public const ushort SltStaDllsc = 0x0100;

    /// <summary>PCI_EXP_HP_EV_SUPPORTED: ABP | PDC | CCI.</summary>
    public const ushort HotplugEventsSupported = SltStaAbp | SltStaPdc | SltStaCc;

    /// <summary>PCIE_SLOT_EVENTS of QEMU's pcie_cap_slot_write_config.</summary>
    public const ushort SlotEvents = SltStaAbp | SltStaPfd | SltStaMrlsc | SltStaPdc | SltStaCc;

    /// <summary>The events pciehp_isr acknowledges: ABP, PFD, MRLSC, PDC, CC, DLLSC.</summary>
    public const ushort SlotEventsWithDllsc = SlotEvents | SltStaDllsc;

    public const ushort RtCtlSystemErrors = 0x0007; // SECEE | SENFEE | SEFEE

    public const uint DevCap2Ari = 0x00000020;
    public const uint DevCap2Eff = 0x00100000;
    public const uint DevCap2Eetlpp = 0x00200000;
    public const ushort DevCtl2Ari = 0x0020;
    public const ushort DevCtl2Eetlppb = 0x8000;
    public const uint LnkCap2Speed2_5 = 0x02;
    public const uint LnkCap2Speed5 = 0x04;
    public const uint LnkCap2Speed8 = 0x08;
    public const uint LnkCap2Speed16 = 0x10;

    /// <summary>PCI_EXP_LNKCAP2_SLS: the supported link speeds vector.</summary>
    public const uint LnkCap2SlsMask = 0x000000fe;
    public const ushort LnkCtl2TargetSpeedMask = 0x000f;

    /// <summary>LNKCAP's width and speed fields for a link.</summary>
    public static uint LinkBits(PcieLinkWidth width, PcieLinkSpeed speed) => ((uint)width << LnkCapWidthShift) | (uint)speed;
}
