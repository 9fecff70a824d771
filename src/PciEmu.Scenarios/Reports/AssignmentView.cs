using System.Globalization;
using PciEmu.Core;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Reports;

/// <summary>
/// One thing a firmware decided about one function: its bus numbers, a bridge window or a BAR. <see cref="Path"/> names
/// the function by slot.function along the topology from the root bus ("01.0/00.0"), so it is the same under firmwares
/// that number buses differently; <see cref="Name"/> is what a reader sees (the qdev id, else the driver).
/// </summary>
public sealed record AssignmentRow(string Path, string Name, string Item, string Value);

/// <summary>The firmware-visible assignment of every function of a machine (what <c>pciemu diff</c> compares).</summary>
public static class AssignmentView
{
    public const string Closed = "closed";
    public const string Unassigned = "unassigned";

    public static IReadOnlyList<AssignmentRow> Build(PciSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var rows = new List<AssignmentRow>();
        Visit(snapshot.Root, string.Empty, rows);
        return rows;
    }

    private static void Visit(BusSnapshot bus, string prefix, List<AssignmentRow> rows)
    {
        foreach (var f in bus.Functions)
        {
            if (!f.Visible) continue;
            var path = prefix + string.Create(CultureInfo.InvariantCulture, $"{f.Slot:x2}.{f.Function:x}");
            var name = f.QdevId ?? f.Driver;
            void Add(string item, string value) => rows.Add(new AssignmentRow(path, name, item, value));
            if (f.IsBridgeHeader)
            {
                Add("bus", string.Create(CultureInfo.InvariantCulture, $"{f.PrimaryBus:x2}/{f.SecondaryBus:x2}/{f.SubordinateBus:x2}"));
                Add("io window", Window(BridgeRanges.Io(f), f.WriteMask[Type1Header.IoBase.Offset] != 0, "io"));
                Add("mem window", Window(BridgeRanges.Memory(f), true, "mem"));
                Add("pref window", Window(BridgeRanges.Prefetchable(f), f.WriteMask[Type1Header.PrefMemoryBase.Offset] != 0, "mem"));
            }
            foreach (var r in f.Regions())
            {
                if (r.IsRom) continue;
                Add(string.Create(CultureInfo.InvariantCulture, $"BAR{r.Bar}"), Bar(r));
            }
            if (f.Secondary is { } sec) Visit(sec, path + "/", rows);
        }
    }

    private static string Window(BridgeWindow w, bool implemented, string space)
    {
        if (!implemented) return "none";
        return w.IsEmpty ? Closed : string.Create(CultureInfo.InvariantCulture, $"{space} {w.Base:x}-{w.Limit:x} [{Size(w.Limit - w.Base + 1)}]");
    }

    private static string Bar(PciRegion r)
    {
        var kind = r.IsIo ? "io" : r.Is64 ? (r.Prefetchable ? "mem64 pref" : "mem64") : (r.Prefetchable ? "mem pref" : "mem");
        if (r.RawAddress == 0) return $"{kind} {Unassigned} [{Size(r.Size)}]";
        return string.Create(CultureInfo.InvariantCulture, $"{kind} {r.RawAddress:x} [{Size(r.Size)}]");
    }

    /// <summary>1K, 2M, 512M, 1G, or bytes below 1 KiB (lspci's style).</summary>
    public static string Size(ulong size)
    {
        string[] units = ["", "K", "M", "G", "T"];
        var u = 0;
        while (u < units.Length - 1 && size >= 1024 && size % 1024 == 0)
        {
            size /= 1024;
            u++;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{size}{units[u]}");
    }
}
