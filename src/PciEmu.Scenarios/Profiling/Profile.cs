using System.Globalization;
using System.Text;
using PciEmu.Core;
using PciEmu.Core.Tracing;
using PciEmu.Fabric;

namespace PciEmu.Scenarios.Profiling;

/// <summary>One row of a profile: a name, the config accesses attributed to it and their cycles.</summary>
public readonly record struct ProfileRow(string Name, long Accesses, long Cycles);

/// <summary>
/// Where the cycles of an enumeration went: per phase, per device (Bdf) and per mechanism × width × direction,
/// under the cost model the run used.
/// </summary>
public sealed record Profile(
    string CostModel,
    long TotalCycles,
    long BusCycles,
    long ConfigAccesses,
    long Aborts,
    IReadOnlyList<ProfileRow> Phases,
    IReadOnlyList<ProfileRow> Devices,
    IReadOnlyList<ProfileRow> Mechanisms)
{
    /// <summary>
    /// Reads the counters of <paramref name="cpu"/>; <paramref name="deviceName"/> labels a Bdf (e.g. "00:01.0
    /// pcie-root-port") or returns null for an address where no function exists: those probes are summed in one row.
    /// </summary>
    public static Profile Capture(CpuBus cpu, Func<Bdf, string?>? deviceName = null)
    {
        var s = cpu.Stats;
        var phases = new List<ProfileRow>();
        for (var id = 0; id < cpu.Phases.Names.Count; id++)
        {
            if (s.PhaseCycles(id) == 0 && s.PhaseAccesses(id) == 0) continue;
            phases.Add(new ProfileRow(cpu.Phases.NameOf(id), s.PhaseAccesses(id), s.PhaseCycles(id)));
        }
        var devices = new List<ProfileRow>();
        long absentCount = 0, absentAccesses = 0, absentCycles = 0;
        foreach (var b in s.SeenBdfs())
        {
            var label = deviceName is null ? b.ToString() : deviceName(b);
            if (label is null)
            {
                absentCount++;
                absentAccesses += s.BdfAccesses(b);
                absentCycles += s.BdfCycles(b);
                continue;
            }
            devices.Add(new ProfileRow(label, s.BdfAccesses(b), s.BdfCycles(b)));
        }
        if (absentCount > 0) devices.Add(new ProfileRow($"(absent: {absentCount} addresses probed)", absentAccesses, absentCycles));
        var mechs = new List<ProfileRow>();
        foreach (var m in new[] { AccessMechanism.Cf8Cfc, AccessMechanism.Ecam })
        {
            foreach (var write in new[] { false, true })
            {
                foreach (var w in new[] { 1, 2, 4 })
                {
                    var n = s.ConfigAccesses(m, w, write);
                    if (n == 0) continue;
                    var label = $"{(m == AccessMechanism.Cf8Cfc ? "CF8/CFC" : "ECAM")} {(write ? "write" : "read")}{w * 8}";
                    mechs.Add(new ProfileRow(label, n, s.ConfigAccessCycles(m, w, write)));
                }
            }
        }
        return new Profile(cpu.Cost.Name, s.TotalCycles, s.BusCycles, s.TotalConfigAccesses, s.ConfigAborts, phases, devices, mechs);
    }

    /// <summary>A plain-text rendering (stable, for golden files and pipes).</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"cost model: {CostModel}; {ConfigAccesses} config accesses ({Aborts} master aborts), {BusCycles} CPU-bus cycles, {TotalCycles} CPU cycles");
        Section(sb, "phase", Phases);
        Section(sb, "device", Devices);
        Section(sb, "mechanism", Mechanisms);
        return sb.ToString();
    }

    private void Section(StringBuilder sb, string title, IReadOnlyList<ProfileRow> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var width = Math.Max(title.Length, rows.Count == 0 ? 0 : rows.Max(r => r.Name.Length));
        sb.AppendLine();
        sb.AppendLine(inv, $"{title.PadRight(width)}  {"accesses",10}  {"cycles",14}  {"share",6}");
        foreach (var r in rows)
        {
            var share = TotalCycles == 0 ? 0 : 100.0 * r.Cycles / TotalCycles;
            sb.AppendLine(inv, $"{r.Name.PadRight(width)}  {r.Accesses,10}  {r.Cycles,14}  {share,5:0.0}%");
        }
    }

    /// <summary>An SVG bar chart of cycles per phase and per device, for bug reports.</summary>
    public string ToSvg()
    {
        const int barHeight = 18, gap = 4, labelWidth = 320, chartWidth = 480, margin = 10;
        var inv = CultureInfo.InvariantCulture;
        var groups = new[] { ("cycles per phase", Phases), ("cycles per device", Devices) };
        var rowsTotal = groups.Sum(g => g.Item2.Count + 2);
        var height = margin * 2 + rowsTotal * (barHeight + gap) + 20;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{labelWidth + chartWidth + 3 * margin + 120}\" height=\"{height}\" font-family=\"monospace\" font-size=\"12\">");
        sb.AppendLine(inv, $"<text x=\"{margin}\" y=\"{margin + 12}\" font-weight=\"bold\">PciEmu profile ({Escape(CostModel)}): {TotalCycles} cycles, {ConfigAccesses} config accesses</text>");
        var y = margin + 20;
        foreach (var (title, rows) in groups)
        {
            y += barHeight + gap;
            sb.AppendLine(inv, $"<text x=\"{margin}\" y=\"{y}\" font-weight=\"bold\">{title}</text>");
            var max = rows.Count == 0 ? 1 : Math.Max(1, rows.Max(r => r.Cycles));
            foreach (var r in rows)
            {
                y += barHeight + gap;
                var w = (int)Math.Round((double)r.Cycles / max * chartWidth);
                sb.AppendLine(inv, $"<text x=\"{margin}\" y=\"{y}\">{Escape(r.Name)}</text>");
                sb.AppendLine(inv, $"<rect x=\"{labelWidth + margin}\" y=\"{y - barHeight + 4}\" width=\"{w}\" height=\"{barHeight - 4}\" fill=\"#4a7ebb\"/>");
                sb.AppendLine(inv, $"<text x=\"{labelWidth + margin + w + 4}\" y=\"{y}\">{r.Cycles}</text>");
            }
        }
        sb.AppendLine("</svg>");
        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
