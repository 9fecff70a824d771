using System.Globalization;

namespace PciEmu.Scenarios.Reports;

/// <summary>
/// The few pci.ids names of the devices PciEmu models (Debian pciutils' pci.ids), with lspci's fallbacks
/// (lib/names.c pci_lookup_name), plus QEMU's own class descriptions (hw/pci/pci.c pci_class_descriptions).
/// </summary>
public static class PciNames
{
    private static readonly Dictionary<ushort, string> Vendors = new()
    {
        [0x8086] = "Intel Corporation",
        [0x1af4] = "Red Hat, Inc.",
        [0x1b36] = "Red Hat, Inc.",
        [0x104c] = "Texas Instruments",
        [0x1013] = "Cirrus Logic",
        [0x10ec] = "Realtek Semiconductor Co., Ltd.",
        [0x5853] = "XenSource, Inc.",
    };

    private static readonly Dictionary<(ushort, ushort), string> Devices = new()
    {
        [(0x8086, 0x1237)] = "440FX - 82441FX PMC [Natoma]",
        [(0x8086, 0x7000)] = "82371SB PIIX3 ISA [Natoma/Triton II]",
        [(0x8086, 0x7010)] = "82371SB PIIX3 IDE [Natoma/Triton II]",
        [(0x8086, 0x7020)] = "82371SB PIIX3 USB [Natoma/Triton II]",
        [(0x8086, 0x7113)] = "82371AB/EB/MB PIIX4 ACPI",
        [(0x8086, 0x29c0)] = "82G33/G31/P35/P31 Express DRAM Controller",
        [(0x8086, 0x2918)] = "82801IB (ICH9) LPC Interface Controller",
        [(0x8086, 0x2922)] = "82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode]",
        [(0x8086, 0x2930)] = "82801I (ICH9 Family) SMBus Controller",
        [(0x8086, 0x100e)] = "82540EM Gigabit Ethernet Controller",
        [(0x8086, 0x10d3)] = "82574L Gigabit Network Connection",
        [(0x8086, 0x3420)] = "7500/5520/5500/X58 I/O Hub PCI Express Root Port 0",
        [(0x1b36, 0x0001)] = "QEMU PCI-PCI bridge",
        [(0x1b36, 0x0005)] = "QEMU PCI Test Device",
        [(0x1b36, 0x0008)] = "QEMU PCIe Host bridge",
        [(0x1b36, 0x000c)] = "QEMU PCIe Root port",
        [(0x1af4, 0x1000)] = "Virtio network device",
        [(0x1af4, 0x1005)] = "Virtio RNG",
        [(0x1af4, 0x1041)] = "Virtio 1.0 network device",
        [(0x1af4, 0x1044)] = "Virtio 1.0 RNG",
        [(0x104c, 0x8232)] = "XIO3130 PCI Express Switch (Upstream)",
        [(0x104c, 0x8233)] = "XIO3130 PCI Express Switch (Downstream)",
        [(0x1013, 0x00b8)] = "GD 5446",
        [(0x10ec, 0x8139)] = "RTL-8100/8101L/8139 PCI Fast Ethernet Adapter",
        [(0x5853, 0x0001)] = "Xen Platform Device",
    };

    private static readonly Dictionary<byte, string> Classes = new()
    {
        [0x00] = "Unclassified device", [0x01] = "Mass storage controller", [0x02] = "Network controller",
        [0x03] = "Display controller", [0x04] = "Multimedia controller", [0x05] = "Memory controller",
        [0x06] = "Bridge", [0x07] = "Communication controller", [0x08] = "Generic system peripheral",
        [0x0c] = "Serial bus controller", [0xff] = "Unassigned class",
    };

    private static readonly Dictionary<ushort, string> SubClasses = new()
    {
        [0x0000] = "Non-VGA unclassified device", [0x0001] = "VGA compatible unclassified device",
        [0x0100] = "SCSI storage controller", [0x0101] = "IDE interface", [0x0104] = "RAID bus controller",
        [0x0105] = "ATA controller", [0x0106] = "SATA controller", [0x0108] = "Non-Volatile memory controller",
        [0x0180] = "Mass storage controller", [0x0200] = "Ethernet controller", [0x0280] = "Network controller",
        [0x0300] = "VGA compatible controller", [0x0302] = "3D controller", [0x0380] = "Display controller",
        [0x0600] = "Host bridge", [0x0601] = "ISA bridge", [0x0604] = "PCI bridge", [0x0607] = "CardBus bridge",
        [0x0680] = "Bridge", [0x0c03] = "USB controller", [0x0c05] = "SMBus",
    };

    /// <summary>QEMU's pci_class_descriptions (exact 16-bit class match), used by query-pci and info pci.</summary>
    private static readonly Dictionary<ushort, string> QemuClassDescriptions = new()
    {
        [0x0001] = "VGA controller", [0x0100] = "SCSI controller", [0x0101] = "IDE controller",
        [0x0102] = "Floppy controller", [0x0103] = "IPI controller", [0x0104] = "RAID controller",
        [0x0106] = "SATA controller", [0x0107] = "SAS controller", [0x0180] = "Storage controller",
        [0x0200] = "Ethernet controller", [0x0201] = "Token Ring controller", [0x0202] = "FDDI controller",
        [0x0203] = "ATM controller", [0x0280] = "Network controller", [0x0300] = "VGA controller",
        [0x0301] = "XGA controller", [0x0302] = "3D controller", [0x0380] = "Display controller",
        [0x0400] = "Video controller", [0x0401] = "Audio controller", [0x0402] = "Phone",
        [0x0403] = "Audio controller", [0x0480] = "Multimedia controller", [0x0500] = "RAM controller",
        [0x0501] = "Flash controller", [0x0580] = "Memory controller", [0x0600] = "Host bridge",
        [0x0601] = "ISA bridge", [0x0602] = "EISA bridge", [0x0603] = "MC bridge", [0x0604] = "PCI bridge",
        [0x0605] = "PCMCIA bridge", [0x0606] = "NUBUS bridge", [0x0607] = "CARDBUS bridge",
        [0x0608] = "RACEWAY bridge", [0x0680] = "Bridge", [0x0700] = "Serial port", [0x0701] = "Parallel port",
        [0x0800] = "Interrupt controller", [0x0801] = "DMA controller", [0x0802] = "Timer", [0x0803] = "RTC",
        [0x0900] = "Keyboard", [0x0901] = "Pen", [0x0902] = "Mouse", [0x0A00] = "Dock station",
        [0x0B00] = "i386 cpu", [0x0c00] = "Fireware contorller", [0x0c01] = "Access bus controller",
        [0x0c02] = "SSA controller", [0x0c03] = "USB controller", [0x0c04] = "Fibre channel controller",
        [0x0c05] = "SMBus",
    };

    public static string? QemuClassDescription(ushort classDevice) => QemuClassDescriptions.GetValueOrDefault(classDevice);

    private static string Hex4(int v) => v.ToString("x4", CultureInfo.InvariantCulture);

    /// <summary>PCI_LOOKUP_CLASS: "Host bridge" / "Host bridge [0600]" (-nn); unknown subclass: "Bridge [06ff]".</summary>
    public static string Class(ushort classDevice, bool numeric)
    {
        if (SubClasses.TryGetValue(classDevice, out var sub)) return numeric ? $"{sub} [{Hex4(classDevice)}]" : sub;
        if (Classes.TryGetValue((byte)(classDevice >> 8), out var cls)) return $"{cls} [{Hex4(classDevice)}]";
        return numeric ? $"Class [{Hex4(classDevice)}]" : $"Class {Hex4(classDevice)}";
    }

    /// <summary>PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE with lspci's fallbacks.</summary>
    public static string VendorDevice(ushort vendor, ushort device, bool numeric)
    {
        var v = Vendors.GetValueOrDefault(vendor);
        var d = Devices.GetValueOrDefault((vendor, device));
        var ids = $"{Hex4(vendor)}:{Hex4(device)}";
        if (v is not null && d is not null) return numeric ? $"{v} {d} [{ids}]" : $"{v} {d}";
        if (v is null) return numeric ? $"Device [{ids}]" : $"Device {ids}";
        return numeric ? $"{v} Device [{ids}]" : $"{v} Device {Hex4(device)}";
    }

    private const string QemuVm = "QEMU Virtual Machine";
    private const string QemuVmLower = "Qemu virtual machine";

    /// <summary>pci.ids subsystem entries (device, subsystem) for QEMU's default subsystem 1af4:1100, as spelled per device.</summary>
    private static readonly Dictionary<(ushort, ushort, ushort, ushort), string> Subsystems = new()
    {
        [(0x8086, 0x1237, 0x1af4, 0x1100)] = QemuVmLower,
        [(0x8086, 0x7000, 0x1af4, 0x1100)] = QemuVmLower,
        [(0x8086, 0x7010, 0x1af4, 0x1100)] = QemuVmLower,
        [(0x8086, 0x7113, 0x1af4, 0x1100)] = QemuVmLower,
        [(0x8086, 0x7020, 0x1af4, 0x1100)] = QemuVm,
        [(0x8086, 0x29c0, 0x1af4, 0x1100)] = QemuVm,
        [(0x8086, 0x2918, 0x1af4, 0x1100)] = QemuVm,
        [(0x8086, 0x2922, 0x1af4, 0x1100)] = QemuVm,
        [(0x8086, 0x2930, 0x1af4, 0x1100)] = QemuVm,
        [(0x8086, 0x100e, 0x1af4, 0x1100)] = QemuVm,
        [(0x1b36, 0x0005, 0x1af4, 0x1100)] = QemuVm,
    };

    /// <summary>PCI_LOOKUP_SUBSYSTEM (id_lookup_subsys): the entry under the device, else "Vendor Device [sv:sd]".</summary>
    public static string Subsystem(ushort vendor, ushort device, ushort subVendor, ushort subDevice, bool numeric)
    {
        if (Subsystems.TryGetValue((vendor, device, subVendor, subDevice), out var name) && Vendors.TryGetValue(subVendor, out var v))
            return numeric ? $"{v} {name} [{Hex4(subVendor)}:{Hex4(subDevice)}]" : $"{v} {name}";
        return VendorDevice(subVendor, subDevice, numeric);
    }
}
