using PciEmu.Core;
using PciEmu.Core.Tracing;

namespace PciEmu.Fabric;

/// <summary>
/// The host side of a config cycle, shared by CF8/CFC and ECAM: route by bus number, apply the config limit,
/// call the function, count, cost and trace (pci_host_config_read_common / pci_host_config_write_common).
/// </summary>
public sealed class PciConfigDecoder(PciHierarchy hierarchy, CpuBus cpu)
{
    public PciHierarchy Hierarchy { get; } = hierarchy;
    public CpuBus Cpu { get; } = cpu;

    /// <summary>Which host this decoder serves, for trace events (0: the machine's own; a PHB's BUID otherwise).</summary>
    public ulong HostTag { get; set; }

    private static uint Ones(int width) => width >= 4 ? uint.MaxValue : (1u << (8 * width)) - 1;

    /// <summary>A config read. <paramref name="mechanismLimit"/> is 256 for CF8/CFC, 4096 for ECAM.</summary>
    public uint Read(AccessMechanism via, int busNumber, int devFn, int offset, int width, int mechanismLimit, long busCost)
    {
        var route = Hierarchy.Route(busNumber, devFn);
        var hopCost = route.Hops * Cpu.HopCost;
        Cpu.Charge(hopCost);
        var bdf = Bdf.FromDevFn(busNumber, devFn);
        var cost = busCost + hopCost;
        if (route.Result != ConfigRouteResult.Claimed)
        {
            var kind = route.Result == ConfigRouteResult.MasterAbort ? TraceEventKind.ConfigReadAbort : TraceEventKind.ConfigReadBeyondLimit;
            Cpu.EmitConfig(kind, via, width, bdf, offset, Ones(width), 0, 0, cost, HostTag);
            return Ones(width);
        }
        var f = route.Function!;
        var limit = Math.Min(mechanismLimit, PciHierarchy.ConfigLimit(f, route.Bus!));
        if (offset >= limit)
        {
            Cpu.EmitConfig(TraceEventKind.ConfigReadBeyondLimit, via, width, bdf, offset, Ones(width), 0, 0, cost, HostTag);
            return Ones(width);
        }
        var value = f.ReadConfig(offset, Math.Min(width, limit - offset)) & Ones(width);
        Cpu.EmitConfigRead(via, width, bdf, offset, value, cost, HostTag);
        return value;
    }

    /// <summary>
    /// The fast path of <see cref="Read"/> for an untraced cycle (the caller checked that tracing is off): a read claimed
    /// by a visible function inside its config limit, or a master abort, is routed, read and counted here — the bus
    /// cycle that carries it included (<paramref name="port"/>: a port rather than an MMIO cycle) — exactly as the bus
    /// cycle plus <see cref="Read"/> count it. Anything else (hidden or hot-plugged functions, reads at or across the
    /// config limit) returns false having counted nothing, and the caller takes the full path.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal bool TryReadUntraced(AccessMechanism via, bool port, int busNumber, int devFn, int offset, int width, int mechanismLimit, long busCost, out uint value)
    {
        var f = Hierarchy.FastTarget(busNumber, devFn, out var hops, out var limit, out var absent);
        uint v;
        if (f is not null)
        {
            if (offset + width > Math.Min(mechanismLimit, limit))
            {
                value = 0;
                return false;
            }
            v = f.ReadConfig(offset, width) & Ones(width);
        }
        else if (absent)
        {
            v = Ones(width);
        }
        else
        {
            value = 0;
            return false;
        }
        var hopCost = hops * Cpu.HopCost;
        Cpu.CountUntracedRead(port, hopCost, CycleStats.Slot(via, width, write: false), busNumber, devFn, busCost + hopCost, abort: f is null);
        value = v;
        return true;
    }

    public void Write(AccessMechanism via, int busNumber, int devFn, int offset, int width, uint value, int mechanismLimit, long busCost)
    {
        var route = Hierarchy.Route(busNumber, devFn);
        var hopCost = route.Hops * Cpu.HopCost;
        Cpu.Charge(hopCost);
        var bdf = Bdf.FromDevFn(busNumber, devFn);
        var cost = busCost + hopCost;
        value &= Ones(width);
        if (route.Result != ConfigRouteResult.Claimed)
        {
            var kind = route.Result == ConfigRouteResult.MasterAbort ? TraceEventKind.ConfigWriteAbort : TraceEventKind.ConfigWriteBeyondLimit;
            Cpu.EmitConfig(kind, via, width, bdf, offset, value, 0, 0, cost, HostTag);
            return;
        }
        var f = route.Function!;
        var limit = Math.Min(mechanismLimit, PciHierarchy.ConfigLimit(f, route.Bus!));
        if (offset >= limit)
        {
            Cpu.EmitConfig(TraceEventKind.ConfigWriteBeyondLimit, via, width, bdf, offset, value, 0, 0, cost, HostTag);
            return;
        }
        var w = Math.Min(width, limit - offset);
        if (Cpu.Trace is null)
        {
            f.WriteConfig(offset, w, value);
            Cpu.EmitConfig(TraceEventKind.ConfigWrite, via, width, bdf, offset, value, 0, 0, cost, HostTag);
            return;
        }
        var old = f.Config.Read(offset, w);
        f.WriteConfig(offset, w, value);
        var now = f.Config.Read(offset, w);
        Cpu.EmitConfig(TraceEventKind.ConfigWrite, via, width, bdf, offset, value, old, now, cost, HostTag);
    }
}
