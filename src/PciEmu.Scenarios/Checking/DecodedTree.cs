using PciEmu.Core;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Checking;

/// <summary>The address space a range decodes in.</summary>
public enum DecodeSpace
{
    Io,
    Memory,
}

/// <summary>What kind of range: a BAR (or ROM), or one of a bridge's three windows.</summary>
public enum DecodeKind
{
    Bar,
    IoWindow,
    MemWindow,
    PrefWindow,
}

/// <summary>One live decode read from config space.</summary>
public sealed record DecodedRange(Bdf Owner, DecodeKind Kind, int Bar, DecodeSpace Space, ulong Start, ulong End, bool Prefetchable)
{
    public ulong Size => End - Start + 1;
    public bool Overlaps(DecodedRange o) => Space == o.Space && Start <= o.End && o.Start <= End;
    public bool Within(ulong start, ulong end) => start <= Start && End <= end;

    public override string ToString()
    {
        var what = Kind switch
        {
            DecodeKind.Bar => Bar == PciRegion.RomIndex ? "ROM" : $"BAR{Bar}",
            DecodeKind.IoWindow => "io window",
            DecodeKind.MemWindow => "mem window",
            _ => "pref window",
        };
        return $"{Owner} {what} [{(Space == DecodeSpace.Io ? "io" : "mem")} 0x{Start:x}-0x{End:x}]";
    }
}

/// <summary>A bridge as config space shows it: its function, bus range and live windows (null when base &gt; limit).</summary>
public sealed class BridgeNode
{
    public required Bdf Bdf { get; init; }
    public required FunctionSnapshot Function { get; init; }
    public BridgeNode? Parent { get; init; }
    public DecodedRange? Io { get; init; }
    public DecodedRange? Mem { get; init; }
    public DecodedRange? Pref { get; init; }
    public int Secondary => Function.SecondaryBus;

    /// <summary>I/O base/limit read-only but non-zero (QEMU 7.2 io-reserve=0): software probes it as present.</summary>
    public bool IoWindowReadOnly => Function.WriteMask[Type1Header.IoBase.Offset] == 0 && Function.Config[Type1Header.IoBase.Offset] != 0;
    public int Subordinate => Function.SubordinateBus;

    /// <summary>The bridges directly below this one (on its secondary bus).</summary>
    public List<BridgeNode> Children { get; } = [];

    public IEnumerable<DecodedRange> Windows()
    {
        if (Io is not null) yield return Io;
        if (Mem is not null) yield return Mem;
        if (Pref is not null) yield return Pref;
    }
}

/// <summary>One bus level: the ranges decoded by functions on it (BARs and bridge windows) and its bridges.</summary>
public sealed class BusLevel
{
    public required int Number { get; init; }
    public BridgeNode? Owner { get; init; }
    public List<DecodedRange> Ranges { get; } = [];
    public List<BridgeNode> Bridges { get; } = [];
    public List<(Bdf Bdf, FunctionSnapshot Function)> Functions { get; } = [];
}

/// <summary>The whole hierarchy's live decodes, per bus level, built from a snapshot.</summary>
public sealed class DecodedTree
{
    public List<BusLevel> Levels { get; } = [];

    public IEnumerable<(Bdf Bdf, FunctionSnapshot Function)> AllFunctions() => Levels.SelectMany(l => l.Functions);

    /// <summary>The bridges above a function, nearest first.</summary>
    public IEnumerable<BridgeNode> Ancestors(Bdf bdf)
    {
        var level = Levels.FirstOrDefault(l => l.Functions.Any(f => f.Bdf == bdf));
        for (var b = level?.Owner; b is not null; b = b.Parent) yield return b;
    }

    public static DecodedTree Build(PciSnapshot snapshot)
    {
        var tree = new DecodedTree();
        tree.Visit(snapshot.Root, 0, null);
        return tree;
    }

    private void Visit(BusSnapshot bus, int number, BridgeNode? owner)
    {
        var level = new BusLevel { Number = number, Owner = owner };
        Levels.Add(level);
        var below = new List<(BusSnapshot Bus, BridgeNode Node)>();
        foreach (var f in bus.Functions)
        {
            if (!f.Visible) continue;
            var bdf = Bdf.FromDevFn(number, f.DevFn);
            level.Functions.Add((bdf, f));
            foreach (var r in f.Regions())
            {
                if (r.Address is not { } a) continue;
                level.Ranges.Add(new DecodedRange(bdf, DecodeKind.Bar, r.Bar, r.IsIo ? DecodeSpace.Io : DecodeSpace.Memory, a, a + r.Size - 1, r.Prefetchable));
            }
            if (!f.IsBridgeHeader) continue;
            var node = new BridgeNode
            {
                Bdf = bdf,
                Function = f,
                Parent = owner,
                Io = Window(f, bdf, DecodeKind.IoWindow, BridgeRanges.Io(f), Type1Header.IoBase.Offset),
                Mem = Window(f, bdf, DecodeKind.MemWindow, BridgeRanges.Memory(f), Type1Header.MemoryBase.Offset),
                Pref = Window(f, bdf, DecodeKind.PrefWindow, BridgeRanges.Prefetchable(f), Type1Header.PrefMemoryBase.Offset),
            };
            level.Ranges.AddRange(node.Windows());
            level.Bridges.Add(node);
            owner?.Children.Add(node);
            if (f.Secondary is { } sec) below.Add((sec, node));
        }
        foreach (var (sec, node) in below) Visit(sec, sec.Number, node);
    }

    /// <summary>
    /// A window decodes when its registers exist (writable), base &lt;= limit and the bridge's command register enables
    /// the space (pci_bridge_region_init passes PCI_COMMAND_IO / PCI_COMMAND_MEMORY as the alias's enable).
    /// </summary>
    private static DecodedRange? Window(FunctionSnapshot f, Bdf bdf, DecodeKind kind, BridgeWindow w, int baseOffset)
    {
        var space = kind == DecodeKind.IoWindow ? DecodeSpace.Io : DecodeSpace.Memory;
        var enable = space == DecodeSpace.Io ? CommandBits.Io : CommandBits.Memory;
        if (f.WriteMask[baseOffset] == 0 || w.IsEmpty || ((CommandBits)f.Command & enable) == 0) return null;
        return new DecodedRange(bdf, kind, -1, space, w.Base, w.Limit, kind == DecodeKind.PrefWindow);
    }
}
