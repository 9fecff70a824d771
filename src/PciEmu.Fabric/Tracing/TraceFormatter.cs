using System.Globalization;
using System.Text;
using System.Text.Json;
using PciEmu.Core;
using PciEmu.Core.Tracing;

namespace PciEmu.Fabric.Tracing;

/// <summary>
/// Renders trace events. Text lines look like
/// <c>#000002 c=0000002000 CF8  R2 00:00.0 @000 VENDOR_ID = 0x8086 [seabios: probe]</c>; writes add
/// <c>(0x0000 -&gt; 0x0007)</c>, master aborts end in <c>ABORT</c>.
/// </summary>
public sealed class TraceFormatter(IRegisterNamer? namer = null, Func<int, string>? phaseName = null)
{
    private static string Mech(AccessMechanism m) => m switch
    {
        AccessMechanism.Cf8Cfc => "CF8",
        AccessMechanism.Ecam => "ECAM",
        AccessMechanism.Rtas => "RTAS",
        _ => "-",
    };

    private static string Hex(uint v, int width) => "0x" + v.ToString("x" + (width * 2), CultureInfo.InvariantCulture);

    private string PhaseOf(int id) => phaseName?.Invoke(id) ?? id.ToString(CultureInfo.InvariantCulture);

    public string RegisterName(in TraceEvent e) => namer?.Name(e.Bdf, e.Offset, e.Width) ?? $"0x{e.Offset:x3}";

    public string FormatText(in TraceEvent e)
    {
        var sb = new StringBuilder(96);
        sb.Append(CultureInfo.InvariantCulture, $"#{e.Sequence:d6} c={e.Cycle:d10} ");
        switch (e.Kind)
        {
            case TraceEventKind.PhaseBegin:
                sb.Append(CultureInfo.InvariantCulture, $"PHASE begin {PhaseOf(e.Phase)}");
                return sb.ToString();
            case TraceEventKind.PhaseEnd:
                sb.Append(CultureInfo.InvariantCulture, $"PHASE end   {PhaseOf(e.Phase)}");
                return sb.ToString();
            case TraceEventKind.PortRead or TraceEventKind.PortWrite:
                sb.Append(CultureInfo.InvariantCulture,
                    $"PIO  {(e.IsWrite ? 'W' : 'R')}{e.Width} 0x{e.Address:x4} = {Hex(e.Value, e.Width)}");
                break;
            case TraceEventKind.MmioRead or TraceEventKind.MmioWrite:
                sb.Append(CultureInfo.InvariantCulture,
                    $"MMIO {(e.IsWrite ? 'W' : 'R')}{e.Width} 0x{e.Address:x8} = {Hex(e.Value, Math.Min((int)e.Width, 4))}");
                break;
            default:
                sb.Append(CultureInfo.InvariantCulture,
                    $"{Mech(e.Via),-4} {(e.IsWrite ? 'W' : 'R')}{e.Width} {e.Bdf} @{e.Offset:x3} {RegisterName(e)} = {Hex(e.Value, e.Width)}");
                if (e.Kind == TraceEventKind.ConfigWrite && (e.OldValue != 0 || e.NewValue != 0 || e.Value != 0))
                    sb.Append(CultureInfo.InvariantCulture, $" ({Hex(e.OldValue, e.Width)} -> {Hex(e.NewValue, e.Width)})");
                if (e.IsAbort) sb.Append(" ABORT");
                if (e.Kind is TraceEventKind.ConfigReadBeyondLimit or TraceEventKind.ConfigWriteBeyondLimit) sb.Append(" UNCLAIMED");
                break;
        }
        if (e.Phase != 0) sb.Append(CultureInfo.InvariantCulture, $" [{PhaseOf(e.Phase)}]");
        return sb.ToString();
    }

    public string FormatJson(in TraceEvent e)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteNumber("seq", e.Sequence);
            w.WriteNumber("cycle", e.Cycle);
            w.WriteString("kind", e.Kind.ToString());
            if (e.Kind is TraceEventKind.PhaseBegin or TraceEventKind.PhaseEnd)
            {
                w.WriteString("phase", PhaseOf(e.Phase));
            }
            else if (e.IsConfig)
            {
                w.WriteString("via", Mech(e.Via));
                w.WriteNumber("width", e.Width);
                w.WriteString("bdf", e.Bdf.ToString());
                w.WriteNumber("offset", e.Offset);
                w.WriteString("reg", RegisterName(e));
                w.WriteString("value", Hex(e.Value, e.Width));
                if (e.Kind == TraceEventKind.ConfigWrite)
                {
                    w.WriteString("old", Hex(e.OldValue, e.Width));
                    w.WriteString("new", Hex(e.NewValue, e.Width));
                }
                w.WriteBoolean("abort", e.IsAbort);
                w.WriteString("phase", PhaseOf(e.Phase));
            }
            else
            {
                w.WriteString("space", e.Kind is TraceEventKind.PortRead or TraceEventKind.PortWrite ? "io" : "mem");
                w.WriteBoolean("write", e.IsWrite);
                w.WriteNumber("width", e.Width);
                w.WriteString("address", "0x" + e.Address.ToString("x", CultureInfo.InvariantCulture));
                w.WriteString("value", Hex(e.Value, Math.Min((int)e.Width, 4)));
                w.WriteString("phase", PhaseOf(e.Phase));
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
