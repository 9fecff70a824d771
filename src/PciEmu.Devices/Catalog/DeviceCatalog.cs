using PciEmu.Core;
using PciEmu.Devices.Capabilities;
using PciEmu.Devices.Devices;

namespace PciEmu.Devices.Catalog;

/// <summary>How QEMU parses a property value.</summary>
public enum PropertyType : byte
{
    Bool,
    OnOffAuto,
    U8,
    U16,
    U32,
    Size,
    String,
    LinkSpeed,
    LinkWidth,
}

/// <summary>A device-specific property: its QEMU name and value type.</summary>
public readonly record struct PropertyInfo(string Name, PropertyType Type);

/// <summary>Where a device is about to be plugged (decides virtio's transitional vs modern-only form).</summary>
public readonly record struct PlugContext(bool BusIsExpress, bool BusIsRoot)
{
    public static readonly PlugContext ConventionalRoot = new(false, true);

    /// <summary>pcie_port in virtio_pci_realize: a PCIe bus that is not a root bus.</summary>
    public bool BehindPciePort => BusIsExpress && !BusIsRoot;
}

/// <summary>One driver: what it is and how to build it.</summary>
public sealed record DeviceEntry(
    string Name,
    bool IsBridge,
    bool PcieOnly,
    IReadOnlyList<PropertyInfo> Properties,
    Func<DeviceProperties, PlugContext, PciFunction> Factory)
{
    /// <summary>dc->user_creatable: may be named in -device (false for the chipset functions the machine creates).</summary>
    public bool UserCreatable { get; init; } = true;

    /// <summary>dc->hotpluggable: may be added with device_add.</summary>
    public bool Hotpluggable { get; init; } = true;
}

/// <summary>
/// The -device drivers PciEmu models, as a table (like SeaBIOS's pci_device_tbl): no reflection. Every property
/// not listed for a driver (and not generic) is rejected with QEMU's "Property 'DRIVER.NAME' not found".
/// </summary>
public static class DeviceCatalog
{
    private static readonly PropertyInfo[] SlotProps =
    [
        new("chassis", PropertyType.U8), new("slot", PropertyType.U16), new("port", PropertyType.U8),
        new("hotplug", PropertyType.Bool), new("x-native-hotplug", PropertyType.Bool),
        new("power_controller_present", PropertyType.Bool), new("aer_log_max", PropertyType.U16),
    ];

    private static readonly PropertyInfo[] ReserveProps =
    [
        new("bus-reserve", PropertyType.U32), new("io-reserve", PropertyType.Size), new("mem-reserve", PropertyType.Size),
        new("pref32-reserve", PropertyType.Size), new("pref64-reserve", PropertyType.Size),
    ];

    private static readonly PropertyInfo[] VirtioProps =
    [
        new("disable-legacy", PropertyType.OnOffAuto), new("disable-modern", PropertyType.Bool), new("vectors", PropertyType.U32),
    ];

    public static readonly IReadOnlyList<DeviceEntry> Entries =
    [
        new("pcie-root-port", true, true,
            [.. SlotProps, new("disable-acs", PropertyType.Bool), new("x-migrate-msix", PropertyType.Bool), new("x-speed", PropertyType.LinkSpeed), new("x-width", PropertyType.LinkWidth), .. ReserveProps],
            (p, _) => new PcieRootPort(RootPortOptions(p))),
        new("ioh3420", true, true, [.. SlotProps, new("disable-acs", PropertyType.Bool)],
            (p, _) => new Ioh3420(SlotOptions(p, new Ioh3420Options()))),
        new("xio3130-downstream", true, true, SlotProps,
            (p, _) => new Xio3130Downstream(SlotOptions(p, new Xio3130DownstreamOptions()))),
        new("x3130-upstream", true, true, [new("port", PropertyType.U8), new("aer_log_max", PropertyType.U16)],
            (p, _) => new Xio3130Upstream(Generic(p, new Xio3130UpstreamOptions { Port = p.GetU8("port", 0), AerLogMax = p.GetU16("aer_log_max", AerCap.DefaultLogMax) }))),
        new("pci-bridge", true, false,
            [new("chassis_nr", PropertyType.U8), new("msi", PropertyType.OnOffAuto), new("shpc", PropertyType.Bool), .. ReserveProps],
            (p, _) => new PciBridgeDev(Generic(p, new PciBridgeDevOptions
            {
                ChassisNr = p.GetU8("chassis_nr", 0), Msi = p.GetOnOffAuto("msi"), Shpc = p.GetBool("shpc", true), Reserve = Reserve(p),
            }))),
        new("pcie-pci-bridge", true, true, [new("msi", PropertyType.OnOffAuto)],
            (p, _) => new PciePciBridge(Generic(p, new PciePciBridgeOptions { Msi = p.GetOnOffAuto("msi") }))),
        new("pci-testdev", false, false, [new("membar", PropertyType.Size)],
            (p, _) => new PciTestdev(Generic(p, new PciTestdevOptions { MemBar = p.GetSize("membar") ?? 0 }))),
        new("e1000", false, false, [new("mac", PropertyType.String), new("netdev", PropertyType.String)],
            (p, _) => new E1000(Generic(p, new RomDeviceOptions()))),
        new("e1000e", false, false, [new("mac", PropertyType.String), new("netdev", PropertyType.String)],
            (p, ctx) => new E1000e(Generic(p, new E1000eOptions { OnExpressBus = ctx.BusIsExpress, OnRootBus = ctx.BusIsRoot }))),
        new("virtio-net-pci", false, false, [.. VirtioProps, new("mac", PropertyType.String), new("netdev", PropertyType.String)],
            (p, ctx) => new VirtioPci(VirtioDeviceKind.Net, VirtioOptions(p, ctx))),
        new("virtio-rng-pci", false, false, VirtioProps,
            (p, ctx) => new VirtioPci(VirtioDeviceKind.Rng, VirtioOptions(p, ctx))),
        new("VGA", false, false, [new("vgamem_mb", PropertyType.U32), new("mmio", PropertyType.Bool)],
            (p, _) => new StdVga(Generic(p, new StdVgaOptions { VgaMemMb = p.GetU32("vgamem_mb", 16), Mmio = p.GetBool("mmio", true) }))),
        new("cirrus-vga", false, false, [new("vgamem_mb", PropertyType.U32)],
            (p, _) => new CirrusVga(Generic(p, new StdVgaOptions { VgaMemMb = p.GetU32("vgamem_mb", 4) }))) { Hotpluggable = false },
        new("rtl8139", false, false, [new("mac", PropertyType.String), new("netdev", PropertyType.String)],
            (p, _) => new Rtl8139(Generic(p, new RomDeviceOptions()))),
        new("xen-platform", false, false, [], (p, _) => new XenPlatform(Generic(p, new PciDeviceOptions()))),
        new("piix3-usb-uhci", false, false, [], (p, _) => new Piix3Uhci(Generic(p, new PciDeviceOptions()))),
        new("vfio-pci", false, false,
            [new("host", PropertyType.String), new("x-pci-device-id", PropertyType.U32), new("x-igd-opregion", PropertyType.Bool), new("x-igd-gms", PropertyType.U32), new("x-igd-gmch", PropertyType.U32)],
            (p, _) => new IntelIgd(IgdOptions(p))),
    ];

    /// <summary>
    /// The chipset functions (created by the machine, not by -device; listed so -global DRIVER.PROP and lookups by
    /// type name work). ACPI hot-plug knobs are accepted here but belong to the platform, which reads them.
    /// </summary>
    public static readonly IReadOnlyList<DeviceEntry> ChipsetEntries =
    [
        new("i440FX", false, false, [], (p, _) => new I440fxHost(Generic(p, new I440fxOptions()))) { UserCreatable = false, Hotpluggable = false },
        new("PIIX3", false, false, [], (p, _) => new Piix3Isa(Generic(p, new PciDeviceOptions { Multifunction = true }))) { UserCreatable = false, Hotpluggable = false },
        new("piix3-ide", false, false, [], (p, _) => new PiixIde(Generic(p, new PciDeviceOptions()))) { Hotpluggable = false },
        new("PIIX4_PM", false, false,
            [new("acpi-pci-hotplug-with-bridge-support", PropertyType.Bool), new("acpi-root-pci-hotplug", PropertyType.Bool), new("smm-enabled", PropertyType.Bool)],
            (p, _) => new Piix4Pm(Generic(p, new Piix4PmOptions { SmmEnabled = p.GetBool("smm-enabled", true) }))) { UserCreatable = false, Hotpluggable = false },
        new("mch", false, false, [new("extended-tseg-mbytes", PropertyType.U16)],
            (p, _) => new Q35Mch(Generic(p, new Q35MchOptions { ExtendedTsegMbytes = p.GetU16("extended-tseg-mbytes", 16) }))) { UserCreatable = false, Hotpluggable = false },
        new("ICH9-LPC", false, false, [new("acpi-pci-hotplug-with-bridge-support", PropertyType.Bool), new("x-keep-pci-slot-hpc", PropertyType.Bool)],
            (p, _) => new Ich9Lpc(Generic(p, new Ich9LpcOptions()))) { UserCreatable = false, Hotpluggable = false },
        new("ich9-ahci", false, false, [], (p, _) => new Ich9Ahci(Generic(p, new PciDeviceOptions { Multifunction = true }))) { Hotpluggable = false },
        new("ICH9-SMB", false, false, [], (p, _) => new Ich9Smbus(Generic(p, new PciDeviceOptions { Multifunction = true }))) { UserCreatable = false, Hotpluggable = false },
        new("gpex-root", false, false, [], (p, _) => new GpexRoot(Generic(p, new PciDeviceOptions()))) { UserCreatable = false, Hotpluggable = false },
    ];

    private static readonly Dictionary<string, DeviceEntry> ByName = Entries.Concat(ChipsetEntries).ToDictionary(e => e.Name, StringComparer.Ordinal);

    public static bool TryGet(string driver, out DeviceEntry entry) => ByName.TryGetValue(driver, out entry!);

    public static DeviceEntry Get(string driver) =>
        ByName.TryGetValue(driver, out var e) ? e : throw new UnknownDriverException(driver);

    /// <summary>Builds the function for one -device on a conventional root bus.</summary>
    public static PciFunction Create(DeviceProperties props) => Create(props, PlugContext.ConventionalRoot);

    /// <summary>Validates the property names, then builds the (unrealized) function.</summary>
    public static PciFunction Create(DeviceProperties props, PlugContext context)
    {
        var entry = Get(props.Driver);
        foreach (var name in props.Values.Keys)
        {
            if (DeviceProperties.GenericNames.Contains(name)) continue;
            if (!entry.Properties.Any(p => p.Name == name)) throw new PropertyNotFoundException(props.Driver, name);
        }
        return entry.Factory(props, context);
    }

    /// <summary>multifunction, romfile, rombar, romsize, x-pcie-ext-tag and id (PCIDevice properties).</summary>
    private static T Generic<T>(DeviceProperties p, T o) where T : PciDeviceOptions
    {
        var rom = o with
        {
            Id = p.GetString("id"),
            Multifunction = p.GetBool("multifunction", o.Multifunction),
            RomFile = p.GetString("romfile") ?? o.RomFile,
            RomBar = p.GetU32("rombar", 1) != 0,
            PcieExtTag = p.GetBool("x-pcie-ext-tag", o.PcieExtTag),
            PcieErrUncMask = p.GetBool("x-pcie-err-unc-mask", o.PcieErrUncMask),
        };
        // romsize is a uint32 property (DEFINE_PROP_UINT32), not a size.
        return rom is RomDeviceOptions r && p.Has("romsize") ? (T)(PciDeviceOptions)(r with { RomSize = p.GetU32("romsize", 0) }) : rom;
    }

    private static ResourceReserve Reserve(DeviceProperties p) => new()
    {
        Bus = p.GetU32OrUnset("bus-reserve"),
        Io = p.GetSizeOrUnset("io-reserve"),
        Mem = p.GetSizeOrUnset("mem-reserve"),
        Pref32 = p.GetSizeOrUnset("pref32-reserve"),
        Pref64 = p.GetSizeOrUnset("pref64-reserve"),
    };

    private static T SlotOptions<T>(DeviceProperties p, T o) where T : PcieSlotOptions => Generic(p, o with
    {
        Chassis = p.GetU8("chassis", 0),
        Slot = p.GetU16("slot", 0),
        Port = p.GetU8("port", 0),
        Hotplug = p.GetBool("hotplug", true),
        NativeHotplug = p.GetBool("x-native-hotplug", true),
        PowerControllerPresent = p.GetBool("power_controller_present", true),
        AerLogMax = p.GetU16("aer_log_max", AerCap.DefaultLogMax),
    });

    private static PcieRootPortOptions RootPortOptions(DeviceProperties p) => SlotOptions(p, new PcieRootPortOptions
    {
        DisableAcs = p.GetBool("disable-acs", false),
        Speed = p.GetString("x-speed") is { } s ? ParseSpeed(s) : PcieLinkSpeed.Speed16,
        Width = p.GetString("x-width") is { } w ? ParseWidth(w) : PcieLinkWidth.X32,
        Reserve = Reserve(p),
    });

    private static VirtioPciOptions VirtioOptions(DeviceProperties p, PlugContext ctx) => Generic(p, new VirtioPciOptions
    {
        DisableLegacy = p.GetOnOffAuto("disable-legacy"),
        DisableModern = p.GetBool("disable-modern", false),
        Vectors = p.Has("vectors") ? p.GetU32("vectors", 0) : null,
        BehindPciePort = ctx.BehindPciePort,
    });

    private static IgdOptions IgdOptions(DeviceProperties p) => Generic(p, new IgdOptions
    {
        DeviceId = p.GetU32("x-pci-device-id", IntelIgd.DefaultDeviceId) is var id and <= ushort.MaxValue
            ? (ushort)id : throw new DevicePropertyException("Parameter 'x-pci-device-id' expects uint16_t"),
        OpRegion = p.GetBool("x-igd-opregion", false),
        Gms = p.GetU32("x-igd-gms", 0),
        HostGmch = p.GetU32("x-igd-gmch", 0),
    });

    /// <summary>PCIELinkSpeed enum names.</summary>
    public static PcieLinkSpeed ParseSpeed(string s) => s switch
    {
        "2_5" => PcieLinkSpeed.Speed2_5,
        "5" => PcieLinkSpeed.Speed5,
        "8" => PcieLinkSpeed.Speed8,
        "16" => PcieLinkSpeed.Speed16,
        _ => throw new DevicePropertyException($"Parameter 'x-speed' does not accept value '{s}'"),
    };

    /// <summary>PCIELinkWidth enum names.</summary>
    public static PcieLinkWidth ParseWidth(string s) => s switch
    {
        "1" => PcieLinkWidth.X1,
        "2" => PcieLinkWidth.X2,
        "4" => PcieLinkWidth.X4,
        "8" => PcieLinkWidth.X8,
        "12" => PcieLinkWidth.X12,
        "16" => PcieLinkWidth.X16,
        "32" => PcieLinkWidth.X32,
        _ => throw new DevicePropertyException($"Parameter 'x-width' does not accept value '{s}'"),
    };
}
