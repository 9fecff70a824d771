using PciEmu.Core;

namespace PciEmu.Devices.Capabilities;

/// <summary>PCIe port/device type in the PCIe capability FLAGS register (PCI_EXP_TYPE_*).</summary>
public enum PcieType : byte
{
    Endpoint = 0x0,
    LegacyEndpoint = 0x1,
    RootPort = 0x4,
    Upstream = 0x5,
    Downstream = 0x6,
    PciBridge = 0x7,
    PcieBridge = 0x8,
    RcEndpoint = 0x9,
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

/// <summary>PCI Express capability register layout (offsets relative to the capability) and field bits.</summary>
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
    public const int V2Size = 0x3c;

    public const ushort FlagsVersion2 = 0x2;
    public const int FlagsTypeShift = 4;
    public const ushort FlagsSlot = 0x0100;

    public const uint DevCapRber = 0x00008000;
    public const uint DevCapExtTag = 0x00000020;
    public const uint DevCapFlr = 0x10000000;
    public const ushort DevCtlErrorReporting = 0x000f; // CERE | NFERE | FERE | URRE
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
    public const ushort LnkStaDllla = 0x2000;

    public const uint SltCapAbp = 0x00000001;
    public const uint SltCapPcp = 0x00000002;
    public const uint SltCapAip = 0x00000008;
    public const uint SltCapPip = 0x00000010;
    public const uint SltCapHps = 0x00000020;
    public const uint SltCapHpc = 0x00000040;
    public const uint SltCapEip = 0x00020000;
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

    /// <summary>PCI_EXP_HP_EV_SUPPORTED: ABP | PDC | CCI.</summary>
    public const ushort HotplugEventsSupported = SltStaAbp | SltStaPdc | SltStaCc;

    /// <summary>PCIE_SLOT_EVENTS of pcie_cap_slot_write_config.</summary>
    public const ushort SlotEvents = SltStaAbp | SltStaPfd | SltStaMrlsc | SltStaPdc | SltStaCc;

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
    public const ushort LnkCtl2TargetSpeedMask = 0x000f;

    public static uint LinkBits(PcieLinkWidth width, PcieLinkSpeed speed) => ((uint)width << LnkCapWidthShift) | (uint)speed;

    /// <summary>pcie_cap_init (v2) with pcie_cap_v1_fill: FLAGS, DEVCAP.RBER, LNKCAP/LNKSTA x1 2.5 GT/s, DEVCAP2, DEVCTL2.</summary>
    public static int Add(ConfigSpaceBuilder b, int offset, PcieType type, byte port)
    {
        var pos = b.Capabilities.Add(CapabilityId.Express, offset, V2Size);
        var c = b.Config;
        c.SetWord(pos + Flags, (ushort)(((int)type << FlagsTypeShift) | FlagsVersion2));
        // pcie_cap_v1_fill: QEMU_PCIE_EXT_TAG adds Extended Tags (x-pcie-ext-tag, newer QEMU generations only).
        c.SetLong(pos + DevCap, b.Options is { PcieExtTag: true } ? DevCapRber | DevCapExtTag : DevCapRber);
        var x1 = LinkBits(PcieLinkWidth.X1, PcieLinkSpeed.Speed2_5);
        c.SetLong(pos + LnkCap, ((uint)port << LnkCapPortShift) | LnkCapAspmL0s | x1);
        c.SetWord(pos + LnkSta, (ushort)x1);
        c.SetLong(pos + DevCap2, DevCap2Eff | DevCap2Eetlpp);
        b.Rw(pos + DevCtl2, 2, DevCtl2Eetlppb);
        return pos;
    }

    /// <summary>pcie_cap_fill_slot_lnk: LNKCAP/LNKCAP2/LNKCTL2 from a slot's x-speed and x-width.</summary>
    public static void FillSlotLink(ConfigSpace c, int pos, PcieLinkWidth width, PcieLinkSpeed speed)
    {
        var lnkcap = c.GetLong(pos + LnkCap) & ~(LnkCapWidthMask | LnkCapSpeedMask);
        lnkcap |= LinkBits(width, speed);
        if (width > PcieLinkWidth.X1 || speed > PcieLinkSpeed.Speed2_5) lnkcap |= LnkCapLbnc;
        if (speed > PcieLinkSpeed.Speed2_5)
        {
            lnkcap |= LnkCapDllLarc;
            var ctl2 = c.GetWord(pos + LnkCtl2) & ~LnkCtl2TargetSpeedMask;
            c.SetWord(pos + LnkCtl2, (ushort)(ctl2 | ((ushort)speed & LnkCtl2TargetSpeedMask)));
        }
        if (speed > PcieLinkSpeed.Speed5)
        {
            var cap2 = LnkCap2Speed2_5 | LnkCap2Speed5 | LnkCap2Speed8;
            if (speed > PcieLinkSpeed.Speed8) cap2 |= LnkCap2Speed16;
            c.SetLong(pos + LnkCap2, cap2);
        }
        c.SetLong(pos + LnkCap, lnkcap);
    }

    /// <summary>pcie_cap_deverr_init.</summary>
    public static void DevErrInit(ConfigSpaceBuilder b, int pos)
    {
        b.Config.SetLong(pos + DevCap, b.Config.GetLong(pos + DevCap) | DevCapRber);
        b.Rw(pos + DevCtl, 2, DevCtlErrorReporting);
        b.Rw1c(pos + DevSta, 2, DevStaErrors);
    }

    /// <summary>pcie_cap_deverr_reset.</summary>
    public static void DevErrReset(ConfigSpace c, int pos) =>
        c.SetWord(pos + DevCtl, (ushort)(c.GetWord(pos + DevCtl) & ~DevCtlErrorReporting));

    /// <summary>pcie_cap_arifwd_init.</summary>
    public static void AriFwdInit(ConfigSpaceBuilder b, int pos)
    {
        b.Config.SetLong(pos + DevCap2, b.Config.GetLong(pos + DevCap2) | DevCap2Ari);
        b.Rw(pos + DevCtl2, 2, DevCtl2Ari);
    }

    /// <summary>pcie_cap_arifwd_reset.</summary>
    public static void AriFwdReset(ConfigSpace c, int pos) =>
        c.SetWord(pos + DevCtl2, (ushort)(c.GetWord(pos + DevCtl2) & ~DevCtl2Ari));

    /// <summary>pcie_cap_root_init.</summary>
    public static void RootInit(ConfigSpaceBuilder b, int pos) => b.Rw(pos + RtCtl, 2, RtCtlSystemErrors);

    /// <summary>pcie_cap_root_reset.</summary>
    public static void RootReset(ConfigSpace c, int pos) => c.SetWord(pos + RtCtl, 0);

    /// <summary>pcie_cap_lnkctl_init.</summary>
    public static void LnkCtlInit(ConfigSpaceBuilder b, int pos) => b.Rw(pos + LnkCtl, 2, LnkCtlCcc | LnkCtlEs);

    /// <summary>pcie_cap_flr_init.</summary>
    public static void FlrInit(ConfigSpaceBuilder b, int pos)
    {
        b.Config.SetLong(pos + DevCap, b.Config.GetLong(pos + DevCap) | DevCapFlr);
        b.Rw(pos + DevCtl, 2, DevCtlBcrFlr);
    }

    /// <summary>
    /// pcie_cap_flr_write_config: a 1 written to DEVCTL.BCR_FLR resets the function (<paramref name="reset"/>), then
    /// the bit is cleared, so it always reads 0.
    /// </summary>
    public static void FlrWriteConfig(ConfigSpace c, int pos, Action reset)
    {
        if ((c.GetWord(pos + DevCtl) & DevCtlBcrFlr) == 0) return;
        reset();
        c.SetWord(pos + DevCtl, (ushort)(c.GetWord(pos + DevCtl) & ~DevCtlBcrFlr));
    }

    /// <summary>pcie_endpoint_cap_init: a v2 endpoint capability (type from the bus: endpoint here).</summary>
    public static int AddEndpoint(ConfigSpaceBuilder b, int offset) => Add(b, offset, PcieType.Endpoint, 0);
}
