using System.Globalization;
using System.Text;
using PciEmu.Core;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Reports;

/// <summary>
/// show_caps / show_ext_caps (ls-caps.c, ls-ecaps.c) for the capabilities QEMU's modelled devices carry. The PCIe
/// capability shows its header, LnkSta and the slot and root registers (the lines hot-plug work is read by), and
/// the Red Hat resource-reservation capability is decoded, which real lspci cannot do.
/// </summary>
internal static class CapabilityRenderer
{
    private const int CapFlags = 2;
    private const ushort RedHatVendor = 0x1b36;
    private const ushort VirtioVendor = 0x1af4;
    private const ushort VirtioFirst = 0x1000;
    private const ushort VirtioLast = 0x107f;
    private const byte ReserveCapType = 1;
    private const int ExpLnkSta = 0x12, ExpSltCap = 0x14, ExpSltCtl = 0x18, ExpSltSta = 0x1a, ExpRtCtl = 0x1c, ExpRtCap = 0x1e, ExpRtSta = 0x20;
    private const int MsiAddressLo = 4, MsiAddressHi = 8, MsiData32 = 8, MsiData64 = 12, MsiMask32 = 12, MsiMask64 = 16;
    private const int MsixTable = 4, MsixPba = 8;
    private const uint MsixBirMask = 0x7;

    private static string F(int v, int bit) => (v & bit) != 0 ? "+" : "-";
    private static string F(uint v, uint bit) => (v & bit) != 0 ? "+" : "-";

    public static void Render(StringBuilder sb, FunctionSnapshot f)
    {
        var inv = CultureInfo.InvariantCulture;
        var express = false;
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
                continue;
            }
            var o = c.Offset;
            var cap = f.Word(o + CapFlags);
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
                    express = true;
                    Express(sb, f, o, cap);
                    break;
                case CapabilityId.MsiX:
                    sb.Append(inv, $"MSI-X: Enable{F(cap, 0x8000)} Count={(cap & 0x7ff) + 1} Masked{F(cap, 0x4000)}\n");
                    var t = f.Long(o + MsixTable);
                    var p = f.Long(o + MsixPba);
                    sb.Append(inv, $"\t\tVector table: BAR={t & MsixBirMask} offset={t & ~MsixBirMask:x8}\n");
                    sb.Append(inv, $"\t\tPBA: BAR={p & MsixBirMask} offset={p & ~MsixBirMask:x8}\n");
                    break;
                default:
                    sb.Append(inv, $"Capability ID 0x{c.Id:x} [{cap:x4}]\n");
                    break;
            }
        }
        _ = express;
    }

    private static int AuxCurrent(int code) => code switch { 0 => 0, 1 => 55, 2 => 100, 3 => 160, 4 => 220, 5 => 270, 6 => 320, _ => 375 };

    /// <summary>cap_msi.</summary>
    private static void Msi(StringBuilder sb, FunctionSnapshot f, int o, int cap)
    {
        var inv = CultureInfo.InvariantCulture;
        var is64 = (cap & 0x80) != 0;
        var maskable = (cap & 0x100) != 0;
        sb.Append(inv, $"MSI: Enable{F(cap, 0x1)} Count={1 << ((cap >> 4) & 0x7)}/{1 << ((cap >> 1) & 0x7)} Maskable{F(cap, 0x100)} 64bit{F(cap, 0x80)}\n");
        var lo = f.Long(o + MsiAddressLo);
        sb.Append(is64 ? string.Create(inv, $"\t\tAddress: {f.Long(o + MsiAddressHi):x8}{lo:x8}  ") : string.Create(inv, $"\t\tAddress: {lo:x8}  "));
        sb.Append(inv, $"Data: {f.Word(o + (is64 ? MsiData64 : MsiData32)):x4}\n");
        if (maskable)
        {
            var m = o + (is64 ? MsiMask64 : MsiMask32);
            sb.Append(inv, $"\t\tMasking: {f.Long(m):x8}  Pending: {f.Long(m + 4):x8}\n");
        }
    }

    /// <summary>show_vendor_caps, plus the QEMU resource-reservation layout (docs/pcie_pci_bridge.txt).</summary>
    private static void Vendor(StringBuilder sb, FunctionSnapshot f, int o)
    {
        var inv = CultureInfo.InvariantCulture;
        var len = f.Config[o + 2];
        if (f.VendorId == RedHatVendor && f.Config[o + 3] == ReserveCapType && len >= 0x20)
        {
            sb.Append(inv, $"Vendor Specific Information: QEMU resource reservation, Len={len:x2}\n");
            var bus = f.Long(o + 4);
            var io = f.Long(o + 8) | ((ulong)f.Long(o + 12) << 32);
            var mem = f.Long(o + 16);
            var pref32 = f.Long(o + 20);
            var pref64 = f.Long(o + 24) | ((ulong)f.Long(o + 28) << 32);
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
        var type = (flags >> 4) & 0xf;
        var slot = (flags & 0x100) != 0;
        var name = type switch
        {
            0x0 => "Endpoint",
            0x1 => "Legacy Endpoint",
            0x4 => $"Root Port (Slot{F(flags, 0x100)})",
            0x5 => "Upstream Port",
            0x6 => $"Downstream Port (Slot{F(flags, 0x100)})",
            0x7 => "PCI-Express to PCI/PCI-X Bridge",
            0x8 => "PCI/PCI-X to PCI-Express Bridge",
            0x9 => "Root Complex Integrated Endpoint",
            0xa => "Root Complex Event Collector",
            _ => $"Unknown type {type}",
        };
        sb.Append(inv, $"Express (v{flags & 0xf}) {name}, MSI {(flags >> 9) & 0x1f:x2}\n");
        if (o + ExpRtSta + 4 > f.Config.Length) return;
        var lnk = f.Word(o + ExpLnkSta);
        sb.Append(inv, $"\t\tLnkSta:\tSpeed {LinkSpeed(lnk & 0xf)}, Width x{(lnk >> 4) & 0x3f}\n");
        sb.Append(inv, $"\t\t\tTrErr{F(lnk, 0x400)} Train{F(lnk, 0x800)} SlotClk{F(lnk, 0x1000)} DLActive{F(lnk, 0x2000)} BWMgmt{F(lnk, 0x4000)} ABWMgmt{F(lnk, 0x8000)}\n");
        if (slot && type is 0x4 or 0x6)
        {
            var t = f.Long(o + ExpSltCap);
            sb.Append(inv, $"\t\tSltCap:\tAttnBtn{F(t, 0x1u)} PwrCtrl{F(t, 0x2u)} MRL{F(t, 0x4u)} AttnInd{F(t, 0x8u)} PwrInd{F(t, 0x10u)} HotPlug{F(t, 0x40u)} Surprise{F(t, 0x20u)}\n");
            var power = ((t >> 7) & 0xff) * (((t >> 15) & 0x3) switch { 0 => 1.0, 1 => 0.1, 2 => 0.01, _ => 0.001 });
            sb.Append(inv, $"\t\t\tSlot #{t >> 19}, PowerLimit {power.ToString("G", inv)}W; Interlock{F(t, 0x20000u)} NoCompl{F(t, 0x40000u)}\n");
            var w = f.Word(o + ExpSltCtl);
            sb.Append(inv, $"\t\tSltCtl:\tEnable: AttnBtn{F(w, 0x1)} PwrFlt{F(w, 0x2)} MRL{F(w, 0x4)} PresDet{F(w, 0x8)} CmdCplt{F(w, 0x10)} HPIrq{F(w, 0x20)} LinkChg{F(w, 0x1000)}\n");
            sb.Append(inv, $"\t\t\tControl: AttnInd {Indicator((w >> 6) & 0x3)}, PwrInd {Indicator((w >> 8) & 0x3)}, Power{F(w, 0x400)} Interlock{F(w, 0x800)}\n");
            var s = f.Word(o + ExpSltSta);
            sb.Append(inv, $"\t\tSltSta:\tStatus: AttnBtn{F(s, 0x1)} PowerFlt{F(s, 0x2)} MRL{F(s, 0x20)} CmdCplt{F(s, 0x10)} PresDet{F(s, 0x40)} Interlock{F(s, 0x80)}\n");
            sb.Append(inv, $"\t\t\tChanged: MRL{F(s, 0x4)} PresDet{F(s, 0x8)} LinkState{F(s, 0x100)}\n");
        }
        if (type == 0x4)
        {
            var rc = f.Word(o + ExpRtCtl);
            sb.Append(inv, $"\t\tRootCap: CRSVisible{F(f.Word(o + ExpRtCap), 0x1)}\n");
            sb.Append(inv, $"\t\tRootCtl: ErrCorrectable{F(rc, 0x1)} ErrNon-Fatal{F(rc, 0x2)} ErrFatal{F(rc, 0x4)} PMEIntEna{F(rc, 0x8)} CRSVisible{F(rc, 0x10)}\n");
            var rs = f.Long(o + ExpRtSta);
            sb.Append(inv, $"\t\tRootSta: PME ReqID {rs & 0xffff:x4}, PMEStatus{F(rs, 0x10000u)} PMEPending{F(rs, 0x20000u)}\n");
        }
    }

    private static string Indicator(int v) => v switch { 1 => "On", 2 => "Blink", 3 => "Off", _ => "Unknown" };

    private static string LinkSpeed(int v) => v switch
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
