using PciEmu.Core;

namespace PciEmu.Fabric;

/// <summary>
/// A PCI bus: 256 device/function slots, the bridge above it (none for a root bus) and the buses below it in
/// QEMU's list order (the most recently created first).
/// </summary>
public sealed class PciBus
{
    private readonly PciFunction?[] _functions = new PciFunction?[Bdf.DevFnCount];
    private readonly List<PciBus> _children = [];

    private PciBus(string name, bool isExpress, PciBridgeFunction? parentBridge, PciBus? parentBus)
    {
        Name = name;
        IsExpress = isExpress;
        ParentBridge = parentBridge;
        ParentBus = parentBus;
        AllowsExtendedConfig = isExpress && (parentBus is null || parentBus.AllowsExtendedConfig);
        Epoch = parentBus?.Epoch ?? new RoutingEpoch();
    }

    /// <summary>The hierarchy-wide routing epoch (one per root bus, shared by every bus below it).</summary>
    public RoutingEpoch Epoch { get; }

    public static PciBus CreateRoot(string name, bool isExpress) => new(name, isExpress, null, null);

    /// <summary>qdev bus name: "pci.0", "pcie.0", or the bridge's id.</summary>
    public string Name { get; }

    public bool IsExpress { get; }
    public bool IsRoot => ParentBridge is null;
    public PciBridgeFunction? ParentBridge { get; }
    public PciBus? ParentBus { get; }

    /// <summary>pci_adjust_config_limit: extended config space is reachable only if every bus up to the root allows it.</summary>
    public bool AllowsExtendedConfig { get; }

    /// <summary>pci_bus_num: the root bus is 0; a secondary bus reads its number live from the bridge's 0x19.</summary>
    public int Number => ParentBridge?.SecondaryBus ?? 0;

    public IReadOnlyList<PciBus> Children => _children;

    /// <summary>Child count and indexer without an enumerator (the routing hot path must not allocate).</summary>
    internal int ChildCount => _children.Count;

    internal PciBus ChildAt(int index) => _children[index];

    public PciFunction? this[int devFn] => _functions[devFn];

    /// <summary>The 256 devfn slots themselves (the config fast path indexes them directly; never written outside Plug/Unplug).</summary>
    internal PciFunction?[] Slots => _functions;

    public IEnumerable<(int DevFn, PciFunction Function)> Functions
    {
        get
        {
            for (var i = 0; i < _functions.Length; i++)
            {
                if (_functions[i] is { } f) yield return (i, f);
            }
        }
    }

    /// <summary>Plugs a realized function at <paramref name="devFn"/>; a bridge also gets its secondary bus.</summary>
    public PciBus? Plug(int devFn, PciFunction function, string? secondaryName = null)
    {
        if (_functions[devFn] is not null) throw new InvalidOperationException($"devfn 0x{devFn:x2} on {Name} is in use");
        function.Realize();
        _functions[devFn] = function;
        Epoch.Bump();
        if (function is PciBridgeFunction bridge)
        {
            Epoch.Watch(bridge);
            var child = new PciBus(secondaryName ?? bridge.Id ?? $"{Name}.{devFn:x2}", bridge.SecondaryIsExpress, bridge, this);
            _children.Insert(0, child);
            return child;
        }
        return null;
    }

    /// <summary>Removes a function (and, for a bridge, its secondary bus).</summary>
    public void Unplug(int devFn)
    {
        var f = _functions[devFn];
        if (f is null) return;
        _functions[devFn] = null;
        Epoch.Bump();
        if (f is PciBridgeFunction bridge) _children.RemoveAll(c => ReferenceEquals(c.ParentBridge, bridge));
    }

    public PciBus? ChildOf(PciBridgeFunction bridge)
    {
        foreach (var c in _children)
        {
            if (ReferenceEquals(c.ParentBridge, bridge)) return c;
        }
        return null;
    }

    /// <summary>pci_get_function_0: below a PCIe root/downstream port "function 0" means devfn 0.</summary>
    public PciFunction? FunctionZeroFor(int devFn) =>
        ParentBridge is { HasSingleDeviceSecondary: true } ? _functions[0] : _functions[devFn & ~0x7];

    public override string ToString() => $"{Name} (bus {Number})";
}
