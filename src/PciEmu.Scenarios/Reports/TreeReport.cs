using System.Globalization;
using System.Text;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Reports;

/// <summary>lspci -tv (ls-tree.c): bridges own the buses in their secondary..subordinate range.</summary>
public static class TreeReport
{
    private sealed class Bridge
    {
        public ScannedFunction? Device { get; init; }
        public int Secondary { get; init; }
        public int Subordinate { get; init; }
        public List<Bridge> Children { get; } = [];
        public List<Bus> Buses { get; } = [];
    }

    private sealed class Bus(int number)
    {
        public int Number { get; } = number;
        public List<ScannedFunction> Devices { get; } = [];
    }

    private const int HostSubordinate = 0xff;

    public static string Render(PciSnapshot snapshot, bool verbose = true)
    {
        var devices = LspciScan.Scan(snapshot);
        var host = new Bridge { Secondary = 0, Subordinate = HostSubordinate };
        var bridges = new List<Bridge> { host };
        foreach (var d in devices.Where(d => d.Function.IsBridgeHeader))
            bridges.Add(new Bridge { Device = d, Secondary = d.Function.SecondaryBus, Subordinate = d.Function.SubordinateBus });
        // grow_tree: each bridge hangs below the narrowest bridge covering its own bus (children prepended).
        foreach (var b in bridges.Skip(1))
        {
            Bridge? best = null;
            foreach (var c in bridges)
            {
                if (c == b) continue;
                var bus = b.Device!.Bdf.Bus;
                if (c.Secondary <= bus && (c == host || bus <= c.Subordinate)
                    && (best is null || best.Subordinate - best.Secondary > c.Subordinate - c.Secondary))
                {
                    best = c;
                }
            }
            best?.Children.Insert(0, b);
        }
        foreach (var b in bridges)
        {
            if (b.Buses.All(x => x.Number != b.Secondary)) b.Buses.Add(new Bus(b.Secondary));
        }
        foreach (var d in devices) Insert(d, host);
        var sb = new StringBuilder();
        var line = new StringBuilder();
        ShowBridge(sb, bridges, host, line, verbose);
        return sb.ToString();
    }

    /// <summary>insert_dev (with a guard against the cycles grow_tree can build from identical bridge ranges).</summary>
    private static void Insert(ScannedFunction d, Bridge b, HashSet<Bridge>? seen = null)
    {
        var bus = b.Buses.Find(x => x.Number == d.Bdf.Bus);
        if (bus is null)
        {
            seen ??= [];
            seen.Add(b);
            foreach (var c in b.Children)
            {
                if (c.Secondary <= d.Bdf.Bus && d.Bdf.Bus <= c.Subordinate && !seen.Contains(c))
                {
                    Insert(d, c, seen);
                    return;
                }
            }
            bus = new Bus(d.Bdf.Bus);
            b.Buses.Add(bus);
        }
        bus.Devices.Add(d);
    }

    /// <summary>print_it: emit the line, then turn it into the continuation prefix ('+'/'|' stay '|').</summary>
    private static void PrintIt(StringBuilder sb, StringBuilder line)
    {
        sb.Append(line).Append('\n');
        for (var i = 0; i < line.Length; i++) line[i] = line[i] is '+' or '|' ? '|' : ' ';
    }

    /// <summary>show_tree_bridge.</summary>
    private static void ShowBridge(StringBuilder sb, List<Bridge> chain, Bridge b, StringBuilder line, bool verbose)
    {
        line.Append('-');
        if (b.Buses.Count == 1)
        {
            if (b == chain[0]) line.Append(CultureInfo.InvariantCulture, $"[0000:{b.Buses[0].Number:x2}]-");
            ShowBus(sb, chain, b.Buses[0], line, verbose);
            return;
        }
        var mark = line.Length;
        for (var i = 0; i < b.Buses.Count; i++)
        {
            line.Length = mark;
            var last = i == b.Buses.Count - 1;
            line.Append(CultureInfo.InvariantCulture, $"{(last ? "\\-" : "+-")}[0000:{b.Buses[i].Number:x2}]-");
            ShowBus(sb, chain, b.Buses[i], line, verbose);
        }
    }

    /// <summary>show_tree_bus.</summary>
    private static void ShowBus(StringBuilder sb, List<Bridge> chain, Bus bus, StringBuilder line, bool verbose)
    {
        if (bus.Devices.Count == 0)
        {
            PrintIt(sb, line);
            return;
        }
        if (bus.Devices.Count == 1)
        {
            line.Append("--");
            ShowDevice(sb, chain, bus.Devices[0], line, verbose);
            return;
        }
        var mark = line.Length;
        for (var i = 0; i < bus.Devices.Count; i++)
        {
            line.Length = mark;
            line.Append(i == bus.Devices.Count - 1 ? "\\-" : "+-");
            ShowDevice(sb, chain, bus.Devices[i], line, verbose);
        }
    }

    /// <summary>show_tree_dev.</summary>
    private static void ShowDevice(StringBuilder sb, List<Bridge> chain, ScannedFunction d, StringBuilder line, bool verbose)
    {
        line.Append(CultureInfo.InvariantCulture, $"{d.Bdf.Device:x2}.{d.Bdf.Function:x}");
        // show_tree_dev looks the device up in the flat chain of all bridges.
        var b = chain.Find(x => x.Device?.Bdf == d.Bdf);
        if (b is not null)
        {
            // An unconfigured bridge (secondary 0) prints a bare "-".
            line.Append(b.Secondary == 0 ? "-"
                : b.Secondary == b.Subordinate
                    ? string.Create(CultureInfo.InvariantCulture, $"-[{b.Secondary:x2}]-")
                    : string.Create(CultureInfo.InvariantCulture, $"-[{b.Secondary:x2}-{b.Subordinate:x2}]-"));
            ShowBridge(sb, chain, b, line, verbose);
            return;
        }
        if (verbose) line.Append("  ").Append(PciNames.VendorDevice(d.Function.VendorId, d.Function.DeviceId, numeric: false));
        PrintIt(sb, line);
    }
}
