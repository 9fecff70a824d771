using System.Globalization;
using System.Text;
using PciEmu.Core;
using PciEmu.Devices.Capabilities;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Reports;

/// <summary>cap_express_dev2 and cap_express_link2 (ls-caps.c, pciutils 3.9): the DevCap2..LnkSta2 lines of a v2 capability.</summary>
internal static class Express2CapRenderer
{
    private const int TypeEndpoint = (int)PcieType.Endpoint, TypeLegacyEndpoint = (int)PcieType.LegacyEndpoint, TypeRootPort = (int)PcieType.RootPort;
    private const int TypeUpstream = (int)PcieType.UpstreamPort, TypeDownstream = (int)PcieType.DownstreamPort;
    private const int TypePciToPcieBridge = (int)PcieType.PciToPcieBridge, TypeRcEndpoint = (int)PcieType.RcIntegratedEndpoint;

    // PCI_EXP_DEVCAP2_* (lib/header.h).
    private const uint DevCap2TimeoutRangeMask = 0xf, DevCap2TimeoutDis = 0x10, DevCap2Ari = 0x20, DevCap2AtomicRouting = 0x40;
    private const uint DevCap2Atomic32 = 0x80, DevCap2Atomic64 = 0x100, DevCap2Cas128 = 0x200, DevCap2NroPrPrP = 0x400, DevCap2Ltr = 0x800;
    private const int DevCap2TphShift = 12, DevCap2LnClsShift = 14, DevCap2ObffShift = 18, DevCap2MeeTlpShift = 22, DevCap2EprShift = 24;
    private const uint DevCap2TwoBitMask = 0x3;
    private const uint DevCap2TenBitTagComp = 0x10000, DevCap2TenBitTagReq = 0x20000, DevCap2ExtFmt = 0x100000, DevCap2EeTlp = 0x200000;
    private const uint DevCap2EprInit = 0x04000000, DevCap2Frs = 0x80000000;
    private const int DefaultMaxEeTlpPrefixes = 4;

    // PCI_EXP_DEVCTL2_*.
    private const int DevCtl2TimeoutMask = 0xf, DevCtl2TimeoutDis = 0x10, DevCtl2Ari = 0x20, DevCtl2AtomicReqEn = 0x40, DevCtl2AtomicEgressBlock = 0x80;
    private const int DevCtl2Ltr = 0x400, DevCtl2TenBitTagReq = 0x1000, DevCtl2ObffShift = 13, DevCtl2ObffMask = 0x3;

    // PCI_EXP_LNKCAP2_*, PCI_EXP_LNKCTL2_*, PCI_EXP_LINKSTA2_*.
    private const int LnkCap2SpeedShift = 1;
    private const uint LnkCap2SpeedMask = 0x7f, LnkCap2Crosslink = 0x100, LnkCap2Retimer = 0x00800000, LnkCap2TwoRetimers = 0x01000000, LnkCap2Drs = 0x80000000;
    private const int LnkCtl2SpeedMask = 0xf, LnkCtl2Compliance = 0x10, LnkCtl2SpeedDis = 0x20, LnkCtl2DeemphasisShift = 6, LnkCtl2MarginShift = 7;
    private const int LnkCtl2MarginMask = 0x7, LnkCtl2ModCompliance = 0x400, LnkCtl2ComplianceSos = 0x800, LnkCtl2ComDeemphasisShift = 12, LnkCtl2ComDeemphasisMask = 0xf;
    private const int LnkSta2Deemphasis = 0x1, LnkSta2EquComplete = 0x2, LnkSta2EquPhase1 = 0x4, LnkSta2EquPhase2 = 0x8, LnkSta2EquPhase3 = 0x10;
    private const int LnkSta2EquRequest = 0x20, LnkSta2Retimer = 0x40, LnkSta2TwoRetimers = 0x80, LnkSta2CrosslinkShift = 8, LnkSta2CrosslinkMask = 0x3;
    private const int LnkSta2ComponentShift = 12, LnkSta2ComponentMask = 0x7, LnkSta2DrsReceived = 0x8000;

    private static string F(uint v, uint bit) => (v & bit) != 0 ? "+" : "-";
    private static string F(int v, int bit) => (v & bit) != 0 ? "+" : "-";

    /// <summary>cap_express_dev2_timeout_range.</summary>
    private static string TimeoutRange(uint v) => v switch
    {
        0 => "Not Supported",
        1 => "Range A",
        2 => "Range B",
        3 => "Range AB",
        6 => "Range BC",
        7 => "Range ABC",
        14 => "Range BCD",
        15 => "Range ABCD",
        _ => "Unknown",
    };

    /// <summary>cap_express_dev2_timeout_value.</summary>
    private static string TimeoutValue(int v) => v switch
    {
        0 => "50us to 50ms",
        1 => "50us to 100us",
        2 => "1ms to 10ms",
        5 => "16ms to 55ms",
        6 => "65ms to 210ms",
        9 => "260ms to 900ms",
        10 => "1s to 3.5s",
        13 => "4s to 13s",
        14 => "17s to 64s",
        _ => "Unknown",
    };

    private static string DevCapObff(uint v) => v switch { 1 => "Via message", 2 => "Via WAKE#", 3 => "Via message/WAKE#", _ => "Not Supported" };
    private static string Epr(uint v) => v switch { 1 => "Dev Specific", 2 => "Form Factor Dev Specific", 3 => "Reserved", _ => "Not Supported" };
    private static string LnCls(uint v) => v switch { 1 => "64byte cachelines", 2 => "128byte cachelines", 3 => "Reserved", _ => "Not Supported" };
    private static string TphComp(uint v) => v switch { 1 => "TPHComp+ ExtTPHComp-", 2 => string.Empty, 3 => "TPHComp+ ExtTPHComp+", _ => "TPHComp- ExtTPHComp-" };
    private static string DevCtlObff(int v) => v switch { 0 => "Disabled", 1 => "Via message A", 2 => "Via message B", 3 => "Via WAKE#", _ => "Unknown" };

    /// <summary>device_has_memory_space_bar: a memory BAR the device has (lspci sees sizes through sysfs).</summary>
    private static bool HasMemoryBar(FunctionSnapshot f) => f.Regions().Any(r => !r.IsRom && !r.IsIo);

    /// <summary>cap_express_dev2.</summary>
    public static void Device2(StringBuilder sb, FunctionSnapshot f, int o, int type)
    {
        var inv = CultureInfo.InvariantCulture;
        var memBar = HasMemoryBar(f);
        var l = f.Long(o + PcieCap.DevCap2);
        sb.Append(inv, $"\t\tDevCap2: Completion Timeout: {TimeoutRange(l & DevCap2TimeoutRangeMask)}, TimeoutDis{F(l, DevCap2TimeoutDis)} NROPrPrP{F(l, DevCap2NroPrPrP)} LTR{F(l, DevCap2Ltr)}");
        sb.Append(inv, $"\n\t\t\t 10BitTagComp{F(l, DevCap2TenBitTagComp)} 10BitTagReq{F(l, DevCap2TenBitTagReq)} OBFF {DevCapObff((l >> DevCap2ObffShift) & DevCap2TwoBitMask)}, ExtFmt{F(l, DevCap2ExtFmt)} EETLPPrefix{F(l, DevCap2EeTlp)}");
        if ((l & DevCap2EeTlp) != 0)
        {
            var mee = (l >> DevCap2MeeTlpShift) & DevCap2TwoBitMask;
            sb.Append(inv, $", MaxEETLPPrefixes {(mee != 0 ? mee : DefaultMaxEeTlpPrefixes)}");
        }
        sb.Append(inv, $"\n\t\t\t EmergencyPowerReduction {Epr((l >> DevCap2EprShift) & DevCap2TwoBitMask)}, EmergencyPowerReductionInit{F(l, DevCap2EprInit)}");
        sb.Append(inv, $"\n\t\t\t FRS{F(l, DevCap2Frs)}");
        if (type == TypeRootPort) sb.Append(inv, $" LN System CLS {LnCls((l >> DevCap2LnClsShift) & DevCap2TwoBitMask)},");
        if (type is TypeRootPort or TypeEndpoint) sb.Append(' ').Append(TphComp((l >> DevCap2TphShift) & DevCap2TwoBitMask));
        sb.Append(type is TypeRootPort or TypeDownstream ? string.Create(inv, $" ARIFwd{F(l, DevCap2Ari)}\n") : "\n");
        var port = type is TypeRootPort or TypeUpstream or TypeDownstream;
        if (port || memBar)
        {
            sb.Append("\t\t\t AtomicOpsCap:");
            if (port) sb.Append(inv, $" Routing{F(l, DevCap2AtomicRouting)}");
            if (type == TypeRootPort || memBar) sb.Append(inv, $" 32bit{F(l, DevCap2Atomic32)} 64bit{F(l, DevCap2Atomic64)} 128bitCAS{F(l, DevCap2Cas128)}");
            sb.Append('\n');
        }

        var w = f.Word(o + PcieCap.DevCtl2);
        sb.Append(inv, $"\t\tDevCtl2: Completion Timeout: {TimeoutValue(w & DevCtl2TimeoutMask)}, TimeoutDis{F(w, DevCtl2TimeoutDis)} LTR{F(w, DevCtl2Ltr)} 10BitTagReq{F(w, DevCtl2TenBitTagReq)} OBFF {DevCtlObff((w >> DevCtl2ObffShift) & DevCtl2ObffMask)},");
        sb.Append(type is TypeRootPort or TypeDownstream ? string.Create(inv, $" ARIFwd{F(w, DevCtl2Ari)}\n") : "\n");
        var requester = type is TypeRootPort or TypeEndpoint or TypeRcEndpoint or TypeLegacyEndpoint;
        if (port || requester)
        {
            sb.Append("\t\t\t AtomicOpsCtl:");
            if (requester) sb.Append(inv, $" ReqEn{F(w, DevCtl2AtomicReqEn)}");
            if (port) sb.Append(inv, $" EgressBlck{F(w, DevCtl2AtomicEgressBlock)}");
            sb.Append('\n');
        }
    }

    /// <summary>cap_express_link2_speed_cap: the highest rate of the supported-speeds vector.</summary>
    private static string SpeedCap(uint vector) =>
        (vector & 0x60) != 0 ? "RsvdP"
        : (vector & 0x10) != 0 ? "2.5-32GT/s"
        : (vector & 0x08) != 0 ? "2.5-16GT/s"
        : (vector & 0x04) != 0 ? "2.5-8GT/s"
        : (vector & 0x02) != 0 ? "2.5-5GT/s"
        : (vector & 0x01) != 0 ? "2.5GT/s"
        : "Unknown";

    /// <summary>cap_express_link2_speed.</summary>
    private static string TargetSpeed(int v) => v switch
    {
        0 or 1 => "2.5GT/s",
        2 => "5GT/s",
        3 => "8GT/s",
        4 => "16GT/s",
        5 => "32GT/s",
        6 => "64GT/s",
        _ => "Unknown",
    };

    private static string Deemphasis(int v) => v switch { 0 => "-6dB", 1 => "-3.5dB", _ => "Unknown" };

    /// <summary>cap_express_link2_compliance_preset.</summary>
    private static string CompliancePreset(int v) => v switch
    {
        0 => "-6dB de-emphasis, 0dB preshoot",
        1 => "-3.5dB de-emphasis, 0dB preshoot",
        2 => "-4.4dB de-emphasis, 0dB preshoot",
        3 => "-2.5dB de-emphasis, 0dB preshoot",
        4 => "0dB de-emphasis, 0dB preshoot",
        5 => "0dB de-emphasis, 1.9dB preshoot",
        6 => "0dB de-emphasis, 2.5dB preshoot",
        7 => "-6.0dB de-emphasis, 3.5dB preshoot",
        8 => "-3.5dB de-emphasis, 3.5dB preshoot",
        9 => "0dB de-emphasis, 3.5dB preshoot",
        _ => "Unknown",
    };

    private static string TransmitMargin(int v) => v switch
    {
        0 => "Normal Operating Range",
        1 => "800-1200mV(full-swing)/400-700mV(half-swing)",
        2 or 3 or 4 or 5 => "200-400mV(full-swing)/100-200mV(half-swing)",
        _ => "Unknown",
    };

    private static string CrosslinkRes(int v) => v switch { 0 => "unsupported", 1 => "Upstream Port", 2 => "Downstream Port", _ => "incomplete" };

    private static string Component(int v) => v switch
    {
        0 => "Link Down - Not Determined",
        1 => "Link Down - Not Present",
        2 => "Link Down - Present",
        4 => "Link Up - Present",
        5 => "Link Up - Present and DRS Received",
        _ => "Reserved",
    };

    /// <summary>cap_express_link2: LnkCap2/LnkCtl2 (not for endpoints other than device 0 function 0), then LnkSta2.</summary>
    public static void Link2(StringBuilder sb, FunctionSnapshot f, int o, int type)
    {
        var inv = CultureInfo.InvariantCulture;
        uint l = 0;
        int w;
        if (!(type is TypeEndpoint or TypeLegacyEndpoint && (f.Slot != 0 || f.Function != 0)))
        {
            // Link Capabilities 2 was reserved before PCIe r3.0: printed only when non-zero.
            l = f.Long(o + PcieCap.LnkCap2);
            if (l != 0)
            {
                sb.Append(inv, $"\t\tLnkCap2: Supported Link Speeds: {SpeedCap((l >> LnkCap2SpeedShift) & LnkCap2SpeedMask)}, Crosslink{F(l, LnkCap2Crosslink)} ");
                sb.Append(inv, $"Retimer{F(l, LnkCap2Retimer)} 2Retimers{F(l, LnkCap2TwoRetimers)} DRS{F(l, LnkCap2Drs)}\n");
            }
            w = f.Word(o + PcieCap.LnkCtl2);
            sb.Append(inv, $"\t\tLnkCtl2: Target Link Speed: {TargetSpeed(w & LnkCtl2SpeedMask)}, EnterCompliance{F(w, LnkCtl2Compliance)} SpeedDis{F(w, LnkCtl2SpeedDis)}");
            if (type == TypeDownstream) sb.Append(inv, $", Selectable De-emphasis: {Deemphasis((w >> LnkCtl2DeemphasisShift) & 1)}");
            sb.Append(inv, $"\n\t\t\t Transmit Margin: {TransmitMargin((w >> LnkCtl2MarginShift) & LnkCtl2MarginMask)}, EnterModifiedCompliance{F(w, LnkCtl2ModCompliance)} ComplianceSOS{F(w, LnkCtl2ComplianceSos)}\n");
            sb.Append(inv, $"\t\t\t Compliance Preset/De-emphasis: {CompliancePreset((w >> LnkCtl2ComDeemphasisShift) & LnkCtl2ComDeemphasisMask)}\n");
        }

        w = f.Word(o + PcieCap.LnkSta2);
        sb.Append(inv, $"\t\tLnkSta2: Current De-emphasis Level: {Deemphasis(w & LnkSta2Deemphasis)}, EqualizationComplete{F(w, LnkSta2EquComplete)} EqualizationPhase1{F(w, LnkSta2EquPhase1)}\n");
        sb.Append(inv, $"\t\t\t EqualizationPhase2{F(w, LnkSta2EquPhase2)} EqualizationPhase3{F(w, LnkSta2EquPhase3)} LinkEqualizationRequest{F(w, LnkSta2EquRequest)}\n");
        sb.Append(inv, $"\t\t\t Retimer{F(w, LnkSta2Retimer)} 2Retimers{F(w, LnkSta2TwoRetimers)} CrosslinkRes: {CrosslinkRes((w >> LnkSta2CrosslinkShift) & LnkSta2CrosslinkMask)}");
        if (type is TypeRootPort or TypeDownstream or TypePciToPcieBridge && (l & LnkCap2Drs) != 0)
            sb.Append(inv, $", DRS{F(w, LnkSta2DrsReceived)}\n\t\t\t DownstreamComp: {Component((w >> LnkSta2ComponentShift) & LnkSta2ComponentMask)}\n");
        else
            sb.Append('\n');
    }
}
