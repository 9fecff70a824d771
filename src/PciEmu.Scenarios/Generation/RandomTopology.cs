using System.Globalization;
using System.Text;

namespace PciEmu.Scenarios.Generation;

/// <summary>One generated topology: the QEMU options, an optional hot-plug, and the scenario file that reproduces it.</summary>
public sealed record RandomTopology(int Seed, string Machine, string Memory, IReadOnlyList<string> Devices, string? HotplugDevice)
{
    /// <summary>Bridges and buses the topology asks for (bus 0 included).</summary>
    public int Buses { get; init; }
    public int Depth { get; init; }

    /// <summary>
    /// A bus-reserve no larger than the buses below was drawn: SeaBIOS 1.16.2 rewinds its bus counter, bus numbers
    /// overlap (or loop until its stack overflows). The scenario then runs firmware only: no real kernel was recorded
    /// on such a hierarchy to compare with.
    /// </summary>
    public bool RewindsBusCounter { get; init; }

    /// <summary>A scenario file for <c>pciemu run FILE</c>: firmware seabios, kernel linux, the devices, the hot-plug.</summary>
    public string ToScenarioText(IEnumerable<string>? headerComments = null)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# pciemu sweep seed {Seed}: {Buses} buses, depth {Depth}. Reproduce: pciemu run FILE --check\n");
        foreach (var c in headerComments ?? []) sb.Append("# ").Append(c.Replace('\n', ' ')).Append('\n');
        sb.Append("-M ").Append(Machine).Append('\n');
        sb.Append("-m ").Append(Memory).Append('\n');
        sb.Append("-nodefaults\n");
        foreach (var d in Devices) sb.Append("-device ").Append(d).Append('\n');
        sb.Append("firmware seabios\n");
        if (RewindsBusCounter) sb.Append("# firmware only: a bus-reserve no larger than the buses below rewinds SeaBIOS's bus counter\n");
        else sb.Append("kernel linux\n");
        if (HotplugDevice is not null) sb.Append("device_add ").Append(HotplugDevice).Append('\n');
        return sb.ToString();
    }
}

/// <summary>
/// A seeded generator of valid pc/q35 topologies over every modelled bridge and endpoint and their properties
/// (pci-bridge chassis_nr/shpc, pcie-root-port chassis/slot/hotplug and the *-reserve properties, pcie-pci-bridge,
/// x3130-upstream + xio3130-downstream, ioh3420, pci-testdev membar, e1000, e1000e, virtio-net-pci,
/// virtio-rng-pci), bridge nesting up to <see cref="MaxDepth"/> and at most <see cref="MaxBuses"/> buses.
/// It stays inside what QEMU accepts (PCIe ports take one device at slot 0, SHPC slots are 1-31, unique chassis/slot
/// pairs). bus-reserve is mostly above the buses already below a bridge; in <see cref="RewindingBusReservePercent"/>
/// of the draws (from a second random stream, so the other draws of a seed stay as they were) it is 0…the buses
/// below, which rewinds SeaBIOS 1.16.2's bus counter — behind nested bridges that can loop the bus numbering until
/// SeaBIOS's stack overflows (conformance random/fw-010; docs/robustness.md).
/// </summary>
public static class RandomTopologyGenerator
{
    public const int MaxDepth = 4;
    public const int MaxBuses = 256;
    private const int PcFirstFreeSlot = 2;
    private const int Q35FirstFreeSlot = 1;
    private const int Q35LastFreeSlot = 0x1e;
    private const int LastSlot = 31;
    private const int ShpcFirstSlot = 1;

    private const int Percent = 100;
    private const int SmallPercent = 70;
    private const int LargeFromPercent = 95;
    private const int SmallDevices = 7;
    private const int MediumDevices = 40;
    private const int LargeDevicesMin = 300;
    private const int LargeDevicesMax = 1200;
    private const int Q35Percent = 60;
    private const int Q35PercentLarge = 85;
    private const int PortOccupiedPercent = 75;
    private const int BridgePercentRoot = 70;
    private const int BridgePercentDeep = 45;
    private const int BridgePercentLarge = 85;
    private const int RootPortHotplugPercent = 90;
    private const int ShpcPercent = 80;
    private const int ShpcPercentLarge = 20;
    private const int MemBarPercent = 60;
    private const int ReservePercent = 40;
    private const int Pref32Percent = 50;
    private const int MaxExtraReservedBuses = 4;

    /// <summary>Share of bus-reserve draws that take a value no larger than the buses below (SeaBIOS rewinds its counter).</summary>
    public const int RewindingBusReservePercent = 30;
    private const int SideStreamSalt = 0x5eab105;

    /// <summary>Devices per bus: up to 7 in small and medium topologies, up to 24 in large ones (which reach ~256 buses).</summary>
    private const int SmallFanOut = 7;
    private const int LargeFanOut = 24;

    private static readonly string[] Endpoints = ["pci-testdev", "e1000", "e1000e", "virtio-net-pci", "virtio-rng-pci"];
    private static readonly string[] Memories = ["512M", "1G", "2G", "3G", "4G"];
    private static readonly string[] MemBars = ["4K", "1M", "16M", "256M", "1G", "4G"];
    private static readonly string[] IoReserves = ["0", "4K", "8K"];
    private static readonly string[] MemReserves = ["1M", "2M", "8M", "64M", "512M"];
    private static readonly string[] Pref32Reserves = ["2M", "32M", "256M", "1G"];
    private static readonly string[] Pref64Reserves = ["2M", "256M", "1G", "8G"];

    private enum BusKind
    {
        PcRoot,
        PcieRoot,
        PciePort,
        SwitchInternal,
        Conventional,
        ConventionalShpc,
    }

    private sealed class Bus(string name, BusKind kind, int depth, bool hotplug)
    {
        public string Name { get; } = name;
        public BusKind Kind { get; } = kind;
        public int Depth { get; } = depth;
        public bool Hotplug { get; } = hotplug;
        public HashSet<int> UsedSlots { get; } = [];
    }

    private sealed class State(Random rng, Random side, int rewindPercent)
    {
        public int RewindPercent { get; } = rewindPercent;
        public Random Rng { get; } = rng;

        /// <summary>Draws added after seeds were pinned by tests: they leave <see cref="Rng"/>'s sequence unchanged.</summary>
        public Random Side { get; } = side;
        public List<string> Devices { get; } = [];
        public List<Bus> Buses { get; } = [];
        public int BusesLeft { get; set; } = MaxBuses - 1;
        public int DevicesLeft { get; set; }
        public int NextId { get; set; }
        public int NextChassis { get; set; } = 1;
        public int MaxDepthSeen { get; set; }
        public int FanOut { get; set; }
        public bool Rewinds { get; set; }

        /// <summary>Large topologies: more bridges, fewer SHPC reservations, so they reach ~256 buses.</summary>
        public bool Large { get; set; }
        public Bus Add(Bus b)
        {
            Buses.Add(b);
            return b;
        }

        public T Pick<T>(IReadOnlyList<T> items) => items[Rng.Next(items.Count)];
        public bool Chance(int percent) => Rng.Next(Percent) < percent;
    }

    /// <param name="seed">The seed.</param>
    /// <param name="rewindingBusReservePercent">
    /// The share of bus-reserve draws that rewind SeaBIOS's counter; 0 gives the topologies seeds gave before such
    /// draws existed (the seeds pinned by tests were found then).
    /// </param>
    public static RandomTopology Generate(int seed, int rewindingBusReservePercent = RewindingBusReservePercent)
    {
        var st = new State(new Random(seed), new Random(seed ^ SideStreamSalt), rewindingBusReservePercent);
        var sizeRoll = st.Rng.Next(Percent);
        st.Large = sizeRoll >= LargeFromPercent;
        var q35 = st.Chance(st.Large ? Q35PercentLarge : Q35Percent);
        st.DevicesLeft = sizeRoll < SmallPercent ? st.Rng.Next(1, SmallDevices + 1)
            : sizeRoll < LargeFromPercent ? st.Rng.Next(SmallDevices + 1, MediumDevices) : st.Rng.Next(LargeDevicesMin, LargeDevicesMax);
        st.FanOut = sizeRoll < LargeFromPercent ? SmallFanOut : LargeFanOut;
        var root = new Bus(q35 ? "pcie.0" : "pci.0", q35 ? BusKind.PcieRoot : BusKind.PcRoot, 0, !q35);
        st.Buses.Add(root);
        Populate(st, root);
        var memory = st.Pick(Memories);
        var used = MaxBuses - st.BusesLeft;
        return new RandomTopology(seed, q35 ? "q35" : "pc", memory, st.Devices, Hotplug(st))
        {
            Buses = used,
            Depth = st.MaxDepthSeen,
            RewindsBusCounter = st.Rewinds,
        };
    }

    /// <summary>Fills one bus with devices; returns the number of buses used below it (for bus-reserve).</summary>
    private static int Populate(State st, Bus bus)
    {
        var (first, last) = bus.Kind switch
        {
            BusKind.PcRoot => (PcFirstFreeSlot, LastSlot),
            BusKind.PcieRoot => (Q35FirstFreeSlot, Q35LastFreeSlot),
            BusKind.PciePort => (0, 0),
            BusKind.ConventionalShpc => (ShpcFirstSlot, LastSlot),
            _ => (0, LastSlot),
        };
        var count = bus.Kind == BusKind.PciePort ? (st.Chance(PortOccupiedPercent) ? 1 : 0) : st.Rng.Next(1, Math.Min(st.FanOut, last - first + 1) + 1);
        var below = 0;
        for (var i = 0; i < count && st.DevicesLeft > 0; i++)
        {
            var slot = FreeSlot(st, bus, first, last);
            if (slot < 0) break;
            st.DevicesLeft--;
            below += AddDevice(st, bus, slot);
        }
        return below;
    }

    private static int FreeSlot(State st, Bus bus, int first, int last)
    {
        var free = Enumerable.Range(first, last - first + 1).Where(s => !bus.UsedSlots.Contains(s)).ToList();
        if (free.Count == 0) return -1;
        var slot = st.Pick(free);
        bus.UsedSlots.Add(slot);
        return slot;
    }

    private static string Addr(int slot) => $"addr=0x{slot:x}.0";

    private static int AddDevice(State st, Bus bus, int slot)
    {
        var canBridge = bus.Depth < MaxDepth && st.BusesLeft > 0 && st.Chance(st.Large && bus.Depth < MaxDepth - 1 ? BridgePercentLarge : bus.Depth == 0 ? BridgePercentRoot : BridgePercentDeep);
        var driver = canBridge ? PickBridge(st, bus) : null;
        if (driver is null)
        {
            st.Devices.Add($"{Endpoint(st)},id=d{st.NextId++},bus={bus.Name},{Addr(slot)}");
            return 0;
        }
        var id = $"{Short(driver)}{st.NextId++}";
        st.BusesLeft--;
        st.MaxDepthSeen = Math.Max(st.MaxDepthSeen, bus.Depth + 1);
        var index = st.Devices.Count;
        st.Devices.Add(string.Empty);
        string props;
        int below;
        switch (driver)
        {
            case "pcie-root-port" or "ioh3420" or "xio3130-downstream":
            {
                var hotplug = driver != "pcie-root-port" || st.Chance(RootPortHotplugPercent);
                below = Populate(st, st.Add(new Bus(id, BusKind.PciePort, bus.Depth + 1, hotplug)));
                props = Chassis(st) + (hotplug ? string.Empty : ",hotplug=off");
                if (driver == "pcie-root-port") props += Reserves(st, ref below);
                break;
            }
            case "x3130-upstream":
                below = Populate(st, st.Add(new Bus(id, BusKind.SwitchInternal, bus.Depth + 1, false)));
                props = string.Empty;
                break;
            case "pcie-pci-bridge":
                below = Populate(st, st.Add(new Bus(id, BusKind.ConventionalShpc, bus.Depth + 1, true)));
                props = string.Empty;
                break;
            default:
            {
                var shpc = st.Chance(st.Large ? ShpcPercentLarge : ShpcPercent);
                below = Populate(st, st.Add(new Bus(id, shpc ? BusKind.ConventionalShpc : BusKind.Conventional, bus.Depth + 1, shpc || bus.Kind == BusKind.PcRoot)));
                props = $",chassis_nr={st.NextChassis++ % byte.MaxValue + 1}" + (shpc ? string.Empty : ",shpc=off") + Reserves(st, ref below);
                break;
            }
        }
        st.Devices[index] = $"{driver},id={id},bus={bus.Name},{Addr(slot)}{props}";
        return 1 + below;
    }

    private static string? PickBridge(State st, Bus bus) => bus.Kind switch
    {
        BusKind.PcRoot or BusKind.Conventional or BusKind.ConventionalShpc => "pci-bridge",
        BusKind.PcieRoot => st.Pick(["pcie-root-port", "pcie-root-port", "pcie-root-port", "ioh3420", "pcie-pci-bridge"]),
        BusKind.PciePort => st.Pick(["x3130-upstream", "x3130-upstream", "pcie-pci-bridge"]),
        _ => "xio3130-downstream",
    };

    private static string Short(string driver) => driver switch
    {
        "pcie-root-port" => "rp",
        "ioh3420" => "ioh",
        "xio3130-downstream" => "dp",
        "x3130-upstream" => "up",
        "pcie-pci-bridge" => "ppb",
        _ => "br",
    };

    private static string Chassis(State st)
    {
        var n = st.NextChassis++;
        return $",chassis={n % byte.MaxValue + 1},slot={n}";
    }

    private static string Endpoint(State st)
    {
        var driver = st.Pick(Endpoints);
        return driver == "pci-testdev" && st.Chance(MemBarPercent) ? $"{driver},membar={st.Pick(MemBars)}" : driver;
    }

    /// <summary>The *-reserve properties: each with some chance; pref32 and pref64 never together (QEMU rejects it); bus-reserve above the buses below (which it then grows), or sometimes 0…the buses below (a rewind).</summary>
    private static string Reserves(State st, ref int busesBelow)
    {
        if (!st.Chance(ReservePercent)) return string.Empty;
        var sb = new StringBuilder();
        if (st.Chance(ReservePercent) && st.BusesLeft > 0)
        {
            var extra = st.Rng.Next(1, Math.Min(MaxExtraReservedBuses, st.BusesLeft) + 1);
            st.BusesLeft -= extra;
            var rewind = st.Side.Next(Percent) < st.RewindPercent;
            st.Rewinds |= rewind;
            var value = rewind ? st.Side.Next(busesBelow + 1) : busesBelow + extra;
            busesBelow += extra;
            sb.Append(CultureInfo.InvariantCulture, $",bus-reserve={value}");
        }
        if (st.Chance(ReservePercent)) sb.Append(",io-reserve=").Append(st.Pick(IoReserves));
        if (st.Chance(ReservePercent)) sb.Append(",mem-reserve=").Append(st.Pick(MemReserves));
        if (st.Chance(ReservePercent)) sb.Append(st.Chance(Pref32Percent) ? ",pref32-reserve=" + st.Pick(Pref32Reserves) : ",pref64-reserve=" + st.Pick(Pref64Reserves));
        return sb.ToString();
    }

    /// <summary>One device_add into a slot that can take it: an empty hot-plug PCIe port, a free SHPC slot, pc's root bus.</summary>
    private static string? Hotplug(State st)
    {
        var candidates = new List<(Bus Bus, int Slot)>();
        foreach (var b in st.Buses)
        {
            if (!b.Hotplug) continue;
            if (b.Kind == BusKind.PciePort && b.UsedSlots.Count == 0) candidates.Add((b, 0));
            if (b.Kind is BusKind.ConventionalShpc or BusKind.PcRoot or BusKind.Conventional)
            {
                var first = b.Kind == BusKind.PcRoot ? PcFirstFreeSlot : b.Kind == BusKind.ConventionalShpc ? ShpcFirstSlot : 0;
                var free = Enumerable.Range(first, LastSlot - first + 1).FirstOrDefault(s => !b.UsedSlots.Contains(s), -1);
                if (free >= 0) candidates.Add((b, free));
            }
        }
        if (candidates.Count == 0) return null;
        var (bus, slot) = st.Pick(candidates);
        return $"{Endpoint(st)},id=hp,bus={bus.Name},{Addr(slot)}";
    }
}
