using System.Globalization;
using System.Text;
using PciEmu.Core;
using PciEmu.Devices.Capabilities;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Reports;

/// <summary>cap_express_dev and cap_express_link (ls-caps.c, pciutils 3.9): the DevCap..LnkCtl lines.</summary>
internal static class ExpressCapRenderer
{
    private const int TypeEndpoint = (int)PcieType.Endpoint, TypeLegacyEndpoint = (int)PcieType.LegacyEndpoint, TypeRootPort = (int)PcieType.RootPort;
    private const int TypeUpstream = (int)PcieType.UpstreamPort, TypeDownstream = (int)PcieType.DownstreamPort;
    private const int TypePcieToPciBridge = (int)PcieType.PcieToPciBridge, TypePciToPcieBridge = (int)PcieType.PciToPcieBridge;
    private const int TypeRcEndpoint = (int)PcieType.RcIntegratedEndpoint;
    private const uint DevCapPayloadMask = 0x7, DevCapPhantomMask = 0x18, DevCapL0sMask = 0x1c0, DevCapL1Mask = 0xe00;
    private const int DevCapPhantomShift = 3, DevCapL0sShift = 6, DevCapL1Shift = 9, DevCapPowerValueShift = 18, DevCapPowerScaleShift = 26;
    private const uint DevCapExtTag = 0x20, DevCapAttnBtn = 0x1000, DevCapAttnInd = 0x2000, DevCapPwrInd = 0x4000;
    private const uint DevCapPowerValueMask = 0xff, DevCapPowerScaleMask = 0x3;
    private const int DevCtlCorr = 0x1, DevCtlNonFatal = 0x2, DevCtlFatal = 0x4, DevCtlUnsup = 0x8, DevCtlRelaxed = 0x10;
    private const int DevCtlExtTag = 0x100, DevCtlPhantom = 0x200, DevCtlAuxPwr = 0x400, DevCtlNoSnoop = 0x800;
    private const int DevCtlPayloadMask = 0xe0, DevCtlPayloadShift = 5, DevCtlReadRqMask = 0x7000, DevCtlReadRqShift = 12;
    private const int DevStaAuxPwr = 0x10, DevStaTransPend = 0x20;
    private const int BasePayload = 128;
    private const uint LnkCapAspmMask = 0xc00, LnkCapL0sMask = 0x7000, LnkCapL1Mask = 0x38000;
    private const int LnkCapAspmShift = 10, LnkCapL0sShift = 12, LnkCapL1Shift = 15;
    private const uint LnkCapClockPm = 0x40000, LnkCapSurprise = 0x80000, LnkCapAspmOptComp = 0x400000;
    private const int LnkCtlAspmMask = 0x3, LnkCtlRcb = 0x8, LnkCtlDisable = 0x10, LnkCtlXsynch = 0x80;
    private const int LnkCtlClockPm = 0x100, LnkCtlHwAutWd = 0x200, LnkCtlBwmie = 0x400, LnkCtlAutBwie = 0x800;
    private const int RcbSmall = 64, RcbLarge = 128;
    private const int AspmL0s = 1, AspmL1 = 2;

    private static readonly string[] L0sLatency = ["<64ns", "<128ns", "<256ns", "<512ns", "<1us", "<2us", "<4us", "unlimited"];
    private static readonly string[] L1Latency = ["<1us", "<2us", "<4us", "<8us", "<16us", "<32us", "<64us", "unlimited"];
    private static readonly string[] AspmSupport = ["not supported", "L0s", "L1", "L0s L1"];
    private static readonly string[] AspmEnabled = ["Disabled", "L0s Enabled", "L1 Enabled", "L0s L1 Enabled"];

    private static string F(uint v, uint bit) => (v & bit) != 0 ? "+" : "-";
    private static string F(int v, int bit) => (v & bit) != 0 ? "+" : "-";

    private const uint PowerAbove600W = 0xff, PowerExtendedFirst = 0xf0, PowerExtendedLast = 0xfe, PowerExtendedBase = 250, PowerExtendedStep = 25;

    /// <summary>show_power_limit: value × 10^-scale watts with %g; scale 0 codes F0h-FEh are 250-550 W, FFh "&gt;600W".</summary>
    public static string PowerLimit(uint value, uint scale)
    {
        if (scale == 0 && value == PowerAbove600W) return ">600W";
        if (scale == 0 && value is >= PowerExtendedFirst and <= PowerExtendedLast) value = PowerExtendedBase + PowerExtendedStep * (value - PowerExtendedFirst);
        return (value * (scale switch { 0 => 1.0f, 1 => 0.1f, 2 => 0.01f, _ => 0.001f })).ToString("G6", CultureInfo.InvariantCulture) + "W";
    }

    /// <summary>cap_express_dev.</summary>
    public static void Device(StringBuilder sb, FunctionSnapshot f, int o, int type)
    {
        var inv = CultureInfo.InvariantCulture;
        var t = f.Long(o + PcieCap.DevCap);
        var endpoint = type is TypeEndpoint or TypeLegacyEndpoint;
        sb.Append(inv, $"\t\tDevCap:\tMaxPayload {BasePayload << (int)(t & DevCapPayloadMask)} bytes, PhantFunc {(1 << (int)((t & DevCapPhantomMask) >> DevCapPhantomShift)) - 1}");
        if (endpoint) sb.Append(inv, $", Latency L0s {L0sLatency[(t & DevCapL0sMask) >> DevCapL0sShift]}, L1 {L1Latency[(t & DevCapL1Mask) >> DevCapL1Shift]}");
        sb.Append('\n').Append(inv, $"\t\t\tExtTag{F(t, DevCapExtTag)}");
        if (endpoint || type is TypeUpstream or TypePcieToPciBridge)
            sb.Append(inv, $" AttnBtn{F(t, DevCapAttnBtn)} AttnInd{F(t, DevCapAttnInd)} PwrInd{F(t, DevCapPwrInd)}");
        sb.Append(inv, $" RBE{F(t, PcieCap.DevCapRber)}");
        if (endpoint || type == TypeRcEndpoint) sb.Append(inv, $" FLReset{F(t, PcieCap.DevCapFlr)}");
        if (type is TypeEndpoint or TypeUpstream or TypePcieToPciBridge)
            sb.Append(" SlotPowerLimit ").Append(PowerLimit((t >> DevCapPowerValueShift) & DevCapPowerValueMask, (t >> DevCapPowerScaleShift) & DevCapPowerScaleMask));
        sb.Append('\n');
        var w = f.Word(o + PcieCap.DevCtl);
        sb.Append(inv, $"\t\tDevCtl:\tCorrErr{F(w, DevCtlCorr)} NonFatalErr{F(w, DevCtlNonFatal)} FatalErr{F(w, DevCtlFatal)} UnsupReq{F(w, DevCtlUnsup)}\n");
        sb.Append(inv, $"\t\t\tRlxdOrd{F(w, DevCtlRelaxed)} ExtTag{F(w, DevCtlExtTag)} PhantFunc{F(w, DevCtlPhantom)} AuxPwr{F(w, DevCtlAuxPwr)} NoSnoop{F(w, DevCtlNoSnoop)}");
        if (type == TypePcieToPciBridge) sb.Append(inv, $" BrConfRtry{F(w, PcieCap.DevCtlBcrFlr)}");
        if ((endpoint || type == TypeRcEndpoint) && (t & PcieCap.DevCapFlr) != 0) sb.Append(inv, $" FLReset{F(w, PcieCap.DevCtlBcrFlr)}");
        sb.Append(inv, $"\n\t\t\tMaxPayload {BasePayload << ((w & DevCtlPayloadMask) >> DevCtlPayloadShift)} bytes, MaxReadReq {BasePayload << ((w & DevCtlReadRqMask) >> DevCtlReadRqShift)} bytes\n");
        var s = f.Word(o + PcieCap.DevSta);
        sb.Append(inv, $"\t\tDevSta:\tCorrErr{F(s, DevCtlCorr)} NonFatalErr{F(s, DevCtlNonFatal)} FatalErr{F(s, DevCtlFatal)} UnsupReq{F(s, DevCtlUnsup)} AuxPwr{F(s, DevStaAuxPwr)} TransPend{F(s, DevStaTransPend)}\n");
    }

    /// <summary>cap_express_link up to LnkCtl (LnkSta is written by the caller).</summary>
    public static void Link(StringBuilder sb, FunctionSnapshot f, int o, int type)
    {
        var inv = CultureInfo.InvariantCulture;
        var t = f.Long(o + PcieCap.LnkCap);
        var aspm = (int)((t & LnkCapAspmMask) >> LnkCapAspmShift);
        sb.Append(inv, $"\t\tLnkCap:\tPort #{t >> PcieCap.LnkCapPortShift}, Speed {CapabilityRenderer.LinkSpeed((int)(t & PcieCap.LnkCapSpeedMask))}, Width x{(t & PcieCap.LnkCapWidthMask) >> PcieCap.LnkCapWidthShift}, ASPM {AspmSupport[aspm]}");
        if (aspm != 0)
        {
            sb.Append(", Exit Latency ");
            if ((aspm & AspmL0s) != 0) sb.Append("L0s ").Append(L0sLatency[(t & LnkCapL0sMask) >> LnkCapL0sShift]);
            if ((aspm & AspmL1) != 0) sb.Append((aspm & AspmL0s) != 0 ? ", " : string.Empty).Append("L1 ").Append(L1Latency[(t & LnkCapL1Mask) >> LnkCapL1Shift]);
        }
        sb.Append('\n');
        sb.Append(inv, $"\t\t\tClockPM{F(t, LnkCapClockPm)} Surprise{F(t, LnkCapSurprise)} LLActRep{F(t, PcieCap.LnkCapDllLarc)} BwNot{F(t, PcieCap.LnkCapLbnc)} ASPMOptComp{F(t, LnkCapAspmOptComp)}\n");
        var w = f.Word(o + PcieCap.LnkCtl);
        sb.Append(inv, $"\t\tLnkCtl:\tASPM {AspmEnabled[w & LnkCtlAspmMask]};");
        if (type is TypeRootPort or TypeEndpoint or TypeLegacyEndpoint or TypePcieToPciBridge)
            sb.Append(inv, $" RCB {((w & LnkCtlRcb) != 0 ? RcbLarge : RcbSmall)} bytes,");
        sb.Append(inv, $" Disabled{F(w, LnkCtlDisable)} CommClk{F(w, PcieCap.LnkCtlCcc)}\n");
        sb.Append(inv, $"\t\t\tExtSynch{F(w, LnkCtlXsynch)} ClockPM{F(w, LnkCtlClockPm)} AutWidDis{F(w, LnkCtlHwAutWd)} BWInt{F(w, LnkCtlBwmie)} AutBWInt{F(w, LnkCtlAutBwie)}\n");
    }

    /// <summary>link_compare (3.9): above the capability is "overdriven"; below it is "downgraded" except on downstream ports.</summary>
    public static string Compare(int type, uint sta, uint cap)
    {
        if (sta > cap) return " (overdriven)";
        if (sta == cap || type is TypeRootPort or TypeDownstream or TypePciToPcieBridge) return string.Empty;
        return " (downgraded)";
    }

    /// <summary>Whether the function type has a link (not RC-integrated endpoints / event collectors).</summary>
    public static bool HasLink(int type) => type is not (TypeRcEndpoint or (int)PcieType.RcEventCollector);
}
