using System.Runtime.CompilerServices;
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

    // Per mechanism × width × direction: the count at [slot * 2], its cycles at [slot * 2 + 1].
    private readonly long[] _slots = new long[MechanismCount * WidthSlots * 2 * 2];

    // Per phase: cycles at [phase * 2], config accesses at [phase * 2 + 1] (one array, one bounds check per access).
    private long[] _phases = new long[8 * 2];

    // Per bus: cycles at [devFn * 2], accesses at [devFn * 2 + 1].
    private const int BdfSlots = 2;
    private readonly long[]?[] _bdf = new long[]?[256];

    public long PortCycles { get; private set; }
    public long MmioCycles { get; private set; }

    /// <summary>All cycles charged: every bus cycle and every bridge hop (the sum over phases).</summary>
    public long TotalCycles
    {
        get
        {
            long n = 0;
            for (var i = 0; i < _phases.Length; i += 2) n += _phases[i];
            return n;
        }
    }

    public long ConfigAborts { get; private set; }

    public long BusCycles => PortCycles + MmioCycles;

    private static int WidthSlot(int width) => width switch { 1 => 0, 2 => 1, _ => 2 };

    /// <summary>The counter slot of (mechanism, width, direction).</summary>
    internal static int Slot(AccessMechanism m, int width, bool write) => (((int)m * WidthSlots) + WidthSlot(width)) * 2 + (write ? 1 : 0);

    internal void RecordBus(bool port, long cost, int phase)
    {
        if (port) PortCycles++;
        else MmioCycles++;
        PhaseSlot(phase) += cost;
    }

    internal void AddCycles(long cost, int phase) => PhaseSlot(phase) += cost;

    internal void RecordConfig(AccessMechanism m, int width, bool write, Bdf bdf, long cost, int phase, bool abort)
    {
        if (abort) ConfigAborts++;
        RecordConfig(Slot(m, width, write), bdf.Bus, bdf.DevFn, cost, phase);
    }

    /// <summary>
    /// The untraced read of the fast path: one bus cycle of <paramref name="cycleCost"/> (bus cost plus bridge hops) and
    /// the config access it carried, of <paramref name="configCost"/>, exactly as <see cref="RecordBus"/>,
    /// <see cref="AddCycles"/> and <see cref="RecordConfig(AccessMechanism, int, bool, Bdf, long, int, bool)"/> count them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void RecordRead(bool port, long cycleCost, int slot, int bus, int devFn, long configCost, int phase, bool abort)
    {
        if (port) PortCycles++;
        else MmioCycles++;
        if (abort) ConfigAborts++;
        var phases = _phases;
        var p = phase * 2;
        if ((uint)(p + 1) >= (uint)phases.Length)
        {
            phases = GrowPhases(phase);
        }
        phases[p] += cycleCost;
        phases[p + 1]++;
        CountConfig(slot, bus, devFn, configCost);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RecordConfig(int slot, int bus, int devFn, long cost, int phase)
    {
        PhaseSlot(phase, 1)++;
        CountConfig(slot, bus, devFn, cost);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CountConfig(int slot, int bus, int devFn, long cost)
    {
        var s = _slots;
        var i = slot * 2;
        s[i]++;
        s[i + 1] += cost;
        var perBus = _bdf[bus] ?? NewBus(bus);
        var d = devFn * BdfSlots;
        perBus[d] += cost;
        perBus[d + 1]++;
    }

    private long[] NewBus(int bus) => _bdf[bus] = new long[Bdf.DevFnCount * BdfSlots];

    private ref long PhaseSlot(int phase, int which = 0)
    {
        var i = phase * 2 + which;
        var phases = _phases;
        if ((uint)i >= (uint)phases.Length) phases = GrowPhases(phase);
        return ref phases[i];
    }

    private long[] GrowPhases(int phase)
    {
        Array.Resize(ref _phases, Math.Max((phase + 1) * 2, _phases.Length * 2));
        return _phases;
    }

    /// <summary>Config accesses through <paramref name="m"/> of <paramref name="width"/> bytes.</summary>
    public long ConfigAccesses(AccessMechanism m, int width, bool write) => _slots[Slot(m, width, write) * 2];

    public long ConfigAccessCycles(AccessMechanism m, int width, bool write) => _slots[Slot(m, width, write) * 2 + 1];

    public long ConfigAccesses(AccessMechanism m)
    {
        long n = 0;
        foreach (var w in (ReadOnlySpan<int>)[1, 2, 4])
        {
            n += ConfigAccesses(m, w, false) + ConfigAccesses(m, w, true);
        }
        return n;
    }

    public long TotalConfigAccesses => ConfigAccesses(AccessMechanism.Cf8Cfc) + ConfigAccesses(AccessMechanism.Ecam) + ConfigAccesses(AccessMechanism.Rtas);

    public long PhaseCycles(int phase) => (uint)phase < (uint)(_phases.Length / 2) ? _phases[phase * 2] : 0;
    public long PhaseAccesses(int phase) => (uint)phase < (uint)(_phases.Length / 2) ? _phases[phase * 2 + 1] : 0;

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
