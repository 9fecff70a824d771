using static PciEmu.Firmware.SeaBios.SeaBiosDefs;

namespace PciEmu.Firmware.SeaBios;

/// <summary>struct pci_device (src/hw/pcidevice.h).</summary>
internal sealed class PciDevice
{
    public ushort bdf;
    public byte rootbus;
    public PciDevice? parent;
    public ushort vendor;
    public ushort device;
    public ushort @class;
    public byte prog_if;
    public byte revision;
    public byte header_type;
    public bool have_driver;
    public byte secondary_bus;

    public SeaBiosPciDevice Snapshot() =>
        new(bdf, vendor, device, @class, header_type, secondary_bus, parent?.bdf, rootbus);
}

/// <summary>src/hw/pcidevice.c: the PCIDevices list, MaxPCIBus and the device-table matcher.</summary>
internal sealed class PciDevices(PciConfig pci, DebugLog log, FwCfgReader romfile)
{
    private readonly List<PciDevice> _devices = [];

    /// <summary>PCIDevices in scan order (foreachpci).</summary>
    public IReadOnlyList<PciDevice> All => _devices;

    /// <summary>MaxPCIBus.</summary>
    public int MaxPCIBus { get; private set; }

    /// <summary>pci_probe_devices: scan bus 0, every bus a bridge points to, and extra root buses.</summary>
    public void pci_probe_devices()
    {
        log.Dprintf(3, "PCI probe");
        var busdevs = new PciDevice?[256];
        var extraroots = (int)romfile.romfile_loadint("etc/extra-pci-roots", 0);
        int bus = -1, lastbus = 0, rootbuses = 0, count = 0;
        while (bus < 0xff && (bus < MaxPCIBus || rootbuses < extraroots))
        {
            bus++;
            foreach (var bdf in pci.ForEachBdf(bus))
            {
                // Create new pci_device struct and add to list.
                var dev = new PciDevice();
                _devices.Add(dev);
                count++;
                // Find parent device.
                int rootbus;
                var parent = busdevs[bus];
                if (parent is null)
                {
                    if (bus != lastbus) rootbuses++;
                    lastbus = bus;
                    rootbus = rootbuses;
                    if (bus > MaxPCIBus) MaxPCIBus = bus;
                }
                else
                {
                    rootbus = parent.rootbus;
                }
                // Populate pci_device info.
                dev.bdf = (ushort)bdf;
                dev.parent = parent;
                dev.rootbus = (byte)rootbus;
                var vendev = pci.pci_config_readl(bdf, PCI_VENDOR_ID);
                dev.vendor = (ushort)vendev;
                dev.device = (ushort)(vendev >> 16);
                var classrev = pci.pci_config_readl(bdf, PCI_CLASS_REVISION);
                dev.@class = (ushort)(classrev >> 16);
                dev.prog_if = (byte)(classrev >> 8);
                dev.revision = (byte)classrev;
                dev.header_type = pci.pci_config_readb(bdf, PCI_HEADER_TYPE);
                var v = (byte)(dev.header_type & PCI_HEADER_TYPE_MASK);
                if (v is PCI_HEADER_TYPE_BRIDGE or PCI_HEADER_TYPE_CARDBUS)
                {
                    var secbus = pci.pci_config_readb(bdf, PCI_SECONDARY_BUS);
                    dev.secondary_bus = secbus;
                    if (secbus > bus && busdevs[secbus] is null) busdevs[secbus] = dev;
                    if (secbus > MaxPCIBus) MaxPCIBus = secbus;
                }
                if (log.Enabled(4))
                    log.Dprintf(4, $"PCI device {DebugLog.Pp(dev.bdf)} (vd={dev.vendor:x4}:{dev.device:x4} c={dev.@class:x4})");
            }
        }
        log.Dprintf(1, $"Found {count} PCI devices (max PCI bus is {MaxPCIBus:x2})");
    }

    /// <summary>pci_find_class: the first device of the class, or null.</summary>
    public PciDevice? pci_find_class(ushort classid) => _devices.FirstOrDefault(d => d.@class == classid);

    /// <summary>pci_init_device: run the first matching table entry's hook. Returns 0 on a match, -1 otherwise.</summary>
    public static int pci_init_device(IReadOnlyList<PciDeviceId> ids, PciDevice pci)
    {
        foreach (var id in ids)
        {
            if ((id.vendid == PciDeviceId.PCI_ANY_ID || id.vendid == pci.vendor)
                && (id.devid == PciDeviceId.PCI_ANY_ID || id.devid == pci.device)
                && ((id.@class ^ pci.@class) & id.class_mask) == 0)
            {
                id.func?.Invoke(pci);
                return 0;
            }
        }
        return -1;
    }
}

/// <summary>struct pci_device_id with PCI_DEVICE / PCI_DEVICE_CLASS (src/hw/pcidevice.h).</summary>
internal sealed record PciDeviceId(uint vendid, uint devid, uint @class, uint class_mask, Action<PciDevice>? func)
{
    public const uint PCI_ANY_ID = ~0u;

    public static PciDeviceId PCI_DEVICE(uint vendor_id, uint device_id, Action<PciDevice> init_func) =>
        new(vendor_id, device_id, PCI_ANY_ID, 0, init_func);

    public static PciDeviceId PCI_DEVICE_CLASS(uint vendor_id, uint device_id, uint class_code, Action<PciDevice> init_func) =>
        new(vendor_id, device_id, class_code, ~0u, init_func);
}
