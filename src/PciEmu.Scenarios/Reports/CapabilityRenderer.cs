using System.Globalization;
using System.Text;
using PciEmu.Core;
using PciEmu.Devices.Capabilities;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Reports;

/// <summary>
/// show_caps / show_ext_caps (ls-caps.c, ls-ecaps.c, pciutils 3.9) for the capabilities QEMU's modelled devices
/// carry, line for line as lspci -vvv prints them: the PCIe capability with its device/link/slot/root registers and,
/// for a v2 capability, DevCap2..LnkSta2; AER and ACS with their registers. The Red Hat resource-reservation
/// capability is decoded, which real lspci cannot do.
/// </summary>
internal static class CapabilityRenderer
{
    private const ushort RedHatVendor = 0x1b36;
    private const ushort VirtioVendor = 0x1af4;
    private const ushort VirtioFirst = 0x1000;
    private const ushort VirtioLast = 0x107f;
    private const int PendingAfterMask = 4;

    // Slot / link / root register bits lspci prints that the device models do not name (pci_regs.h).
    private const uint SltCapPowerValueMask = 0xff, SltCapPowerScaleMask = 0x3;
    private const int SltCapPowerValueShift = 7, SltCapPowerScaleShift = 15;
    private const int SltCtlPwrFlt = 0x2, SltCtlMrl = 0x4, SltCtlLinkChg = 0x1000, SltCtlAttnIndShift = 6, SltCtlPwrIndShift = 8;
    private const int SltStaMrlState = 0x20, SltStaLinkChg = 0x100;
    private const int LnkStaTrErr = 0x400, LnkStaTrain = 0x800, LnkStaSlotClk = 0x1000, LnkStaBwMgmt = 0x4000, LnkStaAbwMgmt = 0x8000;
    private const int RtCapCrsVisible = 0x1;
    private const int RtCtlCorr = 0x1, RtCtlNonFatal = 0x2, RtCtlFatal = 0x4, RtCtlPmeIe = 0x8, RtCtlCrsVisible = 0x10;
    private const uint RtStaPmeStatus = 0x10000, RtStaPmePending = 0x20000, RtStaReqIdMask = 0xffff;
    private const int ExpFlagsIrqShift = 9, ExpFlagsIrqMask = 0x1f;
    private const int ExpTypeRootPort = (int)PcieType.RootPort, ExpTypeDownstream = (int)PcieType.DownstreamPort;
    private const int ExpTypePciToPcie = (int)PcieType.PciToPcieBridge;
    private const int ExpVersion2 = 2;

    /// <summary>show_ext_caps' type when the function has no PCIe capability.</summary>
    private const int NoExpressType = -1;

    private static string F(int v, int bit) => (v & bit) != 0 ? "+" : "-";
    private static string F(uint v, uint bit) => (v & bit) != 0 ? "+" : "-";

    public static void Render(StringBuilder sb, FunctionSnapshot f)
    {
        var inv = CultureInfo.InvariantCulture;
        var expressType = NoExpressType;
        foreach (var c in CapabilityListBuilder.Walk(f.Config))
        {
            if (c.Extended)
            {
                sb.Append(inv, $"\tCapabilities: [{c.Offset:x3} v{c.Version}] {ExtendedName(c.Id)}");
                if (c.Id == ExtCapabilityId.Dsn)
                {
                    // cap_dsn: the 64-bit serial number, most significant byte first.
                    var serial = ((ulong)f.Long(c.Offset + 8) << 32) | f.Long(c.Offset + 4);
                    sb.Append(' ').AppendJoin('-', Enumerable.Range(0, 8).Select(i => ((byte)(serial >> (56 - 8 * i))).ToString("x2", inv)));
                }
                sb.Append('\n');
                if (c.Id == ExtCapabilityId.Aer) ExtCapRenderer.Aer(sb, f, c.Offset, expressType);
                else if (c.Id == ExtCapabilityId.Acs) ExtCapRenderer.Acs(sb, f, c.Offset);
                continue;
            }
            var o = c.Offset;
            var cap = f.Word(o + PcieCap.Flags);
            sb.Append(inv, $"\tCapabilities: [{o:x2}] ");
            switch ((byte)c.Id)
            {
                case CapabilityId.PowerManagement:
                    sb.Append(inv, $"Power Management version {cap & 0x7}\n");
                    sb.Append(inv, $"\t\tFlags: PMEClk{F(cap, 0x8)} DSI{F(cap, 0x20)} D1{F(cap, 0x200)} D2{F(cap, 0x400)} AuxCurrent={AuxCurrent((cap >> 6) & 0x7)}mA PME(D0{F(cap, 0x800)},D1{F(cap, 0x1000)},D2{F(cap, 0x2000)},D3hot{F(cap, 0x4000)},D3cold{F(cap, 0x8000)})\n");
                    var pmcsr = f.Word(o + 4);
                    sb.Append(inv, $"\t\tStatus: D{pmcsr & 0x3} NoSoftRst{F(pmcsr, 0x8)} PME-Enable{F(pmcsr, 0x100)} DSel={(pmcsr >> 9) & 0xf} DScale={(pmcsr >> 13) & 0x3} PME{F(pmcsr, 0x8000)}\n");
                    break;
                case CapabilityId.SlotId:
                    sb.Append(inv, $"Slot ID: {cap & 0x1f} slots, First{F(cap, 0x20)}, chassis {cap >> 8:x2}\n");
                    break;
                case CapabilityId.Msi: Msi(sb, f, o, cap); break;
                case CapabilityId.Vendor: Vendor(sb, f, o); break;
                case CapabilityId.Shpc: sb.Append("Hot-plug capable\n"); break;
                case CapabilityId.Sata:
                    var bars = f.Long(o + 4);
                    var bar = (int)(bars & 0xf);
                    sb.Append(inv, $"SATA HBA v{(cap >> 4) & 0xf}.{cap & 0xf}");
                    sb.Append(bar is >= 4 and <= 9 ? string.Create(inv, $" BAR{bar - 4} Offset={(bars >> 4) & 0xfffff:x8}\n") : bar == 15 ? " InCfgSpace\n" : string.Create(inv, $" BAR??{bar}\n"));
                    break;
                case CapabilityId.SubsystemVendor:
                    sb.Append("Subsystem: ").Append(PciNames.Subsystem(f.VendorId, f.DeviceId, f.Word(o + 4), f.Word(o + 6), true)).Append('\n');
                    break;
                case CapabilityId.Express:
                    expressType = (cap & PcieCap.FlagsTypeMask) >> PcieCap.FlagsTypeShift;
                    Express(sb, f, o, cap);
                    break;
                case CapabilityId.MsiX:
                    sb.Append(inv, $"MSI-X: Enable{F(cap, MsixCap.ControlEnable)} Count={(cap & MsixCap.ControlTableSizeMask) + 1} Masked{F(cap, MsixCap.ControlFunctionMask)}\n");
                    var t = f.Long(o + MsixCap.Table);
                    var p = f.Long(o + MsixCap.Pba);
                    sb.Append(inv, $"\t\tVector table: BAR={t & MsixCap.BirMask} offset={t & ~MsixCap.BirMask:x8}\n");
                    sb.Append(inv, $"\t\tPBA: BAR={p & MsixCap.BirMask} offset={p & ~MsixCap.BirMask:x8}\n");
                    break;
                default:
                    sb.Append(inv, $"Capability ID 0x{c.Id:x} [{cap:x4}]\n");
                    break;
            }
        }
    }

    private static int AuxCurrent(int code) => code switch { 0 => 0, 1 => 55, 2 => 100, 3 => 160, 4 => 220, 5 => 270, 6 => 320, _ => 375 };

    /// <summary>cap_msi.</summary>
    private static void Msi(StringBuilder sb, FunctionSnapshot f, int o, int cap)
    {
        var inv = CultureInfo.InvariantCulture;
        var is64 = (cap & MsiCap.Flag64Bit) != 0;
        var maskable = (cap & MsiCap.FlagMaskBit) != 0;
        var count = 1 << ((cap & MsiCap.FlagQsizeMask) >> MsiCap.FlagQsizeShift);
        var max = 1 << ((cap & MsiCap.FlagQmaskMask) >> MsiCap.FlagQmaskShift);
        sb.Append(inv, $"MSI: Enable{F(cap, MsiCap.FlagEnable)} Count={count}/{max} Maskable{F(cap, MsiCap.FlagMaskBit)} 64bit{F(cap, MsiCap.Flag64Bit)}\n");
        var lo = f.Long(o + MsiCap.AddressLo);
        sb.Append(is64 ? string.Create(inv, $"\t\tAddress: {f.Long(o + MsiCap.AddressHi):x8}{lo:x8}  ") : string.Create(inv, $"\t\tAddress: {lo:x8}  "));
        sb.Append(inv, $"Data: {f.Word(o + (is64 ? MsiCap.Data64 : MsiCap.Data32)):x4}\n");
        if (maskable)
        {
            var m = o + (is64 ? MsiCap.Mask64 : MsiCap.Mask32);
            sb.Append(inv, $"\t\tMasking: {f.Long(m):x8}  Pending: {f.Long(m + PendingAfterMask):x8}\n");
        }
    }

    /// <summary>show_vendor_caps, plus the QEMU resource-reservation layout (docs/pcie_pci_bridge.txt).</summary>
    private static void Vendor(StringBuilder sb, FunctionSnapshot f, int o)
    {
        var inv = CultureInfo.InvariantCulture;
        var len = f.Config[o + 2];
        if (f.VendorId == RedHatVendor && f.Config[o + ResourceReserveCap.Type] == ResourceReserveCap.TypeResourceReserve && len >= ResourceReserveCap.Size)
        {
            sb.Append(inv, $"Vendor Specific Information: QEMU resource reservation, Len={len:x2}\n");
            var bus = f.Long(o + ResourceReserveCap.BusRes);
            var io = f.Long(o + ResourceReserveCap.Io) | ((ulong)f.Long(o + ResourceReserveCap.Io + 4) << 32);
            var mem = f.Long(o + ResourceReserveCap.Mem);
            var pref32 = f.Long(o + ResourceReserveCap.Pref32);
            var pref64 = f.Long(o + ResourceReserveCap.Pref64) | ((ulong)f.Long(o + ResourceReserveCap.Pref64 + 4) << 32);
            sb.Append("\t\tBus: ").Append(bus == uint.MaxValue ? "<no hint>" : bus.ToString(inv));
            sb.Append(", I/O:").Append(Hint(io, ulong.MaxValue));
            sb.Append(", Mem:").Append(Hint(mem, uint.MaxValue));
            sb.Append(", Pref32:").Append(Hint(pref32, uint.MaxValue));
            sb.Append(", Pref64:").Append(Hint(pref64, ulong.MaxValue)).Append('\n');
            return;
        }
        if (f.VendorId == VirtioVendor && f.DeviceId is >= VirtioFirst and <= VirtioLast)
        {
            // cap_virtio
            var cfgType = f.Config[o + 3];
            var name = cfgType switch { 1 => "CommonCfg", 2 => "Notify", 3 => "ISR", 4 => "DeviceCfg", _ => "<unknown>" };
            sb.Append(inv, $"Vendor Specific Information: VirtIO: {name}\n");
            sb.Append(inv, $"\t\tBAR={f.Config[o + 4]} offset={f.Long(o + 8):x8} size={f.Long(o + 12):x8}");
            if (cfgType == 2 && len >= 20) sb.Append(inv, $" multiplier={f.Long(o + 16):x8}");
            sb.Append('\n');
            return;
        }
        sb.Append(inv, $"Vendor Specific Information: Len={len:x2} <?>\n");
    }

    private static string Hint(ulong v, ulong none) => v == none ? " <no hint>" : v == 0 ? " 0" : LspciVerboseReport.Size(v).Replace(" [size=", " ", StringComparison.Ordinal).TrimEnd(']');

    /// <summary>cap_express: header, link status, slot and root registers.</summary>
    private static void Express(StringBuilder sb, FunctionSnapshot f, int o, int flags)
    {
        var inv = CultureInfo.InvariantCulture;
        var type = (flags & PcieCap.FlagsTypeMask) >> PcieCap.FlagsTypeShift;
        var slot = (flags & PcieCap.FlagsSlot) != 0;
        var name = type switch
        {
            0x0 => "Endpoint",
            0x1 => "Legacy Endpoint",
            ExpTypeRootPort => $"Root Port (Slot{F(flags, PcieCap.FlagsSlot)})",
            0x5 => "Upstream Port",
            ExpTypeDownstream => $"Downstream Port (Slot{F(flags, PcieCap.FlagsSlot)})",
            0x7 => "PCI-Express to PCI/PCI-X Bridge",
            ExpTypePciToPcie => $"PCI/PCI-X to PCI-Express Bridge (Slot{F(flags, PcieCap.FlagsSlot)})",
            0x9 => "Root Complex Integrated Endpoint",
            0xa => "Root Complex Event Collector",
            _ => $"Unknown type {type}",
        };
        sb.Append(inv, $"Express (v{flags & PcieCap.FlagsVersionMask}) {name}, MSI {(flags >> ExpFlagsIrqShift) & ExpFlagsIrqMask:x2}\n");
        if (o + PcieCap.RtSta + sizeof(uint) > f.Config.Length) return;
        ExpressCapRenderer.Device(sb, f, o, type);
        if (ExpressCapRenderer.HasLink(type))
        {
            ExpressCapRenderer.Link(sb, f, o, type);
            var lnkCap = f.Long(o + PcieCap.LnkCap);
            var lnk = f.Word(o + PcieCap.LnkSta);
            var width = (uint)(lnk & PcieCap.LnkStaWidthMask) >> PcieCap.LnkCapWidthShift;
            sb.Append(inv, $"\t\tLnkSta:\tSpeed {LinkSpeed(lnk & PcieCap.LnkStaSpeedMask)}{ExpressCapRenderer.Compare(type, (uint)(lnk & PcieCap.LnkStaSpeedMask), lnkCap & PcieCap.LnkCapSpeedMask)}, Width x{width}{ExpressCapRenderer.Compare(type, width, (lnkCap & PcieCap.LnkCapWidthMask) >> PcieCap.LnkCapWidthShift)}\n");
            sb.Append(inv, $"\t\t\tTrErr{F(lnk, LnkStaTrErr)} Train{F(lnk, LnkStaTrain)} SlotClk{F(lnk, LnkStaSlotClk)} DLActive{F(lnk, PcieCap.LnkStaDllla)} BWMgmt{F(lnk, LnkStaBwMgmt)} ABWMgmt{F(lnk, LnkStaAbwMgmt)}\n");
        }
        if (slot && type is ExpTypeRootPort or ExpTypeDownstream or ExpTypePciToPcie) Slot(sb, f, o);
        if (type == ExpTypeRootPort)
        {
            var rc = f.Word(o + PcieCap.RtCtl);
            sb.Append(inv, $"\t\tRootCap: CRSVisible{F(f.Word(o + PcieCap.RtCap), RtCapCrsVisible)}\n");
            sb.Append(inv, $"\t\tRootCtl: ErrCorrectable{F(rc, RtCtlCorr)} ErrNon-Fatal{F(rc, RtCtlNonFatal)} ErrFatal{F(rc, RtCtlFatal)} PMEIntEna{F(rc, RtCtlPmeIe)} CRSVisible{F(rc, RtCtlCrsVisible)}\n");
            var rs = f.Long(o + PcieCap.RtSta);
            sb.Append(inv, $"\t\tRootSta: PME ReqID {rs & RtStaReqIdMask:x4}, PMEStatus{F(rs, RtStaPmeStatus)} PMEPending{F(rs, RtStaPmePending)}\n");
        }
        if ((flags & PcieCap.FlagsVersionMask) < ExpVersion2 || o + PcieCap.LnkSta2 + sizeof(ushort) > f.Config.Length) return;
        Express2CapRenderer.Device2(sb, f, o, type);
        if (ExpressCapRenderer.HasLink(type)) Express2CapRenderer.Link2(sb, f, o, type);
    }

    /// <summary>cap_express_slot: the lines hot-plug work is read by (PresDet, HotPlug, Power, indicators).</summary>
    private static void Slot(StringBuilder sb, FunctionSnapshot f, int o)
    {
        var inv = CultureInfo.InvariantCulture;
        var t = f.Long(o + PcieCap.SltCap);
        sb.Append(inv, $"\t\tSltCap:\tAttnBtn{F(t, PcieCap.SltCapAbp)} PwrCtrl{F(t, PcieCap.SltCapPcp)} MRL{F(t, PcieCap.SltCapMrlsp)} AttnInd{F(t, PcieCap.SltCapAip)} PwrInd{F(t, PcieCap.SltCapPip)} HotPlug{F(t, PcieCap.SltCapHpc)} Surprise{F(t, PcieCap.SltCapHps)}\n");
        var power = ExpressCapRenderer.PowerLimit((t >> SltCapPowerValueShift) & SltCapPowerValueMask, (t >> SltCapPowerScaleShift) & SltCapPowerScaleMask);
        sb.Append(inv, $"\t\t\tSlot #{t >> PcieCap.SltCapPsnShift}, PowerLimit {power}; Interlock{F(t, PcieCap.SltCapEip)} NoCompl{F(t, PcieCap.SltCapNccs)}\n");
        var w = f.Word(o + PcieCap.SltCtl);
        sb.Append(inv, $"\t\tSltCtl:\tEnable: AttnBtn{F(w, PcieCap.SltCtlAbpe)} PwrFlt{F(w, SltCtlPwrFlt)} MRL{F(w, SltCtlMrl)} PresDet{F(w, PcieCap.SltCtlPdce)} CmdCplt{F(w, PcieCap.SltCtlCcie)} HPIrq{F(w, PcieCap.SltCtlHpie)} LinkChg{F(w, SltCtlLinkChg)}\n");
        sb.Append(inv, $"\t\t\tControl: AttnInd {Indicator((w & PcieCap.SltCtlAic) >> SltCtlAttnIndShift)}, PwrInd {Indicator((w & PcieCap.SltCtlPic) >> SltCtlPwrIndShift)}, Power{F(w, PcieCap.SltCtlPcc)} Interlock{F(w, PcieCap.SltCtlEic)}\n");
        var st = f.Word(o + PcieCap.SltSta);
        sb.Append(inv, $"\t\tSltSta:\tStatus: AttnBtn{F(st, PcieCap.SltStaAbp)} PowerFlt{F(st, PcieCap.SltStaPfd)} MRL{F(st, SltStaMrlState)} CmdCplt{F(st, PcieCap.SltStaCc)} PresDet{F(st, PcieCap.SltStaPds)} Interlock{F(st, PcieCap.SltStaEis)}\n");
        sb.Append(inv, $"\t\t\tChanged: MRL{F(st, PcieCap.SltStaMrlsc)} PresDet{F(st, PcieCap.SltStaPdc)} LinkState{F(st, SltStaLinkChg)}\n");
    }

    private static string Indicator(int v) => v switch { 1 => "On", 2 => "Blink", 3 => "Off", _ => "Unknown" };

    internal static string LinkSpeed(int v) => v switch
    {
        1 => "2.5GT/s",
        2 => "5GT/s",
        3 => "8GT/s",
        4 => "16GT/s",
        5 => "32GT/s",
        6 => "64GT/s",
        _ => "unknown",
    };

    private static string ExtendedName(ushort id) => id switch
    {
        ExtCapabilityId.Aer => "Advanced Error Reporting",
        ExtCapabilityId.Acs => "Access Control Services",
        ExtCapabilityId.Ari => "Alternative Routing-ID Interpretation (ARI)",
        ExtCapabilityId.Dsn => "Device Serial Number",
        ExtCapabilityId.PowerBudget => "Power Budgeting <?>",
        ExtCapabilityId.Sriov => "Single Root I/O Virtualization (SR-IOV)",
        ExtCapabilityId.SecondaryPcie => "Secondary PCI Express",
        _ => string.Create(CultureInfo.InvariantCulture, $"Extended Capability ID 0x{id:x}"),
    };
}
