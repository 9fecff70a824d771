using PciEmu.Core;
using PciEmu.Core.Tracing;

namespace PciEmu.Fabric;

/// <summary>
/// Counters of the CPU bus: bus cycles by space, config accesses by mechanism × width × direction, and cycles by
/// phase and by Bdf. Counting allocates only when a phase or bus is seen for the first time.
/// </summary>
public sealed class CycleStats
{
    private const int MechanismCount = 4;
    private const int WidthSlots = 3;
    private readonly long[] _accesses = new long[MechanismCount * WidthSlots * 2];
    private readonly long[] _accessCycles = new long[MechanismCount * WidthSlots * 2];
    private long[] _phaseCycles = new long[8];
    private long[] _phaseAccesses = new long[8];
    // Per bus: cycles at [devFn * 2], accesses at [devFn * 2 + 1] (one array, one bounds check per access).
    private const int BdfSlots = 2;
    private readonly long[]?[] _bdf = new long[]?[256];

    public long PortCycles { get; private set; }
    public long MmioCycles { get; private set; }
    public long TotalCycles { get; private set; }
    public long ConfigAborts { get; private set; }

    public long BusCycles => PortCycles + MmioCycles;

    private static int WidthSlot(int width) => width switch { 1 => 0, 2 => 1, _ => 2 };

    private static int Slot(AccessMechanism m, int width, bool write) => (((int)m * WidthSlots) + WidthSlot(width)) * 2 + (write ? 1 : 0);

    internal void RecordBus(bool port, long cost, int phase)
    {
        if (port) PortCycles++;
        else MmioCycles++;
        TotalCycles += cost;
        EnsurePhase(phase);
        _phaseCycles[phase] += cost;
    }

    internal void AddCycles(long cost, int phase)
    {
        TotalCycles += cost;
        EnsurePhase(phase);
        _phaseCycles[phase] += cost;
    }

    internal void RecordConfig(AccessMechanism m, int width, bool write, Bdf bdf, long cost, int phase, bool abort)
    {
        var s = Slot(m, width, write);
        _accesses[s]++;
        _accessCycles[s] += cost;
        EnsurePhase(phase);
        _phaseAccesses[phase]++;
        if (abort) ConfigAborts++;
        var perBus = _bdf[bdf.Bus] ??= new long[Bdf.DevFnCount * BdfSlots];
        var i = bdf.DevFn * BdfSlots;
        perBus[i] += cost;
        perBus[i + 1]++;
    }

    private void EnsurePhase(int phase)
    {
        if ((uint)phase < (uint)_phaseCycles.Length) return;
        Grow(phase);
    }

    private void Grow(int phase)
    {
        Array.Resize(ref _phaseCycles, Math.Max(phase + 1, _phaseCycles.Length * 2));
        Array.Resize(ref _phaseAccesses, _phaseCycles.Length);
    }

    /// <summary>Config accesses through <paramref name="m"/> of <paramref name="width"/> bytes.</summary>
    public long ConfigAccesses(AccessMechanism m, int width, bool write) => _accesses[Slot(m, width, write)];

    public long ConfigAccessCycles(AccessMechanism m, int width, bool write) => _accessCycles[Slot(m, width, write)];

    public long ConfigAccesses(AccessMechanism m)
    {
        long n = 0;
        foreach (var w in (ReadOnlySpan<int>)[1, 2, 4])
        {
            n += _accesses[Slot(m, w, false)] + _accesses[Slot(m, w, true)];
        }
        return n;
    }

    public long TotalConfigAccesses => ConfigAccesses(AccessMechanism.Cf8Cfc) + ConfigAccesses(AccessMechanism.Ecam) + ConfigAccesses(AccessMechanism.Rtas);

    public long PhaseCycles(int phase) => phase < _phaseCycles.Length ? _phaseCycles[phase] : 0;
    public long PhaseAccesses(int phase) => phase < _phaseAccesses.Length ? _phaseAccesses[phase] : 0;

    public long BdfCycles(Bdf bdf) => _bdf[bdf.Bus]?[bdf.DevFn * BdfSlots] ?? 0;
    public long BdfAccesses(Bdf bdf) => _bdf[bdf.Bus]?[bdf.DevFn * BdfSlots + 1] ?? 0;

    /// <summary>Every Bdf that saw at least one config access, in bus order.</summary>
    public IEnumerable<Bdf> SeenBdfs()
    {
        for (var bus = 0; bus < 256; bus++)
        {
            if (_bdf[bus] is not { } arr) continue;
            for (var devFn = 0; devFn < Bdf.DevFnCount; devFn++)
            {
                if (arr[devFn * BdfSlots + 1] != 0) yield return Bdf.FromDevFn(bus, devFn);
            }
        }
    }
}
