using PciEmu.Core;
using static PciEmu.Core.PcieCap;

namespace PciEmu.Devices.Capabilities;

/// <summary>
/// QEMU's hw/pci/pcie.c pcie_cap_* functions over the capability registers declared in the core (<see cref="PcieCap"/>).
/// </summary>
public static class QemuPcieCap
{
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
