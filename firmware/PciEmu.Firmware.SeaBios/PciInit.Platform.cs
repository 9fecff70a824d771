using PciEmu.Fabric.FirmwareTables;
using static PciEmu.Firmware.SeaBios.SeaBiosDefs;

namespace PciEmu.Firmware.SeaBios;

internal sealed partial class PciInit
{
    /// <summary>dummy_pci_slot_get_irq: no platform matched.</summary>
    private int dummy_pci_slot_get_irq(PciDevice pci, int pin)
    {
        _log.Dprintf(1, "pci_slot_get_irq called with unknown routing");
        return 0xff; // PCI defined "unknown" or "no connection" for x86
    }

    /// <summary>piix_pci_slot_get_irq: the global irq for a host-bus device's pin, swizzled through bridges.</summary>
    private static int piix_pci_slot_get_irq(PciDevice pci, int pin)
    {
        var slot_addend = 0;
        while (pci.parent is not null)
        {
            slot_addend += PciConfig.pci_bdf_to_dev(pci.bdf);
            pci = pci.parent;
        }
        slot_addend += PciConfig.pci_bdf_to_dev(pci.bdf) - 1;
        return pci_irqs[(pin - 1 + slot_addend) & 3];
    }

    /// <summary>mch_pci_slot_get_irq: slots 0-24 rotate like PIIX from a different start; 25-31 use LNKA.</summary>
    private static int mch_pci_slot_get_irq(PciDevice pci, int pin)
    {
        var pin_addend = 0;
        while (pci.parent is not null)
        {
            pin_addend += PciConfig.pci_bdf_to_dev(pci.bdf);
            pci = pci.parent;
        }
        var slot = PciConfig.pci_bdf_to_dev(pci.bdf);
        if (slot <= 24) return pci_irqs[(pin - 1 + pin_addend + slot) & 3];
        return pci_irqs[(pin - 1 + pin_addend) & 3];
    }

    /// <summary>i440fx_mem_addr_setup.</summary>
    private void i440fx_mem_addr_setup(PciDevice dev)
    {
        if (RamSize <= I440FX_PCIMEM_START_2G) pcimem_start = I440FX_PCIMEM_START_2G;
        else if (RamSize <= I440FX_PCIMEM_START_3G) pcimem_start = I440FX_PCIMEM_START_3G;

        pci_slot_get_irq = piix_pci_slot_get_irq;
    }

    /// <summary>mch_mmconfig_setup: program PCIEXBAR (over CF8) and switch the accessors to ECAM.</summary>
    private void mch_mmconfig_setup(int bdf)
    {
        var addr = _options.Q35MmconfigAddress;
        var upper = (uint)(addr >> 32);
        var lower = (uint)((addr & 0xffffffff) | Q35_HOST_BRIDGE_PCIEXBAREN);
        _pci.pci_config_writel(bdf, Q35_HOST_BRIDGE_PCIEXBAR, 0);
        _pci.pci_config_writel(bdf, Q35_HOST_BRIDGE_PCIEXBAR + 4, upper);
        _pci.pci_config_writel(bdf, Q35_HOST_BRIDGE_PCIEXBAR, lower);
        _pci.pci_enable_mmconfig(addr, "q35");
    }

    /// <summary>mch_mem_addr_setup.</summary>
    private void mch_mem_addr_setup(PciDevice dev)
    {
        var addr = _options.Q35MmconfigAddress;
        var size = Q35_HOST_BRIDGE_PCIEXBAR_SIZE;

        // setup mmconfig
        MCHMmcfgBDF = dev.bdf;
        mch_mmconfig_setup(dev.bdf);
        _e820.Add(addr, size, E820Type.Reserved);

        // setup pci i/o window (above mmconfig)
        pcimem_start = addr + size;

        pci_slot_get_irq = mch_pci_slot_get_irq;

        // setup io address space
        pci_io_low_end = acpi_pm_base < ACPI_PM_BASE_LOW_LIMIT ? PCI_IO_LOW_END_Q35 : acpi_pm_base;
    }

    /// <summary>pci_platform_tbl.</summary>
    private IReadOnlyList<PciDeviceId> pci_platform_tbl =>
    [
        PciDeviceId.PCI_DEVICE(PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_82441, i440fx_mem_addr_setup),
        PciDeviceId.PCI_DEVICE(PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_Q35_MCH, mch_mem_addr_setup),
    ];

    /// <summary>pci_bios_init_platform.</summary>
    private void pci_bios_init_platform()
    {
        var tbl = pci_platform_tbl;
        foreach (var pci in _devices.All) PciDevices.pci_init_device(tbl, pci);
    }
}
