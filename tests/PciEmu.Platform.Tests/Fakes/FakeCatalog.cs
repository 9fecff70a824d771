using PciEmu.Core;
using PciEmu.Platform;

namespace PciEmu.Platform.Tests.Fakes;

/// <summary>A device catalog double with the machine defaults, pci-testdev, pci-bridge, pcie-root-port and e1000.</summary>
internal sealed class FakeCatalog : IDeviceCatalog
{
    private const uint Bridge = 0x060400;
    private static readonly DeviceIdentity TestDev = new(0x1b36, 0x0005, 0x00ff00);

    private readonly Dictionary<string, (DeviceModelInfo Info, Func<IReadOnlyDictionary<string, string>, PciDeviceOptions, PciFunction> Create)> _models = new(StringComparer.Ordinal);

    public List<(string Driver, IReadOnlyDictionary<string, string> Props, PciFunction Function)> Created { get; } = [];

    public FakeCatalog()
    {
        Fixed("i440FX", new DeviceIdentity(0x8086, 0x1237, 0x060000, 2));
        Fixed("PIIX3", new DeviceIdentity(0x8086, 0x7000, 0x060100));
        Fixed("piix3-ide", new DeviceIdentity(0x8086, 0x7010, 0x010180), new BarDefinition(4, BarKind.Io, 16));
        Fixed("PIIX4_PM", new DeviceIdentity(0x8086, 0x7113, 0x068000, 3) { InterruptPin = 1 }, props: ["acpi-pci-hotplug-with-bridge-support", "acpi-root-pci-hotplug"]);
        Add(new DeviceModelInfo { Driver = "mch", UserCreatable = false, Hotpluggable = false }, (p, o) => new FakeMch(o));
        Fixed("ICH9-LPC", new DeviceIdentity(0x8086, 0x2918, 0x060100, 2), props: ["acpi-pci-hotplug-with-bridge-support"]);
        Fixed("ich9-ahci", new DeviceIdentity(0x8086, 0x2922, 0x010601, 2) { InterruptPin = 1 }, new BarDefinition(4, BarKind.Io, 32), new BarDefinition(5, BarKind.Memory32, 4096));
        Fixed("ICH9-SMB", new DeviceIdentity(0x8086, 0x2930, 0x0c0500, 2) { InterruptPin = 1 }, new BarDefinition(4, BarKind.Io, 64));
        Add(new DeviceModelInfo { Driver = "pci-testdev", Properties = ["membar"] }, (p, o) =>
        {
            var bars = new List<BarDefinition> { new(0, BarKind.Memory32, 4096), new(1, BarKind.Io, 256) };
            if (p.TryGetValue("membar", out var mb))
            {
                if (!QemuValues.TryParseSize(mb, out var size)) throw new QemuException("Parameter 'membar' expects size");
                bars.Add(new BarDefinition(2, BarKind.Memory64, size, true));
            }
            return new FakeEndpoint("pci-testdev", TestDev, bars, o);
        });
        Add(new DeviceModelInfo { Driver = "e1000", Properties = ["mac", "netdev"] },
            (p, o) => new FakeEndpoint("e1000", new DeviceIdentity(0x8086, 0x100e, 0x020000, 3) { InterruptPin = 1 },
                [new BarDefinition(0, BarKind.Memory32, 128 * 1024), new BarDefinition(1, BarKind.Io, 64)], o));
        Add(new DeviceModelInfo { Driver = "pci-bridge", IsBridge = true, Properties = ["chassis_nr", "shpc"] },
            (p, o) => new FakeBridge("pci-bridge", new DeviceIdentity(0x1b36, 0x0001, Bridge) { InterruptPin = 1 }, false, o));
        Add(new DeviceModelInfo { Driver = "pcie-root-port", IsBridge = true, IsExpressOnly = true, Properties = ["chassis", "slot", "hotplug", "pref64-reserve", "io-reserve"] },
            (p, o) => new FakeBridge("pcie-root-port", new DeviceIdentity(0x1b36, 0x000c, Bridge) { InterruptPin = 1 }, true, o));
    }

    private void Fixed(string driver, DeviceIdentity id, params BarDefinition[] bars) => Fixed(driver, id, bars, []);

    private void Fixed(string driver, DeviceIdentity id, BarDefinition[]? bars = null, string[]? props = null) =>
        Add(new DeviceModelInfo { Driver = driver, UserCreatable = false, Hotpluggable = false, Properties = props ?? [] },
            (p, o) => new FakeEndpoint(driver, id, bars ?? [], o));

    private void Add(DeviceModelInfo info, Func<IReadOnlyDictionary<string, string>, PciDeviceOptions, PciFunction> create) =>
        _models[info.Driver] = (info, create);

    public DeviceModelInfo? Find(string driver) => _models.TryGetValue(driver, out var m) ? m.Info : null;

    public PciFunction Create(string driver, IReadOnlyDictionary<string, string> properties, PciDeviceOptions options, PlugTarget target)
    {
        var f = _models[driver].Create(properties, options);
        Created.Add((driver, new Dictionary<string, string>(properties), f));
        return f;
    }

    public IBridgeSlot? GetSlot(PciBridgeFunction bridge) => bridge is FakeBridge fb
        ? new Slot(fb, !Created.Any(c => ReferenceEquals(c.Function, bridge) && c.Props.TryGetValue("hotplug", out var v) && v == "off"))
        : null;

    public IEcamWindowSource? GetEcamWindowSource(PciFunction hostBridge) => hostBridge as FakeMch;

    private sealed class Slot(FakeBridge bridge, bool capable) : IBridgeSlot
    {
        public bool HotplugCapable => capable;
        public bool AcpiManaged { get; set; }
        public event Action<int>? ChildUnplugged;

        public void ChildPlugged(int devFn, PciFunction child, bool hotplugged)
        {
            if (hotplugged && !AcpiManaged && !capable) throw new QemuException($"Hot-plug failed: unsupported by the port device '{bridge.Id}'");
            bridge.SlotEvents.Add(child);
            if (hotplugged && AcpiManaged) bridge.PowerOns++;
        }

        public void UnplugRequested(int devFn) => ChildUnplugged?.Invoke(devFn);
        public void ChildRemoved(int devFn) => bridge.SlotEvents.RemoveAll(f => f.IsRealized && false);
    }
}
