using System.Globalization;
using System.Text;
using PciEmu.Core;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Reports;

/// <summary>
/// lspci -nn -vvv (lspci.c show_verbose, pciutils 3.9) rendered from config bytes, with what a dump cannot give
/// real lspci: [size=...] for every BAR and window (from the write masks) and the QEMU reservation capability
/// decoded.
/// </summary>
public static class LspciVerboseReport
{
    private const int DevselShift = 9;
    private const int DevselMask = 0x3;
    private const int CacheLineUnit = 4;

    private static readonly Dictionary<(ushort Class, byte ProgIf), string> ProgIfNames = new()
    {
        [(0x0604, 0x00)] = "Normal decode",
        [(0x0604, 0x01)] = "Subtractive decode",
        [(0x0101, 0x80)] = "ISA Compatibility mode-only controller, supports bus mastering",
        [(0x0106, 0x01)] = "AHCI 1.0",
        [(0x0300, 0x00)] = "VGA controller",
        [(0x0c03, 0x00)] = "UHCI",
    };

    public static string Render(PciSnapshot snapshot)
    {
        var sb = new StringBuilder();
        foreach (var s in LspciScan.Scan(snapshot))
        {
            Device(sb, s);
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Flag(bool b) => b ? "+" : "-";
    private static string Flag(int v, int bit) => (v & bit) != 0 ? "+" : "-";

    /// <summary>show_size: the largest unit that divides the size.</summary>
    public static string Size(ulong x)
    {
        string[] suffix = ["", "K", "M", "G", "T"];
        if (x == 0) return string.Empty;
        var i = 0;
        while (i < suffix.Length - 1 && x % 1024 == 0)
        {
            x /= 1024;
            i++;
        }
        return string.Create(CultureInfo.InvariantCulture, $" [size={x}{suffix[i]}]");
    }

    private static void Device(StringBuilder sb, ScannedFunction s)
    {
        var f = s.Function;
        var inv = CultureInfo.InvariantCulture;
        sb.Append(LspciReport.Line(s, numeric: true));
        var progName = ProgIfNames.GetValueOrDefault((f.ClassDevice, f.ProgIf));
        if (f.ProgIf != 0 || progName is not null)
            sb.Append(inv, $" (prog-if {f.ProgIf:x2}{(progName is null ? string.Empty : $" [{progName}]")})");
        sb.Append('\n');
        if (Subsystem(f) is var (sv, sd) && sv != 0 && sv != ushort.MaxValue)
            sb.Append("\tSubsystem: ").Append(PciNames.Subsystem(f.VendorId, f.DeviceId, sv, sd, true)).Append('\n');
        var cmd = f.Command;
        var status = f.Word(CommonHeader.Status.Offset);
        sb.Append(inv, $"\tControl: I/O{Flag(cmd, 0x1)} Mem{Flag(cmd, 0x2)} BusMaster{Flag(cmd, 0x4)} SpecCycle{Flag(cmd, 0x8)} MemWINV{Flag(cmd, 0x10)} VGASnoop{Flag(cmd, 0x20)} ParErr{Flag(cmd, 0x40)} Stepping{Flag(cmd, 0x80)} SERR{Flag(cmd, 0x100)} FastB2B{Flag(cmd, 0x200)} DisINTx{Flag(cmd, 0x400)}\n");
        sb.Append(inv, $"\tStatus: Cap{Flag(status, 0x10)} 66MHz{Flag(status, 0x20)} UDF{Flag(status, 0x40)} FastB2B{Flag(status, 0x80)} ParErr{Flag(status, 0x100)} DEVSEL={Devsel(status)} >TAbort{Flag(status, 0x800)} <TAbort{Flag(status, 0x1000)} <MAbort{Flag(status, 0x2000)} >SERR{Flag(status, 0x4000)} <PERR{Flag(status, 0x8000)} INTx{Flag(status, 0x8)}\n");
        if ((cmd & (ushort)CommandBits.BusMaster) != 0)
        {
            sb.Append(inv, $"\tLatency: {f.Config[CommonHeader.LatencyTimer.Offset]}");
            var cls = f.Config[CommonHeader.CacheLineSize.Offset];
            if (cls != 0) sb.Append(inv, $", Cache Line Size: {cls * CacheLineUnit} bytes");
            sb.Append('\n');
        }
        if (f.InterruptPin != 0 || f.InterruptLine != 0)
            sb.Append(inv, $"\tInterrupt: pin {(f.InterruptPin != 0 ? (char)('A' + f.InterruptPin - 1) : '?')} routed to IRQ {f.InterruptLine}\n");
        var regions = f.Regions();
        Bases(sb, f, regions);
        if (f.IsBridgeHeader) BridgeLines(sb, f);
        Rom(sb, f, regions);
        if (f.IsBridgeHeader) BridgeControl(sb, f);
        CapabilityRenderer.Render(sb, f);
    }

    /// <summary>get_subid: the header's subsystem registers, or a bridge's SSVID capability.</summary>
    private static (ushort, ushort)? Subsystem(FunctionSnapshot f)
    {
        if (f.HeaderType == CommonHeader.HeaderTypeNormal)
            return (f.Word(Type0Header.SubsystemVendorId.Offset), f.Word(Type0Header.SubsystemId.Offset));
        var ssvid = LspciScan.FindCapability(f, CapabilityId.SubsystemVendor);
        return ssvid < 0 ? null : (f.Word(ssvid + 4), f.Word(ssvid + 6));
    }

    private static string Devsel(int status) => ((status >> DevselShift) & DevselMask) switch
    {
        0 => "fast",
        1 => "medium",
        2 => "slow",
        _ => "??",
    };

    /// <summary>show_bases.</summary>
    private static void Bases(StringBuilder sb, FunctionSnapshot f, IReadOnlyList<PciRegion> regions)
    {
        var inv = CultureInfo.InvariantCulture;
        var cmd = (CommandBits)f.Command;
        foreach (var r in regions.Where(r => !r.IsRom))
        {
            sb.Append(inv, $"\tRegion {r.Bar}: ");
            if (r.IsIo)
            {
                sb.Append("I/O ports at ");
                sb.Append(r.RawAddress != 0 || (cmd & CommandBits.Io) != 0 ? r.RawAddress.ToString("x4", inv) : "<unassigned>");
                if ((cmd & CommandBits.Io) == 0) sb.Append(" [disabled]");
            }
            else
            {
                sb.Append("Memory at ");
                sb.Append(r.RawAddress != 0 ? r.RawAddress.ToString("x8", inv) : "<unassigned>");
                sb.Append(inv, $" ({(r.Is64 ? "64-bit" : "32-bit")}, {(r.Prefetchable ? string.Empty : "non-")}prefetchable)");
                if ((cmd & CommandBits.Memory) == 0) sb.Append(" [disabled]");
            }
            sb.Append(Size(r.Size)).Append('\n');
        }
    }

    /// <summary>show_rom.</summary>
    private static void Rom(StringBuilder sb, FunctionSnapshot f, IReadOnlyList<PciRegion> regions)
    {
        if (regions.FirstOrDefault(r => r.IsRom) is not { } rom) return;
        var off = f.IsBridgeHeader ? Type1Header.RomAddress.Offset : Type0Header.RomAddress.Offset;
        var raw = f.Long(off);
        sb.Append("\tExpansion ROM at ");
        sb.Append(rom.RawAddress != 0 ? rom.RawAddress.ToString("x8", CultureInfo.InvariantCulture) : "<unassigned>");
        if ((raw & BarBits.RomEnable) == 0) sb.Append(" [disabled]");
        else if ((f.Command & (ushort)CommandBits.Memory) == 0) sb.Append(" [disabled by cmd]");
        sb.Append(Size(rom.Size)).Append('\n');
    }

    /// <summary>show_htype1: bus numbers and the three windows (show_range at -vvv prints disabled ranges too).</summary>
    private static void BridgeLines(StringBuilder sb, FunctionSnapshot f)
    {
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"\tBus: primary={f.PrimaryBus:x2}, secondary={f.SecondaryBus:x2}, subordinate={f.SubordinateBus:x2}, sec-latency={f.Config[Type1Header.SecLatencyTimer.Offset]}\n");
        var ioType = f.Config[Type1Header.IoBase.Offset] & BarBits.IoRangeTypeMask;
        Range(sb, "\tI/O behind bridge", BridgeRanges.Io(f), ioType == 1 ? 32 : 16);
        Range(sb, "\tMemory behind bridge", BridgeRanges.Memory(f), 32);
        var prefType = f.Word(Type1Header.PrefMemoryBase.Offset) & BarBits.PrefRangeTypeMask;
        Range(sb, "\tPrefetchable memory behind bridge", BridgeRanges.Prefetchable(f), prefType == BarBits.PrefRangeType64 ? 64 : 32);
        var ss = f.Word(Type1Header.SecStatus.Offset);
        sb.Append(inv, $"\tSecondary status: 66MHz{Flag(ss, 0x20)} FastB2B{Flag(ss, 0x80)} ParErr{Flag(ss, 0x100)} DEVSEL={Devsel(ss)} >TAbort{Flag(ss, 0x800)} <TAbort{Flag(ss, 0x1000)} <MAbort{Flag(ss, 0x2000)} <SERR{Flag(ss, 0x4000)} <PERR{Flag(ss, 0x8000)}\n");
    }

    /// <summary>show_range.</summary>
    private static void Range(StringBuilder sb, string prefix, BridgeWindow w, int bits)
    {
        var digits = ((bits + 3) / 4).ToString(CultureInfo.InvariantCulture);
        sb.Append(prefix).Append(": ").Append(w.Base.ToString("x" + digits, CultureInfo.InvariantCulture)).Append('-')
          .Append(w.Limit.ToString("x" + digits, CultureInfo.InvariantCulture));
        sb.Append(w.IsEmpty ? " [disabled]" : Size(w.Size));
        sb.Append(CultureInfo.InvariantCulture, $" [{bits}-bit]\n");
    }

    private static void BridgeControl(StringBuilder sb, FunctionSnapshot f)
    {
        var c = f.Word(Type1Header.BridgeControl.Offset);
        sb.Append(CultureInfo.InvariantCulture, $"\tBridgeCtl: Parity{Flag(c, 0x1)} SERR{Flag(c, 0x2)} NoISA{Flag(c, 0x4)} VGA{Flag(c, 0x8)} VGA16{Flag(c, 0x10)} MAbort{Flag(c, 0x20)} >Reset{Flag(c, 0x40)} FastB2B{Flag(c, 0x80)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"\t\tPriDiscTmr{Flag(c, 0x100)} SecDiscTmr{Flag(c, 0x200)} DiscTmrStat{Flag(c, 0x400)} DiscTmrSERREn{Flag(c, 0x800)}\n");
    }
}
