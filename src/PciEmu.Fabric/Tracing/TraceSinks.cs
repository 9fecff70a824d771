using PciEmu.Core;
using PciEmu.Core.Tracing;

namespace PciEmu.Fabric.Tracing;

/// <summary>Keeps the last <c>capacity</c> events in memory.</summary>
public sealed class RingTraceSink(int capacity = 65536) : ITraceSink
{
    private readonly TraceEvent[] _ring = new TraceEvent[Math.Max(1, capacity)];
    private long _count;

    public long Count => _count;
    public int Capacity => _ring.Length;

    public void Emit(in TraceEvent e)
    {
        _ring[_count % _ring.Length] = e;
        _count++;
    }

    /// <summary>The retained events, oldest first.</summary>
    public IReadOnlyList<TraceEvent> Snapshot()
    {
        var n = (int)Math.Min(_count, _ring.Length);
        var list = new List<TraceEvent>(n);
        var start = _count - n;
        for (var i = start; i < _count; i++) list.Add(_ring[i % _ring.Length]);
        return list;
    }

    public void Clear() => _count = 0;
}

/// <summary>Which events pass: Bdf range, register range, phase, mechanism, and whether bus cycles are included.</summary>
public sealed record TraceFilter
{
    public Bdf? BdfFrom { get; init; }
    public Bdf? BdfTo { get; init; }
    public int RegisterFrom { get; init; }
    public int RegisterTo { get; init; } = ConfigSpace.ExpressSize - 1;
    public ISet<int>? Phases { get; init; }

    /// <summary>Phase names (or name prefixes, e.g. "seabios"); needs <see cref="PhaseNameOf"/>.</summary>
    public IReadOnlyCollection<string>? PhaseNames { get; init; }

    public Func<int, string>? PhaseNameOf { get; init; }

    private bool PhaseMatches(int phase)
    {
        if (Phases is not null && !Phases.Contains(phase)) return false;
        if (PhaseNames is null) return true;
        var name = PhaseNameOf?.Invoke(phase) ?? string.Empty;
        foreach (var n in PhaseNames)
        {
            if (name.StartsWith(n, StringComparison.Ordinal)) return true;
        }
        return false;
    }
    public AccessMechanism? Mechanism { get; init; }

    /// <summary>Include the raw CPU-bus cycles (port and MMIO) as well as decoded config accesses.</summary>
    public bool IncludeBusCycles { get; init; }

    public bool IncludePhaseMarks { get; init; } = true;

    public bool Matches(in TraceEvent e)
    {
        if (e.Kind is TraceEventKind.PhaseBegin or TraceEventKind.PhaseEnd)
            return IncludePhaseMarks && PhaseMatches(e.Phase);
        if (!PhaseMatches(e.Phase)) return false;
        if (!e.IsConfig) return IncludeBusCycles && Mechanism is null && BdfFrom is null && BdfTo is null;
        if (Mechanism is { } m && e.Via != m) return false;
        if (BdfFrom is { } lo && e.Bdf < lo) return false;
        if (BdfTo is { } hi && e.Bdf > hi) return false;
        var end = e.Offset + e.Width - 1;
        return end >= RegisterFrom && e.Offset <= RegisterTo;
    }
}

/// <summary>Passes matching events to an inner sink.</summary>
public sealed class FilteredTraceSink(ITraceSink inner, TraceFilter filter) : ITraceSink
{
    public void Emit(in TraceEvent e)
    {
        if (filter.Matches(e)) inner.Emit(e);
    }
}

/// <summary>Sends each event to several sinks.</summary>
public sealed class TeeTraceSink(params ITraceSink[] sinks) : ITraceSink
{
    public void Emit(in TraceEvent e)
    {
        foreach (var s in sinks) s.Emit(e);
    }
}

/// <summary>Writes one text line per event (see <see cref="TraceFormatter"/>).</summary>
public sealed class TextTraceSink(TextWriter writer, TraceFormatter formatter) : ITraceSink
{
    public void Emit(in TraceEvent e) => writer.WriteLine(formatter.FormatText(e));
}

/// <summary>Writes one JSON object per line.</summary>
public sealed class JsonLinesTraceSink(TextWriter writer, TraceFormatter formatter) : ITraceSink
{
    public void Emit(in TraceEvent e) => writer.WriteLine(formatter.FormatJson(e));
}
