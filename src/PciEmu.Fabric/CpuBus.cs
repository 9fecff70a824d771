using PciEmu.Core;
using PciEmu.Core.Tracing;

namespace PciEmu.Fabric;

/// <summary>A device on the CPU's port-I/O space; ports passed to it are absolute.</summary>
public interface IPortHandler
{
    uint Read(ushort port, int width);
    void Write(ushort port, int width, uint value);
}

/// <summary>A device on the CPU's memory space; offsets passed to it are relative to the region start.</summary>
public interface IMmioHandler
{
    ulong Read(ulong offset, int width);
    void Write(ulong offset, int width, ulong value);
}

/// <summary>
/// The CPU side: a 64 KiB port-I/O space and a 64-bit memory space with prioritised regions, the cycle counter,
/// the cost model, counters, phases and the trace sink. Every access here is one CPU-bus cycle.
/// </summary>
public sealed class CpuBus
{
    private readonly record struct PortRegion(ushort Start, int Length, IPortHandler Handler, int Priority);

    private readonly record struct MmioRegion(ulong Start, ulong Size, IMmioHandler Handler, int Priority);

    private PortRegion[] _ports = [];
    private MmioRegion[] _mmio = [];

    private ICostModel _cost = CostProfiles.BareMetal;

    public CpuBus(ICostModel? cost = null)
    {
        Cost = cost ?? CostProfiles.BareMetal;
    }

    /// <summary>The cost model; its three figures are read when it is assigned (the access path does not call it).</summary>
    public ICostModel Cost
    {
        get => _cost;
        set
        {
            _cost = value;
            PortCost = value.PortAccess;
            MmioCost = value.MmioAccess;
            HopCost = value.BridgeHop;
        }
    }

    /// <summary><see cref="ICostModel.PortAccess"/> of the current model.</summary>
    internal long PortCost { get; private set; }

    /// <summary><see cref="ICostModel.MmioAccess"/> of the current model.</summary>
    internal long MmioCost { get; private set; }

    /// <summary><see cref="ICostModel.BridgeHop"/> of the current model.</summary>
    internal long HopCost { get; private set; }
    public ITraceSink? Trace { get; set; }
    public CycleStats Stats { get; private set; } = new();
    public PhaseTracker Phases { get; } = new();

    /// <summary>Number of CPU-bus cycles so far (the sequence number of the last one).</summary>
    public long Sequence { get; private set; }

    /// <summary>CPU cycles elapsed under the cost model: the fabric's clock.</summary>
    public long Cycle { get; private set; }

    /// <summary>What an unclaimed memory read returns (x86: 0; arm virt with allow-unmapped-accesses: all ones).</summary>
    public bool UnclaimedMmioReadsOnes { get; set; }

    /// <summary>Clears counters (not the clock).</summary>
    public void ResetStats() => Stats = new CycleStats();

    public void MapPort(ushort start, int length, IPortHandler handler, int priority = 0)
    {
        var list = _ports.ToList();
        list.Add(new PortRegion(start, length, handler, priority));
        _ports = [.. list.OrderByDescending(r => r.Priority)];
        UpdateFastPorts();
    }

    public void MapMmio(ulong start, ulong size, IMmioHandler handler, int priority = 0)
    {
        var list = _mmio.ToList();
        list.Add(new MmioRegion(start, size, handler, priority));
        _mmio = [.. list.OrderByDescending(r => r.Priority)];
        UpdateFastMmio();
    }

    public void UnmapMmio(IMmioHandler handler)
    {
        _mmio = _mmio.Where(r => !ReferenceEquals(r.Handler, handler)).ToArray();
        UpdateFastMmio();
    }

    // The config fast path (tracing off): the ECAM window and the CF8/CFC host, called directly (no region scan, no
    // interface dispatch) when the region lookup is known to answer them. Recomputed whenever a region is mapped or
    // unmapped, so the lookup's answer (priority order, first match) is unchanged.
    private EcamHost? _fastEcam;
    private ulong _fastEcamStart;
    private ulong _fastEcamSize;
    private Cf8CfcHost? _fastCf8;

    /// <summary>The first ECAM window no earlier region overlaps: every address in it is claimed by it.</summary>
    private void UpdateFastMmio()
    {
        _fastEcam = null;
        _fastEcamStart = 0;
        _fastEcamSize = 0;
        for (var i = 0; i < _mmio.Length; i++)
        {
            if (_mmio[i].Handler is not EcamHost ecam || _mmio[i].Size == 0) continue;
            var r = _mmio[i];
            var shadowed = false;
            for (var j = 0; j < i; j++)
            {
                var o = _mmio[j];
                if (o.Size != 0 && o.Start <= r.Start + (r.Size - 1) && r.Start <= o.Start + (o.Size - 1)) shadowed = true;
            }
            if (shadowed) continue;
            _fastEcam = ecam;
            _fastEcamStart = r.Start;
            _fastEcamSize = r.Size;
            return;
        }
    }

    /// <summary>The CF8/CFC host, if the port lookup gives it CONFIG_ADDRESS and all four CONFIG_DATA ports.</summary>
    private void UpdateFastPorts()
    {
        _fastCf8 = FindPort(Cf8CfcHost.AddressPort) as Cf8CfcHost;
        for (var p = Cf8CfcHost.DataPort; p < Cf8CfcHost.DataPort + sizeof(uint); p++)
        {
            if (!ReferenceEquals(FindPort(p), _fastCf8)) _fastCf8 = null;
        }
    }

    public IEnumerable<(ulong Start, ulong Size, IMmioHandler Handler)> MmioRegions => _mmio.Select(r => (r.Start, r.Size, r.Handler));

    private static uint Ones(int width) => width >= 4 ? uint.MaxValue : (1u << (8 * width)) - 1;

    private IPortHandler? FindPort(ushort port)
    {
        foreach (ref readonly var r in _ports.AsSpan())
        {
            if (port >= r.Start && port < r.Start + r.Length) return r.Handler;
        }
        return null;
    }

    private IMmioHandler? FindMmio(ulong address, out ulong offset)
    {
        foreach (ref readonly var r in _mmio.AsSpan())
        {
            if (address >= r.Start && address - r.Start < r.Size)
            {
                offset = address - r.Start;
                return r.Handler;
            }
        }
        offset = 0;
        return null;
    }

    // A config event decoded inside a read cycle is held until the read's own bus event has been emitted, so the
    // trace always shows the bus cycle first and the config access it carried second.
    private bool _inRead;
    private int _pendingCount;
    private TraceEvent _pending0;
    private TraceEvent _pending1;

    private void BeginCycle(bool port)
    {
        Sequence++;
        var cost = port ? PortCost : MmioCost;
        Cycle += cost;
        Stats.RecordBus(port, cost, Phases.Current);
    }

    private void EmitBus(TraceEventKind kind, ulong address, int width, uint value) =>
        Trace?.Emit(new TraceEvent(Sequence, Cycle, kind, AccessMechanism.None, (byte)width, address, default, 0, value, 0, 0, Phases.Current));

    private void EndRead(TraceEventKind kind, ulong address, int width, uint value)
    {
        _inRead = false;
        if (Trace is not { } t) return;
        EmitBus(kind, address, width, value);
        // A qword access (split by the region into two dword accesses) carries two config events.
        if (_pendingCount > 0) t.Emit(_pending0);
        if (_pendingCount > 1) t.Emit(_pending1);
        _pendingCount = 0;
    }

    private void Tick(bool port, TraceEventKind kind, ulong address, int width, uint value)
    {
        BeginCycle(port);
        EmitBus(kind, address, width, value);
    }

    /// <summary>IN: one port read of 1, 2 or 4 bytes. Unclaimed ports read all ones.</summary>
    public uint In(ushort port, int width)
    {
        if ((port & ~DataPortMask) == Cf8CfcHost.DataPort && _fastCf8 is { } cf8 && Trace is null && (uint)width <= sizeof(uint)
            && cf8.TryReadDataUntraced(port, width, out var fast))
        {
            return fast;
        }
        BeginCycle(true);
        _inRead = true;
        var h = FindPort(port);
        var value = h is null ? Ones(width) : h.Read(port, width) & Ones(width);
        EndRead(TraceEventKind.PortRead, port, width, value);
        return value;
    }

    /// <summary>OUT: one port write. Unclaimed ports drop the write.</summary>
    public void Out(ushort port, int width, uint value)
    {
        value &= Ones(width);
        if (port == Cf8CfcHost.AddressPort && _fastCf8 is { } cf8 && Trace is null)
        {
            BeginCycle(true);
            cf8.LatchUntraced(width, value);
            return;
        }
        Tick(true, TraceEventKind.PortWrite, port, width, value);
        FindPort(port)?.Write(port, width, value);
    }

    public ulong MmioRead(ulong address, int width)
    {
        if (address - _fastEcamStart < _fastEcamSize && Trace is null && (uint)width <= sizeof(uint)
            && _fastEcam!.TryReadUntraced(address - _fastEcamStart, width, out var fast))
        {
            return fast;
        }
        var h = FindMmio(address, out var offset);
        var mask = width >= 8 ? ulong.MaxValue : (1UL << (8 * width)) - 1;
        BeginCycle(false);
        _inRead = true;
        var value = h is null ? (UnclaimedMmioReadsOnes ? mask : 0) : h.Read(offset, width) & mask;
        EndRead(TraceEventKind.MmioRead, address, Math.Min(width, 4), (uint)value);
        return value;
    }

    public void MmioWrite(ulong address, int width, ulong value)
    {
        Tick(false, TraceEventKind.MmioWrite, address, Math.Min(width, 4), (uint)value);
        FindMmio(address, out var offset)?.Write(offset, width, value);
    }

    private const int DataPortMask = 3;

    /// <summary>
    /// Counts an untraced config read of the fast path and the bus cycle that carried it, as <see cref="BeginCycle"/>,
    /// <see cref="Charge"/> and <see cref="EmitConfigRead"/> / <see cref="EmitConfig"/> would.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void CountUntracedRead(bool port, long hopCost, int slot, int bus, int devFn, long configCost, bool abort)
    {
        Sequence++;
        var cycleCost = (port ? PortCost : MmioCost) + hopCost;
        Cycle += cycleCost;
        Stats.RecordRead(port, cycleCost, slot, bus, devFn, configCost, Phases.Current, abort);
    }

    /// <summary>
    /// One firmware call that carries a config access (PAPR RTAS read-pci-config / write-pci-config): a new sequence
    /// number, charged like one MMIO access (no measured figure for an RTAS call under TCG), no bus event.
    /// </summary>
    internal void BeginFirmwareCall()
    {
        Sequence++;
        Cycle += MmioCost;
        Stats.AddCycles(MmioCost, Phases.Current);
    }

    /// <summary>Charges extra cycles (e.g. bridge hops) to the current access.</summary>
    internal void Charge(long cycles)
    {
        if (cycles == 0) return;
        Cycle += cycles;
        Stats.AddCycles(cycles, Phases.Current);
    }

    internal void EmitConfig(TraceEventKind kind, AccessMechanism via, int width, Bdf bdf, int offset, uint value, uint oldValue, uint newValue, long cost, ulong host = 0)
    {
        var abort = kind is TraceEventKind.ConfigReadAbort or TraceEventKind.ConfigWriteAbort;
        var write = kind is TraceEventKind.ConfigWrite or TraceEventKind.ConfigWriteAbort or TraceEventKind.ConfigWriteBeyondLimit;
        Stats.RecordConfig(via, width, write, bdf, cost, Phases.Current, abort);
        if (Trace is not null) EmitConfigEvent(kind, via, width, bdf, offset, value, oldValue, newValue, host);
    }

    /// <summary>The common case of <see cref="EmitConfig"/>: a claimed read, counted; the trace event only when tracing.</summary>
    internal void EmitConfigRead(AccessMechanism via, int width, Bdf bdf, int offset, uint value, long cost, ulong host = 0)
    {
        Stats.RecordConfig(via, width, write: false, bdf, cost, Phases.Current, abort: false);
        if (Trace is not null) EmitConfigEvent(TraceEventKind.ConfigRead, via, width, bdf, offset, value, 0, 0, host);
    }

    private void EmitConfigEvent(TraceEventKind kind, AccessMechanism via, int width, Bdf bdf, int offset, uint value, uint oldValue, uint newValue, ulong host)
    {
        // Config events carry the host they reached in Address (0 for the machine's own host; a PHB's BUID).
        var e = new TraceEvent(Sequence, Cycle, kind, via, (byte)width, host, bdf, (ushort)offset, value, oldValue, newValue, Phases.Current);
        if (_inRead)
        {
            if (_pendingCount == 0) _pending0 = e;
            else _pending1 = e;
            _pendingCount = Math.Min(_pendingCount + 1, 2);
        }
        else
        {
            Trace!.Emit(e);
        }
    }

    /// <summary>Opens a named phase until the returned scope is disposed.</summary>
    public PhaseScope BeginPhase(string name)
    {
        var id = Phases.Push(name);
        Trace?.Emit(new TraceEvent(Sequence, Cycle, TraceEventKind.PhaseBegin, AccessMechanism.None, 0, 0, default, 0, 0, 0, 0, id));
        return new PhaseScope(this, id);
    }

    internal void EndPhase(int id)
    {
        Phases.Pop();
        Trace?.Emit(new TraceEvent(Sequence, Cycle, TraceEventKind.PhaseEnd, AccessMechanism.None, 0, 0, default, 0, 0, 0, 0, id));
    }
}

/// <summary>An open phase; dispose to close it.</summary>
public readonly struct PhaseScope(CpuBus bus, int id) : IDisposable
{
    public int Id => id;
    public void Dispose() => bus?.EndPhase(id);
}
