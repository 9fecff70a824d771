namespace PciEmu.Firmware.SeaBios;

/// <summary>
/// The boot that follows POST (startBoot → handle_19 → do_boot), as far as config space is concerned. No disk is
/// modelled, so the hard-disk entry fails ("Boot failed: could not read the boot disk") and SeaBIOS calls the first
/// BEV: that of the first PCI option ROM optionrom_setup deployed. QEMU's NIC romfiles (efi-e1000.rom,
/// efi-e1000e.rom, efi-virtio.rom, efi-rtl8139.rom) are iPXE builds, code PciEmu cannot run; this class models its
/// effect on config space: iPXE probes the PCI bus and binds the driver of that ROM to every function the driver
/// covers (the intel driver: e1000 and e1000e alike; virtio-net: legacy and modern), and each probe starts with
/// adjust_pci_device (iPXE src/drivers/bus/pci.c), which enables memory, I/O and bus mastering and raises a latency
/// timer below 32 (QEMU's endpoints keep the register read-only 0). The virtio driver's accesses through the
/// VIRTIO_PCI_CAP_PCI_CFG window (its last BAR access stays in the capability) are not modelled
/// (docs/seabios-port.md).
/// </summary>
internal static class IpxeBoot
{
    /// <summary>The phase the modelled effect runs in; real config cycles of the recorder interleave from here on.</summary>
    public const string PhaseName = "ipxe: adjust_pci_device (modelled effect of the boot ROM)";

    private const int PCI_COMMAND = 0x04;
    private const int PCI_LATENCY_TIMER = 0x0d;
    private const ushort PCI_COMMAND_IO = 0x1, PCI_COMMAND_MEM = 0x2, PCI_COMMAND_MASTER = 0x4;
    private const byte MinLatency = 32;

    private enum Driver { Intel, VirtioNet, Realtek }

    /// <summary>The PCI IDs of QEMU's NICs and the iPXE driver each one's romfile is built around.</summary>
    private static readonly Dictionary<(ushort Vendor, ushort Device), Driver> Drivers = new()
    {
        [(0x8086, 0x100e)] = Driver.Intel,      // e1000 (82540EM)
        [(0x8086, 0x10d3)] = Driver.Intel,      // e1000e (82574L)
        [(0x1af4, 0x1000)] = Driver.VirtioNet,  // virtio-net-pci, transitional
        [(0x1af4, 0x1041)] = Driver.VirtioNet,  // virtio-net-pci, modern
        [(0x10ec, 0x8139)] = Driver.Realtek,    // rtl8139
    };

    /// <summary>Applies the first deployed ROM's probe; returns the functions it adjusted.</summary>
    public static IReadOnlyList<string> Run(PciConfig pci, IReadOnlyList<PciDevice> devices, IReadOnlyList<PciDevice> deployedRoms)
    {
        if (deployedRoms.Count == 0 || !Drivers.TryGetValue((deployedRoms[0].vendor, deployedRoms[0].device), out var driver)) return [];
        var bound = new List<string>();
        foreach (var dev in devices)
        {
            if (!Drivers.TryGetValue((dev.vendor, dev.device), out var d) || d != driver) continue;
            adjust_pci_device(pci, dev.bdf);
            bound.Add(DebugLog.Pp(dev.bdf));
        }
        return bound;
    }

    /// <summary>adjust_pci_device (iPXE): memory, I/O and bus mastering on; latency timer at least 32.</summary>
    private static void adjust_pci_device(PciConfig pci, ushort bdf)
    {
        var pci_command = pci.pci_config_readw(bdf, PCI_COMMAND);
        var new_command = (ushort)(pci_command | PCI_COMMAND_MASTER | PCI_COMMAND_MEM | PCI_COMMAND_IO);
        if (pci_command != new_command) pci.pci_config_writew(bdf, PCI_COMMAND, new_command);
        var pci_latency = pci.pci_config_readb(bdf, PCI_LATENCY_TIMER);
        if (pci_latency < MinLatency) pci.pci_config_writeb(bdf, PCI_LATENCY_TIMER, MinLatency);
    }
}
