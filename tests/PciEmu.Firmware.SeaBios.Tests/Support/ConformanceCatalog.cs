using System.Globalization;
using PciEmu.Core;
using PciEmu.Devices;
using PciEmu.Devices.Capabilities;
using PciEmu.Devices.Devices;
using PciEmu.Platform;

namespace PciEmu.Firmware.SeaBios.Tests.Support;

/// <summary>
/// A test-only <see cref="IDeviceCatalog"/> over PciEmu.Devices for the drivers the recorded conformance cases use.
/// It stands in until the devices project ships its own catalog adapter; only construction is mapped here.
/// </summary>
public sealed class ConformanceCatalog : IDeviceCatalog
{
    private sealed record Model(DeviceModelInfo Info, Func<IReadOnlyDictionary<string, string>, PciDeviceOptions, PciFunction> Create);

    private readonly Dictionary<string, Model> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<PciFunction, IEcamWindowSource> _ecam = [];

    public ConformanceCatalog()
    {
        Add("i440FX", false, false, [], (_, o) => new I440fxHost(Copy<I440fxOptions>(o)), userCreatable: false);
        Add("PIIX3", false, false, [], (_, o) => new Piix3Isa(o), userCreatable: false);
        Add("piix3-ide", false, false, [], (_, o) => new PiixIde(o), userCreatable: false);
        Add("PIIX4_PM", false, false, [], (_, o) => new Piix4Pm(Copy<Piix4PmOptions>(o)), userCreatable: false);
        Add("mch", false, false, [], (_, o) =>
        {
            var mch = new Q35Mch(Copy<Q35MchOptions>(o));
            _ecam[mch] = new MchEcamSource(mch);
            return mch;
        }, userCreatable: false);
        Add("ICH9-LPC", false, false, [], (_, o) => new Ich9Lpc(Copy<Ich9LpcOptions>(o)), userCreatable: false);
        Add("ich9-ahci", false, false, [], (_, o) => new Ich9Ahci(o), userCreatable: false);
        Add("ICH9-SMB", false, false, [], (_, o) => new Ich9Smbus(o), userCreatable: false);
        Add("pci-testdev", false, false, ["membar"], (p, o) => new PciTestdev(Copy<PciTestdevOptions>(o) with { MemBar = Size(p, "membar") ?? 0 }));
        Add("pci-bridge", true, false, ["chassis_nr", "msi", "shpc", "bus-reserve", "io-reserve", "mem-reserve", "pref32-reserve", "pref64-reserve"],
            (p, o) => new PciBridgeDev(Copy<PciBridgeDevOptions>(o) with
            {
                ChassisNr = (byte)(Uint(p, "chassis_nr") ?? 0),
                Shpc = Bool(p, "shpc") ?? true,
                Reserve = Reserve(p),
            }));
        Add("pcie-pci-bridge", true, true, [], (_, o) => new PciePciBridge(Copy<PciePciBridgeOptions>(o)));
        Add("pcie-root-port", true, true, ["chassis", "slot", "port", "hotplug", "bus-reserve", "io-reserve", "mem-reserve", "pref32-reserve", "pref64-reserve"],
            (p, o) => new PcieRootPort(Copy<PcieRootPortOptions>(o) with
            {
                Chassis = (byte)(Uint(p, "chassis") ?? 0),
                Slot = (ushort)(Uint(p, "slot") ?? 0),
                Port = (byte)(Uint(p, "port") ?? 0),
                Hotplug = Bool(p, "hotplug") ?? true,
                Reserve = Reserve(p),
            }));
        string[] slotProps = ["chassis", "slot", "port", "hotplug"];
        Add("ioh3420", true, true, slotProps, (p, o) => new Ioh3420(Slot(Copy<Ioh3420Options>(o), p)));
        Add("xio3130-downstream", true, true, slotProps, (p, o) => new Xio3130Downstream(Slot(Copy<Xio3130DownstreamOptions>(o), p)));
        Add("x3130-upstream", true, true, ["port"], (p, o) => new Xio3130Upstream(Copy<Xio3130UpstreamOptions>(o) with { Port = (byte)(Uint(p, "port") ?? 0) }));
        Add("virtio-rng-pci", false, false, [], (_, o) => new VirtioPci(VirtioDeviceKind.Rng, Copy<VirtioPciOptions>(o)));
        Add("VGA", false, false, ["vgamem_mb"], (p, o) => new StdVga(Copy<StdVgaOptions>(o) with { VgaMemMb = (uint)(Uint(p, "vgamem_mb") ?? 16) }));
        Add("e1000", false, false, [], (_, o) => new E1000(Copy<RomDeviceOptions>(o)));
    }

    private void Add(string driver, bool bridge, bool expressOnly, string[] props, Func<IReadOnlyDictionary<string, string>, PciDeviceOptions, PciFunction> create,
        bool userCreatable = true) =>
        _models[driver] = new Model(new DeviceModelInfo
        {
            Driver = driver, IsBridge = bridge, IsExpressOnly = expressOnly, UserCreatable = userCreatable, Properties = props,
        }, create);

    public DeviceModelInfo? Find(string driver) => _models.TryGetValue(driver, out var m) ? m.Info : null;

    /// <summary>Every function created, in creation order (the machine's defaults first, then each -device).</summary>
    public List<PciFunction> Created { get; } = [];

    public PciFunction Create(string driver, IReadOnlyDictionary<string, string> properties, PciDeviceOptions options)
    {
        var f = _models[driver].Create(properties, options);
        Created.Add(f);
        return f;
    }

    public IEcamWindowSource? GetEcamWindowSource(PciFunction hostBridge) => _ecam.GetValueOrDefault(hostBridge);

    public INativeHotplugSlot? GetHotplugSlot(PciBridgeFunction bridge) => bridge is IHotplugSlot slot ? new SlotAdapter(slot) : null;

    public bool IsSlotHotplugCapable(PciBridgeFunction bridge) => bridge is not IHotplugSlot slot || slot.HotplugCapable;

    /// <summary>
    /// The devices' PCIe slot as the platform's native slot. Root and downstream ports only have device 0 below
    /// them, which is the only devfn the recorded cases use there.
    /// </summary>
    private sealed class SlotAdapter(IHotplugSlot slot) : INativeHotplugSlot
    {
        private const int OnlyDevFn = 0;

        public void Plugged(PciFunction child) => slot.PlugChild(OnlyDevFn, child, child.Hotplugged);

        public void EnablePower()
        {
        }

        public void UnplugRequested(PciFunction child) => slot.RequestUnplug(OnlyDevFn);
    }

    private static T Copy<T>(PciDeviceOptions o) where T : PciDeviceOptions, new() =>
        new() { Id = o.Id, Multifunction = o.Multifunction, RomFile = o.RomFile, RomBar = o.RomBar };

    private static T Slot<T>(T o, IReadOnlyDictionary<string, string> p) where T : PcieSlotOptions => o with
    {
        Chassis = (byte)(Uint(p, "chassis") ?? 0),
        Slot = (ushort)(Uint(p, "slot") ?? 0),
        Port = (byte)(Uint(p, "port") ?? 0),
        Hotplug = Bool(p, "hotplug") ?? true,
    };

    private static ResourceReserve Reserve(IReadOnlyDictionary<string, string> p) => new()
    {
        Bus = (uint?)Uint(p, "bus-reserve"),
        Io = Size(p, "io-reserve"),
        Mem = Size(p, "mem-reserve"),
        Pref32 = Size(p, "pref32-reserve"),
        Pref64 = Size(p, "pref64-reserve"),
    };

    private static bool? Bool(IReadOnlyDictionary<string, string> p, string name) =>
        p.TryGetValue(name, out var v) ? v is "on" or "true" or "yes" : null;

    private static ulong? Uint(IReadOnlyDictionary<string, string> p, string name)
    {
        if (!p.TryGetValue(name, out var v)) return null;
        return v.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.Parse(v.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : ulong.Parse(v, CultureInfo.InvariantCulture);
    }

    /// <summary>QEMU size syntax: a number with an optional K/M/G/T suffix.</summary>
    public static ulong? Size(IReadOnlyDictionary<string, string> p, string name)
    {
        if (!p.TryGetValue(name, out var v)) return null;
        var shift = char.ToUpperInvariant(v[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
        var digits = shift == 0 ? v : v[..^1];
        return ulong.Parse(digits, CultureInfo.InvariantCulture) << shift;
    }

    private sealed class MchEcamSource : IEcamWindowSource
    {
        public MchEcamSource(Q35Mch mch) => mch.PciexbarChanged += m => EcamWindowChanged?.Invoke(m.Enabled, m.Base, m.Size);

        public event Action<bool, ulong, ulong>? EcamWindowChanged;
    }
}
