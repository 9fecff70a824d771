using PciEmu.Core;
using PciEmu.Devices.Catalog;

namespace PciEmu.Devices.Tests.Conformance;

/// <summary>
/// Rebuilds a recorded topology from its -device list with the device catalogue: QEMU's address assignment
/// (first free slot), the chipset of the machine, secondary bus numbers as firmware/Linux programmed them (read
/// from the dump), root-port and SHPC children, machine reset, then the hot-plugs that precede the dump.
/// </summary>
public sealed class ModelTopology
{
    private sealed class Bus(string name, bool express, bool root, PciFunction? bridge, Bus? parent, int bridgeDevFn)
    {
        public string Name { get; } = name;
        public bool Express { get; } = express;
        public bool Root { get; } = root;
        public PciFunction? Bridge { get; } = bridge;
        public Bus? Parent { get; } = parent;
        public int BridgeDevFn { get; } = bridgeDevFn;
        public Dictionary<int, PciFunction> Functions { get; } = [];
    }

    private readonly Dictionary<string, Bus> _buses = new(StringComparer.Ordinal);
    private readonly List<Bus> _busOrder = [];

    public Dictionary<(int Bus, int DevFn), PciFunction> ByAddress { get; } = [];

    public static string RootBusName(string machine) => machine == "pc" ? "pci.0" : "pcie.0";

    public static ModelTopology Build(RecordedCase c, string source, IReadOnlyList<DumpedFunction> dump)
    {
        var t = new ModelTopology();
        var rootName = RootBusName(c.Machine);
        var root = new Bus(rootName, c.Machine != "pc", true, null, null, 0);
        t._buses[rootName] = root;
        t._busOrder.Add(root);
        var serials = CountSerials(c.Argv);
        var defaults = !c.Argv.Contains("-nodefaults");
        var chipsetOptions = new ChipsetOptions
        {
            RamSize = c.RamSize, Serial1Present = serials >= 1, Serial2Present = serials >= 2, ParallelPresent = defaults,
        };
        var chipset = c.Machine switch
        {
            "pc" => MachineChipsets.Pc(chipsetOptions),
            "q35" => MachineChipsets.Q35(chipsetOptions),
            _ => MachineChipsets.Virt(),
        };
        foreach (var (devFn, f) in chipset)
        {
            f.Realize();
            root.Functions[devFn] = f;
        }
        // ACPI PCI hot-plug owns bridge buses on pc and q35 (7.2 defaults) unless switched off; arm virt 7.2 has none.
        var acpi = c.Machine != "virt" && !c.Argv.Any(a => a.EndsWith(".acpi-pci-hotplug-with-bridge-support=off", StringComparison.Ordinal));
        var specs = new List<string>();
        if (defaults && c.Machine == "pc") specs.Add("e1000");
        specs.AddRange(c.DeviceArgs);
        foreach (var spec in specs) t.Add(spec, hotplugged: false, acpi);
        foreach (var bus in t._busOrder)
        {
            foreach (var f in bus.Functions.Values) f.Reset();
        }
        var hotplugs = source.StartsWith("linux:hotplug", StringComparison.Ordinal)
            ? int.Parse(source["linux:hotplug".Length..], System.Globalization.CultureInfo.InvariantCulture) + 1 : 0;
        foreach (var spec in c.HotplugSpecs.Take(hotplugs)) t.Add(spec, hotplugged: true, acpi);
        t.Number(dump);
        return t;
    }

    private static int CountSerials(IReadOnlyList<string> argv)
    {
        var n = 0;
        for (var i = 0; i + 1 < argv.Count; i++)
        {
            if (argv[i] == "-serial" && argv[i + 1] != "none") n++;
        }
        return n;
    }

    private void Add(string spec, bool hotplugged, bool acpi)
    {
        var props = DeviceProperties.Parse(spec);
        var bus = _buses[props.GetString("bus") ?? _busOrder[0].Name];
        var devFn = props.GetString("addr") is { } addr ? ParseAddr(addr) : FirstFreeSlot(bus);
        var f = DeviceCatalog.Create(props, new PlugContext(bus.Express, bus.Root));
        f.Hotplugged = hotplugged;
        if (f is IHotplugSlot rp) rp.AcpiManaged = acpi;
        if (f is Devices.ShpcBridge sb) sb.AcpiManaged = acpi;
        f.Realize();
        bus.Functions[devFn] = f;
        if (bus.Bridge is IHotplugSlot slot) slot.PlugChild(devFn, f, hotplugged);
        if (bus.Bridge is Devices.ShpcBridge shpc) shpc.PlugChild(devFn, f, hotplugged);
        if (f is PciBridgeFunction bridge)
        {
            var child = new Bus(props.GetString("id")!, bridge.SecondaryIsExpress, false, f, bus, devFn);
            _buses[child.Name] = child;
            _busOrder.Add(child);
        }
    }

    /// <summary>parse_pci_devfn: "slot[.fn]" in hex.</summary>
    private static int ParseAddr(string addr)
    {
        var parts = addr.Split('.');
        var slot = Convert.ToInt32(parts[0].StartsWith("0x", StringComparison.Ordinal) ? parts[0][2..] : parts[0], 16);
        var fn = parts.Length > 1 ? Convert.ToInt32(parts[1], 16) : 0;
        return (slot << 3) | fn;
    }

    private static int FirstFreeSlot(Bus bus)
    {
        for (var devFn = 0; devFn < 256; devFn += 8)
        {
            if (!bus.Functions.Keys.Any(k => k >> 3 == devFn >> 3)) return devFn;
        }
        throw new InvalidOperationException("bus full");
    }

    /// <summary>Bus numbers as the recorded guest programmed them: each bridge's 0x19 in the dump.</summary>
    private void Number(IReadOnlyList<DumpedFunction> dump)
    {
        var numbers = new Dictionary<Bus, int> { [_busOrder[0]] = 0 };
        foreach (var bus in _busOrder)
        {
            if (bus.Parent is null) continue;
            if (!numbers.TryGetValue(bus.Parent, out var parentNumber)) continue;
            var d = dump.FirstOrDefault(x => x.Bus == parentNumber && x.DevFn == bus.BridgeDevFn);
            if (d is null) continue;
            numbers[bus] = d.Config[Type1Header.SecondaryBus.Offset];
        }
        foreach (var (bus, number) in numbers)
        {
            foreach (var (devFn, f) in bus.Functions) ByAddress[(number, devFn)] = f;
        }
    }
}
