using System.Globalization;
using System.Text;
using PciEmu.Core;
using PciEmu.Devices.Capabilities;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Reports;

/// <summary>cap_aer and cap_acs (ls-ecaps.c, pciutils 3.9): the -vvv lines under the AER and ACS capabilities.</summary>
internal static class ExtCapRenderer
{
    private const int TypeRootPort = (int)PcieType.RootPort, TypeRootEventCollector = (int)PcieType.RcEventCollector;

    // PCI_ERR_UNC_*, PCI_ERR_COR_*, PCI_ERR_CAP_*, PCI_ERR_ROOT_* (lib/header.h).
    private const uint UncDlp = 0x10, UncSdes = 0x20, UncPoisonTlp = 0x1000, UncFcp = 0x2000, UncCompTime = 0x4000, UncCompAbort = 0x8000;
    private const uint UncUnxComp = 0x10000, UncRxOver = 0x20000, UncMalfTlp = 0x40000, UncEcrc = 0x80000, UncUnsup = 0x100000, UncAcsViol = 0x200000;
    private const uint CorRcvr = 0x1, CorBadTlp = 0x40, CorBadDllp = 0x80, CorRepRoll = 0x100, CorRepTimer = 0x1000, CorRepAnfe = 0x2000;
    private const uint CapFepMask = 0x1f, CapEcrcGenC = 0x20, CapEcrcGenE = 0x40, CapEcrcChkC = 0x80, CapEcrcChkE = 0x100;
    private const uint CapMultHdrC = 0x200, CapMultHdrE = 0x400, CapTlpPfx = 0x800, CapHdrLog = 0x1000;
    private const uint RootCmdCor = 0x1, RootCmdNonFatal = 0x2, RootCmdFatal = 0x4;
    private const uint RootCorRcv = 0x1, RootMultiCorRcv = 0x2, RootUncorRcv = 0x4, RootMultiUncorRcv = 0x8, RootFirstFatal = 0x10;
    private const uint RootNonFatalRcv = 0x20, RootFatalRcv = 0x40, RootMsgNumMask = 0x1f;
    private const int RootMsgNumShift = 27, RootErrorSource = AerCap.ErrorSource + 2, HeaderLogWords = 4;

    // PCI_ACS_CAP_* / PCI_ACS_CTRL_* share their bit positions.
    private const int AcsValid = 0x1, AcsBlock = 0x2, AcsReqRedirect = 0x4, AcsCmpltRedirect = 0x8, AcsForward = 0x10, AcsEgress = 0x20, AcsTrans = 0x40;

    private static string F(uint v, uint bit) => (v & bit) != 0 ? "+" : "-";
    private static string F(int v, int bit) => (v & bit) != 0 ? "+" : "-";

    private static string Uncorrectable(uint l) =>
        $"DLP{F(l, UncDlp)} SDES{F(l, UncSdes)} TLP{F(l, UncPoisonTlp)} FCP{F(l, UncFcp)} CmpltTO{F(l, UncCompTime)} CmpltAbrt{F(l, UncCompAbort)} " +
        $"UnxCmplt{F(l, UncUnxComp)} RxOF{F(l, UncRxOver)} MalfTLP{F(l, UncMalfTlp)} ECRC{F(l, UncEcrc)} UnsupReq{F(l, UncUnsup)} ACSViol{F(l, UncAcsViol)}";

    private static string Correctable(uint l) =>
        $"RxErr{F(l, CorRcvr)} BadTLP{F(l, CorBadTlp)} BadDLLP{F(l, CorBadDllp)} Rollover{F(l, CorRepRoll)} Timeout{F(l, CorRepTimer)} AdvNonFatalErr{F(l, CorRepAnfe)}";

    /// <summary>cap_aer: status/mask/severity, capabilities, header log; root ports add the root error registers.</summary>
    public static void Aer(StringBuilder sb, FunctionSnapshot f, int o, int type)
    {
        var inv = CultureInfo.InvariantCulture;
        sb.Append("\t\tUESta:\t").Append(Uncorrectable(f.Long(o + AerCap.UncorStatus))).Append('\n');
        sb.Append("\t\tUEMsk:\t").Append(Uncorrectable(f.Long(o + AerCap.UncorMask))).Append('\n');
        sb.Append("\t\tUESvrt:\t").Append(Uncorrectable(f.Long(o + AerCap.UncorSeverity))).Append('\n');
        sb.Append("\t\tCESta:\t").Append(Correctable(f.Long(o + AerCap.CorStatus))).Append('\n');
        sb.Append("\t\tCEMsk:\t").Append(Correctable(f.Long(o + AerCap.CorMask))).Append('\n');
        var l = f.Long(o + AerCap.CapControl);
        sb.Append(inv, $"\t\tAERCap:\tFirst Error Pointer: {l & CapFepMask:x2}, ECRCGenCap{F(l, CapEcrcGenC)} ECRCGenEn{F(l, CapEcrcGenE)} ECRCChkCap{F(l, CapEcrcChkC)} ECRCChkEn{F(l, CapEcrcChkE)}\n");
        sb.Append(inv, $"\t\t\tMultHdrRecCap{F(l, CapMultHdrC)} MultHdrRecEn{F(l, CapMultHdrE)} TLPPfxPres{F(l, CapTlpPfx)} HdrLogCap{F(l, CapHdrLog)}\n");
        sb.Append("\t\tHeaderLog:");
        for (var i = 0; i < HeaderLogWords; i++) sb.Append(inv, $" {f.Long(o + AerCap.HeaderLog + 4 * i):x8}");
        sb.Append('\n');
        if (type is not (TypeRootPort or TypeRootEventCollector)) return;
        var c = f.Long(o + AerCap.RootCommand);
        sb.Append(inv, $"\t\tRootCmd: CERptEn{F(c, RootCmdCor)} NFERptEn{F(c, RootCmdNonFatal)} FERptEn{F(c, RootCmdFatal)}\n");
        var s = f.Long(o + AerCap.RootStatus);
        sb.Append(inv, $"\t\tRootSta: CERcvd{F(s, RootCorRcv)} MultCERcvd{F(s, RootMultiCorRcv)} UERcvd{F(s, RootUncorRcv)} MultUERcvd{F(s, RootMultiUncorRcv)}\n");
        sb.Append(inv, $"\t\t\t FirstFatal{F(s, RootFirstFatal)} NonFatalMsg{F(s, RootNonFatalRcv)} FatalMsg{F(s, RootFatalRcv)} IntMsg {(s >> RootMsgNumShift) & RootMsgNumMask}\n");
        sb.Append(inv, $"\t\tErrorSrc: ERR_COR: {f.Word(o + AerCap.ErrorSource):x4} ERR_FATAL/NONFATAL: {f.Word(o + RootErrorSource):x4}\n");
    }

    private static string Acs(int w) =>
        $"SrcValid{F(w, AcsValid)} TransBlk{F(w, AcsBlock)} ReqRedir{F(w, AcsReqRedirect)} CmpltRedir{F(w, AcsCmpltRedirect)} UpstreamFwd{F(w, AcsForward)} EgressCtrl{F(w, AcsEgress)} DirectTrans{F(w, AcsTrans)}";

    /// <summary>cap_acs.</summary>
    public static void Acs(StringBuilder sb, FunctionSnapshot f, int o)
    {
        sb.Append("\t\tACSCap:\t").Append(Acs(f.Word(o + AcsCap.Capability))).Append('\n');
        sb.Append("\t\tACSCtl:\t").Append(Acs(f.Word(o + AcsCap.Control))).Append('\n');
    }
}
