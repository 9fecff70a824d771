using PciEmu.Core;
using PciEmu.Devices;
using PciEmu.Devices.Catalog;
using PciEmu.Devices.Devices;

namespace PciEmu.Platform;

/// <summary>
/// The platform's view of PciEmu.Devices: maps DeviceCatalog entries, the machine chipsets, the PCIe slots, the
/// SHPC bridges and the q35 MCH's PCIEXBAR onto <see cref="IDeviceCatalog"/>, and device errors onto
/// <see cref="QemuException"/> with QEMU's text.
/// </summary>
public sealed class DevicesCatalog : IDeviceCatalog
{
    /// <summary>The chipset functions (not user-creatable) and the properties the platform reads from -global.</summary>
    private static readonly Dictionary<string, string[]> ChipsetDrivers = new(StringComparer.Ordinal)
    {
        ["i440FX-pcihost"] = ["pci-hole64-size"],
        ["PIIX3"] = [],
        ["piix3-ide"] = [],
        ["PIIX4_PM"] = ["acpi-pci-hotplug-with-bridge-support", "acpi-root-pci-hotplug"],
        ["mch"] = [],
        ["q35-pcihost"] = ["pci-hole64-size"],
        ["ICH9-LPC"] = ["acpi-pci-hotplug-with-bridge-support"],
        ["ich9-ahci"] = [],
        ["ICH9-SMB"] = [],
    };

    public static DevicesCatalog Instance { get; } = new();

    public DeviceModelInfo? Find(string driver)
    {
        if (DeviceCatalog.TryGet(driver, out var e))
        {
            return new DeviceModelInfo
            {
                Driver = e.Name,
                IsBridge = e.IsBridge,
                IsExpressOnly = e.PcieOnly,
                UserCreatable = e.UserCreatable,
                Hotpluggable = e.Hotpluggable,
                Properties = [.. e.Properties.Select(p => p.Name), .. ChipsetDrivers.GetValueOrDefault(driver, [])],
            };
        }
        return ChipsetDrivers.TryGetValue(driver, out var props)
            ? new DeviceModelInfo { Driver = driver, UserCreatable = false, Hotpluggable = false, Properties = props }
            : null;
    }

    /// <summary>DeviceCatalog.Create with the generic PCI properties folded back into DeviceProperties.</summary>
    public PciFunction Create(string driver, IReadOnlyDictionary<string, string> properties, PciDeviceOptions options, PlugTarget target)
    {
        var values = new Dictionary<string, string>(properties, StringComparer.Ordinal);
        if (options.Id is { } id) values["id"] = id;
        if (options.Multifunction) values["multifunction"] = "on";
        if (options.RomFile is { } rom) values["romfile"] = rom;
        if (!options.RomBar) values["rombar"] = "0";
        if (options.PcieExtTag) values["x-pcie-ext-tag"] = "on";
        if (options.PcieErrUncMask) values["x-pcie-err-unc-mask"] = "on";
        return Translate(() => DeviceCatalog.Create(new DeviceProperties(driver, values), new PlugContext(target.BusIsExpress, target.BusIsRoot)));
    }

    public IReadOnlyList<(int DevFn, PciFunction Function)>? CreateChipset(MachineKind kind, ulong ramSize)
    {
        var options = new ChipsetOptions { RamSize = ramSize };
        IReadOnlyList<ChipsetFunction>? list = kind is Machines.Pc.PcMachineKind ? MachineChipsets.Pc(options)
            : kind == MachineKind.Q35 ? MachineChipsets.Q35(options) : null;
        return list?.Select(c => (c.DevFn, c.Function)).ToArray();
    }

    public IBridgeSlot? GetSlot(PciBridgeFunction bridge) => bridge switch
    {
        IHotplugSlot pcie => new PcieSlot(pcie),
        ShpcBridge shpc => new ShpcSlot(shpc),
        _ => null,
    };

    /// <summary>vfio_probe_igd_bar4_quirk's fw_cfg files: the OpRegion copy and the stolen-memory size (u64 LE).</summary>
    public IEnumerable<(string Name, ReadOnlyMemory<byte> Data)> FwCfgFiles(PciFunction function)
    {
        if (function is not IntelIgd igd) yield break;
        if (igd.FwCfg.OpRegion is { } opregion) yield return (IgdFwCfg.OpRegionFile, opregion);
        if (igd.FwCfg.BdsmSize is { } size)
        {
            var bytes = new byte[sizeof(ulong)];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, size);
            yield return (IgdFwCfg.BdsmSizeFile, bytes);
        }
    }

    public IEcamWindowSource? GetEcamWindowSource(PciFunction hostBridge) => hostBridge is Q35Mch mch ? new MchEcam(mch) : null;

    /// <summary>Runs device code, turning its exceptions into QEMU's error text.</summary>
    internal static T Translate<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is DevicePropertyException or DeviceRealizeException or UnknownDriverException)
        {
            throw new QemuException(e.Message, e);
        }
    }

    private static void Translate(Action action) => Translate(() =>
    {
        action();
        return 0;
    });

    /// <summary>A device model's slot notification in the platform's terms.</summary>
    private static HotplugInterrupt ToInterrupt(SlotNotification n) => new(n.Kind switch
    {
        SlotInterruptKind.MsiX => HotplugInterruptKind.MsiX,
        SlotInterruptKind.Msi => HotplugInterruptKind.Msi,
        _ => HotplugInterruptKind.Intx,
    }, n.Vector, n.Level);

    /// <summary>A PCIe root/downstream port's slot (PcieSlotPort).</summary>
    private sealed class PcieSlot(IHotplugSlot slot) : IBridgeSlot
    {
        public bool HotplugCapable => slot.HotplugCapable;

        public bool AcpiManaged
        {
            get => slot.AcpiManaged;
            set => slot.AcpiManaged = value;
        }

        public event Action<int>? ChildUnplugged
        {
            add => slot.ChildUnplugged += (devFn, _) => value?.Invoke(devFn);
            remove { }
        }

        public event Action<HotplugInterrupt>? Interrupt
        {
            add => slot.Notification += n => value?.Invoke(ToInterrupt(n));
            remove { }
        }

        public void ChildPlugged(int devFn, PciFunction child, bool hotplugged) => Translate(() => slot.PlugChild(devFn, child, hotplugged));
        public void UnplugRequested(int devFn) => Translate(() => slot.RequestUnplug(devFn));
        public void ChildRemoved(int devFn) => slot.RemoveChild(devFn);
    }

    /// <summary>
    /// A pci-bridge / pcie-pci-bridge: the SHPC is its secondary bus's hot-plug handler (shpc_init sets it) unless
    /// ACPI took the bus over; the controller's slot registers carry the events (shpc_device_plug_cb,
    /// shpc_device_unplug_request_cb) and a guest command that disables a slot with its power LED off frees it.
    /// </summary>
    private sealed class ShpcSlot(ShpcBridge bridge) : IBridgeSlot
    {
        public bool HotplugCapable => bridge.HotplugCapable;

        public bool AcpiManaged
        {
            get => bridge.AcpiManaged;
            set => bridge.AcpiManaged = value;
        }

        public event Action<int>? ChildUnplugged
        {
            add => bridge.ChildUnplugged += (devFn, _) => value?.Invoke(devFn);
            remove { }
        }

        public event Action<HotplugInterrupt>? Interrupt
        {
            add => bridge.Notification += n => value?.Invoke(ToInterrupt(n));
            remove { }
        }

        public void ChildPlugged(int devFn, PciFunction child, bool hotplugged) => Translate(() => bridge.PlugChild(devFn, child, hotplugged));
        public void UnplugRequested(int devFn) => Translate(() => bridge.RequestUnplug(devFn));
        public void ChildRemoved(int devFn) => bridge.RemoveChild(devFn);
    }

    /// <summary>Q35Mch.PciexbarChanged as the platform's ECAM source.</summary>
    private sealed class MchEcam(Q35Mch mch) : IEcamWindowSource
    {
        public event Action<bool, ulong, ulong>? EcamWindowChanged
        {
            add => mch.PciexbarChanged += m => value?.Invoke(m.Enabled, m.Base, m.Size);
            remove { }
        }
    }
}
