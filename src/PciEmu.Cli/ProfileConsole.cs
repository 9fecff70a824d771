using System.Globalization;
using System.Text;
using PciEmu.Scenarios.Profiling;
using Spectre.Console;
using Profile = PciEmu.Scenarios.Profiling.Profile;

namespace PciEmu.Cli;

/// <summary>Terminal rendering of a profile (Spectre.Console table and bar chart) and the mechanism comparison.</summary>
public static class ProfileConsole
{
    public static bool IsInteractive(TextWriter stdout) => ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;

    public static void Render(Profile p, IReadOnlyList<(string Name, Profile Profile)> compare)
    {
        AnsiConsole.MarkupLine($"[bold]cost model {Markup.Escape(p.CostModel)}[/]: {p.ConfigAccesses} config accesses ({p.Aborts} master aborts), {p.BusCycles} CPU-bus cycles, {p.TotalCycles} CPU cycles");
        foreach (var (title, rows) in new[] { ("phase", p.Phases), ("device", p.Devices), ("mechanism", p.Mechanisms) })
        {
            var table = new Table().AddColumn(title).AddColumn(new TableColumn("accesses").RightAligned())
                .AddColumn(new TableColumn("cycles").RightAligned()).AddColumn(new TableColumn("share").RightAligned());
            foreach (var r in rows)
            {
                var share = p.TotalCycles == 0 ? 0 : 100.0 * r.Cycles / p.TotalCycles;
                table.AddRow(Markup.Escape(r.Name), r.Accesses.ToString(CultureInfo.InvariantCulture), r.Cycles.ToString(CultureInfo.InvariantCulture), share.ToString("0.0", CultureInfo.InvariantCulture) + "%");
            }
            AnsiConsole.Write(table);
        }
        var chart = new BarChart().Label("[bold]cycles per phase[/]").Width(Math.Min(100, Console.WindowWidth > 0 ? Console.WindowWidth : 100));
        foreach (var r in p.Phases) chart.AddItem(Markup.Escape(r.Name), r.Cycles, Color.SteelBlue);
        AnsiConsole.Write(chart);
        if (compare.Count > 1) AnsiConsole.Write(new Text(ComparisonText(compare)));
    }

    /// <summary>The same scenario through each mechanism: accesses, bus cycles and CPU cycles side by side.</summary>
    public static string ComparisonText(IReadOnlyList<(string Name, Profile Profile)> compare)
    {
        if (compare.Count < 2) return string.Empty;
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine(inv, $"same scenario by mechanism (cost model {compare[0].Profile.CostModel})");
        sb.Append($"{string.Empty,-16}");
        foreach (var (name, _) in compare) sb.Append(inv, $"  {name,14}");
        sb.AppendLine();
        foreach (var (label, get) in new (string, Func<Profile, long>)[]
                 {
                     ("config accesses", x => x.ConfigAccesses),
                     ("CPU-bus cycles", x => x.BusCycles),
                     ("CPU cycles", x => x.TotalCycles),
                 })
        {
            sb.Append(inv, $"{label,-16}");
            foreach (var (_, p) in compare) sb.Append(inv, $"  {get(p),14}");
            sb.AppendLine();
        }
        return sb.ToString();
    }
}
