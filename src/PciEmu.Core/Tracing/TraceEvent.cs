namespace PciEmu.Core.Tracing;

/// <summary>How software reached config space.</summary>
public enum AccessMechanism : byte
{
    /// <summary>Not a config access (a plain port or MMIO cycle).</summary>
    None = 0,
    Cf8Cfc = 1,
    Ecam = 2,

    /// <summary>PAPR RTAS read-pci-config / write-pci-config (sPAPR PHBs: no CF8/CFC, no ECAM).</summary>
    Rtas = 3,
}

public enum TraceEventKind : byte
{
    /// <summary>A CPU port-I/O cycle (IN/OUT).</summary>
    PortRead,
    PortWrite,

    /// <summary>A CPU memory cycle.</summary>
    MmioRead,
    MmioWrite,

    /// <summary>A decoded config read or write that reached a function.</summary>
    ConfigRead,
    ConfigWrite,

    /// <summary>A decoded config cycle no function claimed: reads all ones, writes dropped.</summary>
    ConfigReadAbort,
    ConfigWriteAbort,

    /// <summary>A config cycle that decoded but is outside what the path allows (offset past the config limit).</summary>
    ConfigReadBeyondLimit,
    ConfigWriteBeyondLimit,

    /// <summary>A driver opened or closed a named phase.</summary>
    PhaseBegin,
    PhaseEnd,
}

/// <summary>
/// One traced event. CPU-bus cycles carry <see cref="Address"/>; decoded config accesses carry <see cref="Bdf"/>,
/// <see cref="Offset"/> and, for writes, the register value before (<see cref="OldValue"/>) and after
/// (<see cref="NewValue"/>). <see cref="Sequence"/> numbers CPU-bus cycles; a config event shares the sequence
/// number of the bus cycle that carried it.
/// </summary>
public readonly record struct TraceEvent(
    long Sequence,
    long Cycle,
    TraceEventKind Kind,
    AccessMechanism Via,
    byte Width,
    ulong Address,
    Bdf Bdf,
    ushort Offset,
    uint Value,
    uint OldValue,
    uint NewValue,
    int Phase)
{
    public bool IsConfig => Kind is >= TraceEventKind.ConfigRead and <= TraceEventKind.ConfigWriteBeyondLimit;
    public bool IsWrite => Kind is TraceEventKind.PortWrite or TraceEventKind.MmioWrite or TraceEventKind.ConfigWrite
        or TraceEventKind.ConfigWriteAbort or TraceEventKind.ConfigWriteBeyondLimit;
    public bool IsAbort => Kind is TraceEventKind.ConfigReadAbort or TraceEventKind.ConfigWriteAbort;
}

/// <summary>Receives trace events. Implementations must not throw.</summary>
public interface ITraceSink
{
    void Emit(in TraceEvent e);
}
