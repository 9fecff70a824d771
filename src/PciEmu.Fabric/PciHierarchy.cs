using PciEmu.Core;

namespace PciEmu.Fabric;

/// <summary>The outcome of routing one config cycle.</summary>
public enum ConfigRouteResult : byte
{
    Claimed,

    /// <summary>No bus with that number is reachable, or no function at that devfn: master abort.</summary>
    MasterAbort,

    /// <summary>A function exists but is hidden (unpowered slot, hot-plugged function &gt; 0 without function 0).</summary>
    Hidden,
}

/// <summary>A routed config cycle: the function that claims it, its bus, and how many bridges it crossed.</summary>
public readonly record struct ConfigRoute(ConfigRouteResult Result, PciFunction? Function, PciBus? Bus, int Hops);

/// <summary>A PCI domain: the root bus and the routing of config cycles through bridges.</summary>
public sealed class PciHierarchy(PciBus root)
{
    private const int BusNumbers = 256;

    // FindBus results per bus number, valid while the entry's epoch equals the hierarchy's routing epoch. Without
    // it every config cycle walks the children of each bus on its path (193 of them on the root bus of a 256-bus
    // q35), i.e. cost grows with the number of bridges. One array of entries: one bounds check, one cache line.
    private readonly CacheEntry[] _cache = CreateEmptyCache();
    private readonly RoutingEpoch _epoch = root.Epoch;

    private struct CacheEntry
    {
        public long Epoch;
        public PciBus? Bus;
        public int Hops;

        // Facts of Bus that never change while it exists, kept here so that the fast path touches one cache line:
        // its devfn slots, the bridge above it, and pci_adjust_config_limit's answer for 4 KiB functions.
        public PciFunction?[]? Slots;
        public PciBridgeFunction? ParentBridge;
        public int ExpressLimit;
    }

    public PciBus Root { get; } = root;

    private static CacheEntry[] CreateEmptyCache()
    {
        var a = new CacheEntry[BusNumbers];
        for (var i = 0; i < a.Length; i++) a[i].Epoch = -1L;
        return a;
    }

    /// <summary>pci_find_bus_nr (QEMU 7.2): match by number first, else descend into the first child whose
    /// secondary..subordinate range covers the bus, unless that bridge holds its secondary bus in reset.</summary>
    public PciBus? FindBus(int busNumber, out int hops)
    {
        if ((uint)busNumber >= BusNumbers) return Walk(busNumber, out hops);
        ref var entry = ref _cache[busNumber];
        var epoch = _epoch.Value;
        if (entry.Epoch == epoch)
        {
            hops = entry.Hops;
            return entry.Bus;
        }
        var bus = Walk(busNumber, out hops);
        Fill(ref entry, bus, hops, epoch);
        return bus;
    }

    private static void Fill(ref CacheEntry entry, PciBus? bus, int hops, long epoch)
    {
        entry.Bus = bus;
        entry.Hops = hops;
        entry.Slots = bus?.Slots;
        entry.ParentBridge = bus?.ParentBridge;
        entry.ExpressLimit = bus is { AllowsExtendedConfig: false } ? ConfigSpace.ConventionalSize : ConfigSpace.ExpressSize;
        entry.Epoch = epoch;
    }

    /// <summary>
    /// The fast path of <see cref="Route"/> followed by <see cref="ConfigLimit"/>, through the same cache: the function
    /// at (bus, devfn) when the cycle is claimed by a visible function that is not hot-plugged, with its hops and
    /// config limit; null with <paramref name="absent"/> set when the cycle master-aborts; null with
    /// <paramref name="absent"/> clear when <see cref="Route"/> must decide (hot-plugged or hidden functions).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal PciFunction? FastTarget(int busNumber, int devFn, out int hops, out int limit, out bool absent)
    {
        // busNumber is a decoded byte (0..255), so the entry exists.
        ref var entry = ref _cache[busNumber];
        if (entry.Epoch != _epoch.Value) FindBus(busNumber, out _);
        hops = entry.Hops;
        limit = 0;
        var slots = entry.Slots;
        if (slots is null)
        {
            absent = true;
            return null;
        }
        var f = slots[devFn & (Bdf.DevFnCount - 1)];
        absent = f is null;
        if (f is null || f.Hotplugged || !f.HasPower || entry.ParentBridge is { SecondaryPowered: false }) return null;
        var size = f.Config.Size;
        limit = size > entry.ExpressLimit ? entry.ExpressLimit : size;
        return f;
    }

    /// <summary>The uncached walk of <see cref="FindBus"/>.</summary>
    private PciBus? Walk(int busNumber, out int hops)
    {
        hops = 0;
        var bus = Root;
        if (bus.Number == busNumber) return bus;
        while (true)
        {
            PciBus? next = null;
            for (var i = 0; i < bus.ChildCount; i++)
            {
                var sec = bus.ChildAt(i);
                if (sec.Number == busNumber)
                {
                    hops++;
                    return sec;
                }
                if (SecondaryBusInRange(sec.ParentBridge!, busNumber))
                {
                    next = sec;
                    break;
                }
            }
            if (next is null) return null;
            hops++;
            bus = next;
        }
    }

    /// <summary>pci_secondary_bus_in_range.</summary>
    private static bool SecondaryBusInRange(PciBridgeFunction bridge, int busNumber) =>
        !bridge.SecondaryBusResetAsserted && bridge.SecondaryBus <= busNumber && busNumber <= bridge.SubordinateBus;

    /// <summary>Routes a config cycle to (bus, devfn) and applies pci_host_config_*_common's visibility rules.</summary>
    public ConfigRoute Route(int busNumber, int devFn)
    {
        var bus = FindBus(busNumber, out var hops);
        if (bus is null) return new ConfigRoute(ConfigRouteResult.MasterAbort, null, null, hops);
        var f = bus[devFn];
        if (f is null) return new ConfigRoute(ConfigRouteResult.MasterAbort, null, bus, hops);
        if ((f.Hotplugged && bus.FunctionZeroFor(devFn) is null) || !f.HasPower || bus.ParentBridge is { SecondaryPowered: false })
            return new ConfigRoute(ConfigRouteResult.Hidden, f, bus, hops);
        return new ConfigRoute(ConfigRouteResult.Claimed, f, bus, hops);
    }

    /// <summary>pci_adjust_config_limit applied to the function's config size.</summary>
    public static int ConfigLimit(PciFunction f, PciBus bus) =>
        f.ConfigSize > ConfigSpace.ConventionalSize && !bus.AllowsExtendedConfig ? ConfigSpace.ConventionalSize : f.ConfigSize;

    /// <summary>Every bus, depth first, parents before children, siblings in creation order.</summary>
    public IEnumerable<PciBus> AllBuses()
    {
        var stack = new Stack<PciBus>();
        stack.Push(Root);
        while (stack.Count > 0)
        {
            var b = stack.Pop();
            yield return b;
            foreach (var c in b.Children) stack.Push(c);
        }
    }

    /// <summary>Finds the bus a qdev bus name refers to ("pcie.0", "pci.0" or a bridge id).</summary>
    public PciBus? FindBusByName(string name) => AllBuses().FirstOrDefault(b => b.Name == name);

    /// <summary>Finds a function by qdev id.</summary>
    public (PciBus Bus, int DevFn, PciFunction Function)? FindById(string id)
    {
        foreach (var b in AllBuses())
        {
            foreach (var (devFn, f) in b.Functions)
            {
                if (f.Id == id) return (b, devFn, f);
            }
        }
        return null;
    }
}
