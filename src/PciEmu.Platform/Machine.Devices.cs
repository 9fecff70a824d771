using PciEmu.Core;
using PciEmu.Devices.Devices;
using PciEmu.Fabric;

using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Platform;

public sealed partial class Machine
{
    private const int SlotShift = 3;
    private const int FunctionsPerSlot = 8;
    private const int FunctionMask = 7;
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    /// <summary>qbus_init_internal's automatic_ids per bus class: anonymous secondary buses are "pci.N" / "pcie.N".</summary>
    private int _nextPciBusId;
    private int _nextPcieBusId;

    /// <summary>pc_init1 / pc_q35_init: the kind's host bridge and chipset functions (fixed addresses, not user-creatable).</summary>
    private void CreateDefaultDevices()
    {
        // pc's root bus takes the automatic name pci.0; q35 names its root pcie.0 explicitly.
        if (Kind.RootBusTakesAutomaticId) _nextPciBusId = 1;
        var chipset = _catalog.CreateChipset(Kind, Memory.RamSize);
        if (chipset is null)
        {
            var list = new List<(int, PciFunction)>();
            foreach (var (driver, slot, fn, mf) in Kind.DefaultDevices)
            {
                if (_catalog.Find(driver) is null)
                    throw new InvalidOperationException($"the device catalog has no model for the machine's '{driver}'");
                var props = new Dictionary<string, string>(StringComparer.Ordinal);
                list.Add(((slot << SlotShift) | fn, _catalog.Create(driver, props, new PciDeviceOptions { Multifunction = mf }, new PlugTarget(Kind.RootBusIsExpress, true))));
            }
            chipset = list;
        }
        foreach (var (devFn, f) in chipset)
        {
            CheckChipsetGlobals(f.TypeName);
            _hierarchy.Root.Plug(devFn, f);
            if (devFn == 0) AttachEcamSource(f);
            if (f is Ich9Lpc lpc) _ich9Pm = Ich9PmIo.Attach(Cpu, lpc);
        }
    }

    /// <summary>
    /// object_apply_global_props for a chipset function: an unknown property is fatal. Known ones are consumed by the
    /// platform (hot-plug knobs, hole sizes); other chipset properties are not applied to the chipset models.
    /// </summary>
    private void CheckChipsetGlobals(string driver)
    {
        var known = _catalog.Find(driver)?.Properties ?? [];
        foreach (var g in Globals.For(driver))
        {
            if (!known.Contains(g.Property))
                throw new QemuException(GlobalSet.CantApply(g, $"Property '{driver}.{g.Property}' not found"));
        }
    }

    /// <summary>qbus_init_internal's automatic id for the next anonymous PCI bus ("pci.N").</summary>
    internal string NextAutomaticPciBusName() => $"pci.{_nextPciBusId++}";

    /// <summary>pci_bridge_initfn: the secondary bus is named after the bridge's id, else automatically.</summary>
    private string SecondaryBusName(PciBridgeFunction bridge)
    {
        if (!string.IsNullOrEmpty(bridge.Id)) return bridge.Id;
        return bridge.SecondaryIsExpress ? $"pcie.{_nextPcieBusId++}" : $"pci.{_nextPciBusId++}";
    }

    /// <summary>Cold-plugs a -device (qdev_device_add before machine-done).</summary>
    public PlacedDevice AddDevice(DeviceRequest request)
    {
        if (_machineDone) throw new InvalidOperationException("cold plug after machine-done: use DeviceAdd");
        return Place(request, hotplug: false);
    }

    /// <summary>
    /// qdev_device_add + pci_qdev_realize + do_pci_register_device: checks in QEMU's order, creates the function
    /// and plugs it; errors are <see cref="QemuException"/>s in QEMU's words.
    /// </summary>
    /// <summary>The machine's PCIe chassis/slot registry (hw/pci/pcie_port.c).</summary>
    private readonly PciEmu.Devices.PcieChassis _chassis = new();

    private PlacedDevice Place(DeviceRequest request, bool hotplug)
    {
        if (Kind.PlaceHostBridge(this, request, hotplug) is { } host) return host;
        var driver = request.Driver;
        var info = _catalog.Find(driver) ?? throw new QemuException($"'{driver}' is not a valid device model name");
        if (!info.UserCreatable || (hotplug && !info.Hotpluggable))
            throw new QemuException("Parameter 'driver' expects a pluggable device type");
        if (request.Id is { } id)
        {
            if (!QdevId.IsWellFormed(id)) throw new QemuException(QdevId.BadIdMessage);
            if (_ids.Contains(id)) throw new QemuException(QdevId.Duplicate(id));
        }

        var bus = FindTargetBus(request, info);
        if (hotplug && HotplugMechanismFor(bus) == HotplugMechanism.None)
            throw new QemuException($"Bus '{bus.Name}' does not support hotplugging");

        var (props, options, devfn) = ApplyProperties(request, info);
        var function = _catalog.Create(driver, props, options, new PlugTarget(bus.IsExpress, bus.IsRoot));
        devfn = RegisterDevFn(bus, devfn, driver, options.Multifunction, hotplug);
        function.Hotplugged = hotplug;
        PciBus? secondary;
        var port = function as PciEmu.Devices.Devices.PcieSlotPort;
        var registered = false;
        try
        {
            // rp_realize / xio3130_downstream_realize: pcie_chassis_add_slot, (chassis, slot) unique per machine.
            if (port is not null)
            {
                _chassis.Add(port);
                registered = true;
            }
            secondary = bus.Plug(devfn, function, function is PciBridgeFunction b ? SecondaryBusName(b) : null);
        }
        catch (PciEmu.Devices.DeviceRealizeException e)
        {
            // realize errors (e.g. pci_bridge_qemu_reserve_cap_init's checks) are QEMU errors: exit 2, not a crash.
            if (registered) _chassis.Remove(port!);
            throw new QemuException(e.Message, e);
        }
        try
        {
            if (bus.ParentBridge is { } parent && _slots.TryGetValue(parent, out var slot)) slot.ChildPlugged(devfn, function, hotplug);
        }
        catch (QemuException)
        {
            bus.Unplug(devfn);
            throw;
        }
        if (function is PciBridgeFunction bridge && secondary is not null) AttachSlot(bridge, secondary);
        foreach (var (name, data) in _catalog.FwCfgFiles(function)) _fwCfg.AddFile(name, data);
        if (request.Id is { } newId) _ids.Add(newId);
        return new PlacedDevice(driver, request.Id, bus.Name, devfn);
    }

    /// <summary>qbus_find / qbus_find_recursive and the bus-type check of qdev_device_add.</summary>
    private PciBus FindTargetBus(DeviceRequest request, DeviceModelInfo info)
    {
        if (request.Bus is { } path)
        {
            var name = path.TrimEnd('/');
            var bus = Hosts.Select(h => h.FindBusByName(name)).FirstOrDefault(b => b is not null) ?? throw new QemuException($"Bus '{name}' not found");
            if (info.IsExpressOnly && !bus.IsExpress) throw new QemuException($"Device '{info.Driver}' can't go on PCI bus");
            return bus;
        }
        // qdev_find_default_bus: the first PCI bus of a depth-first walk from the system bus, whose children are
        // newest first: the most recently created host bridge's root bus.
        var root = Hosts[^1].Root;
        if (info.IsExpressOnly && !root.IsExpress) throw new QemuException($"No 'PCIE' bus found for device '{info.Driver}'");
        return root;
    }

    /// <summary>Globals first (object_apply_global_props), then -device properties (object_set_properties_from_keyval).</summary>
    private (Dictionary<string, string> Props, PciDeviceOptions Options, int DevFn) ApplyProperties(DeviceRequest request, DeviceModelInfo info)
    {
        var driver = request.Driver;
        var props = new Dictionary<string, string>(StringComparer.Ordinal);
        var devfn = -1;
        var multifunction = false;
        string? romFile = null;
        var romBar = true;

        void Set(string name, string value, Func<string, string> wrap)
        {
            try
            {
                switch (name)
                {
                    case PciCommonProperties.Addr: devfn = QemuValues.ParseDevFn(driver, value); break;
                    case PciCommonProperties.Multifunction: multifunction = QemuValues.ParseBool(name, value); break;
                    case PciCommonProperties.RomFile: romFile = value; break;
                    case PciCommonProperties.RomBar: romBar = ParseUint32(name, value) != 0; break;
                    default:
                        if (!PciCommonProperties.All.Contains(name) && !info.Properties.Contains(name))
                            throw new QemuException($"Property '{driver}.{name}' not found");
                        props[name] = value;
                        break;
                }
            }
            catch (QemuException e)
            {
                throw new QemuException(wrap(e.Message));
            }
        }

        foreach (var g in Globals.For(driver)) Set(g.Property, g.Value, m => GlobalSet.CantApply(g, m));
        foreach (var (k, v) in request.Properties) Set(k, v, m => m);
        var options = new PciDeviceOptions
        {
            Id = request.Id, Multifunction = multifunction, RomFile = romFile, RomBar = romBar,
            PcieExtTag = Kind.PcieExtTag(Type),
            PcieErrUncMask = Kind.PcieErrUncMask(Type),
        };
        return (props, options, devfn);
    }

    /// <summary>visit_type_uint32 (the device layer's qemu_strtou64 port).</summary>
    private static uint ParseUint32(string name, string value) =>
        (uint)DevicesCatalog.Translate(() => PciEmu.Devices.Catalog.DeviceProperties.ParseUnsigned(name, value, uint.MaxValue, "uint32_t"));

    /// <summary>do_pci_register_device's slot choice and checks, then pci_init_multifunction.</summary>
    private static int RegisterDevFn(PciBus bus, int devfn, string name, bool multifunction, bool hotplug)
    {
        if (devfn < 0)
        {
            // First slot whose function 0 is free, from devfn_min (0) in steps of PCI_FUNC_MAX.
            for (devfn = 0; devfn < Bdf.DevFnCount; devfn += FunctionsPerSlot)
            {
                if (bus[devfn] is null) goto Found;
            }
            throw new QemuException($"PCI: no slot/function available for {name}, all in use or reserved");
        }
        if (bus[devfn] is { } occupant)
        {
            throw new QemuException(
                $"PCI: slot {devfn >> SlotShift} function {devfn & FunctionMask} not available for {name}, in use by {occupant.TypeName},id={occupant.Id ?? "(null)"}");
        }
        if (hotplug && bus.FunctionZeroFor(devfn) is { } f0)
        {
            throw new QemuException(
                $"PCI: slot {devfn >> SlotShift} function 0 already occupied by {f0.TypeName}, new func {name} cannot be exposed to guest.");
        }
    Found:
        var slot = devfn >> SlotShift;
        var fn = devfn & FunctionMask;
        if (fn != 0)
        {
            if (bus[slot << SlotShift] is { } zero && !zero.Options.Multifunction)
                throw new QemuException($"PCI: single function device can't be populated in function {slot:x}.{fn:x}");
            return devfn;
        }
        if (multifunction) return devfn;
        for (var func = 1; func < FunctionsPerSlot; func++)
        {
            if (bus[(slot << SlotShift) | func] is not null)
                throw new QemuException($"PCI: {slot:x}.0 indicates single function, but {slot:x}.{func:x} is already populated.");
        }
        return devfn;
    }

    /// <summary>Warns about -global entries nothing used (qdev_prop_check_globals).</summary>
    public void CheckGlobals()
    {
        foreach (var g in Globals.All)
        {
            if (Globals.IsUsed(g)) continue;
            Warn(_catalog.Find(g.Driver) is null
                ? $"global {g.Driver}.{g.Property} has invalid class name"
                : $"global {g.Driver}.{g.Property}={g.Value} not used");
        }
    }
}
