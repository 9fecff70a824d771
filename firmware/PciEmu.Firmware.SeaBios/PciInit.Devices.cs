using PciEmu.Fabric.FirmwareTables;
using static PciEmu.Firmware.SeaBios.SeaBiosDefs;

namespace PciEmu.Firmware.SeaBios;

internal sealed partial class PciInit
{
    /// <summary>outb(value, port) — skipped without a port seam.</summary>
    private void outb(byte value, ushort port) => _env.Ports?.Out(port, 1, value);

    /// <summary>pmtimer_setup (src/hw/timer.c): switch to the PM timer once, while the PIT is still the timer.</summary>
    private void pmtimer_setup(ushort ioport)
    {
        if (!_options.ConfigPmTimer) return;
        if (_pmTimerChosen) return; // have timer already
        _log.Dprintf(1, $"Using pmtimer, ioport 0x{DebugLog.Hex32(ioport)}");
        _pmTimerChosen = true;
    }

    /// <summary>The ELCR bytes for pci_irqs: each routed IRQ set to level trigger.</summary>
    private static (byte Elcr1, byte Elcr2) ElcrForPciIrqs()
    {
        Span<byte> elcr = [0x00, 0x00];
        foreach (var irq in pci_irqs) elcr[irq >> 3] |= (byte)(1 << (irq & 7));
        return (elcr[0], elcr[1]);
    }

    /// <summary>piix_isa_bridge_setup: PIIX3/PIIX4 PCI-to-ISA bridge PIRQ routing and ELCR.</summary>
    private void piix_isa_bridge_setup(PciDevice pci)
    {
        for (var i = 0; i < 4; i++)
        {
            // activate irq remapping in PIIX
            _pci.pci_config_writeb(pci.bdf, PIIX_PIRQRC + i, pci_irqs[i]);
        }
        var (elcr1, elcr2) = ElcrForPciIrqs();
        outb(elcr1, PIIX_PORT_ELCR1);
        outb(elcr2, PIIX_PORT_ELCR2);
        _log.Dprintf(1, $"PIIX3/PIIX4 init: elcr={elcr1:x2} {elcr2:x2}");
    }

    /// <summary>mch_isa_lpc_setup: PM base, ACPI enable, root complex register block.</summary>
    private void mch_isa_lpc_setup(int bdf)
    {
        // pm io base
        _pci.pci_config_writel(bdf, ICH9_LPC_PMBASE, acpi_pm_base | ICH9_LPC_PMBASE_RTE);
        // acpi enable, SCI: IRQ9 000b = irq9
        _pci.pci_config_writeb(bdf, ICH9_LPC_ACPI_CTRL, ICH9_LPC_ACPI_CTRL_ACPI_EN);
        // set root complex register block BAR
        _pci.pci_config_writel(bdf, ICH9_LPC_RCBA, ICH9_LPC_RCBA_ADDR | ICH9_LPC_RCBA_EN);
    }

    /// <summary>mch_isa_bridge_setup: ICH9 LPC PIRQ A-D / E-H routing (interleaved), ELCR, LPC setup, pmtimer.</summary>
    private void mch_isa_bridge_setup(PciDevice dev)
    {
        var bdf = dev.bdf;
        for (var i = 0; i < 4; i++)
        {
            var irq = pci_irqs[i];
            _pci.pci_config_writeb(bdf, ICH9_LPC_PIRQA_ROUT + i, irq); // PIRQ[A-D] routing
            _pci.pci_config_writeb(bdf, ICH9_LPC_PIRQE_ROUT + i, irq); // PIRQ[E-H] routing
        }
        var (elcr1, elcr2) = ElcrForPciIrqs();
        outb(elcr1, ICH9_LPC_PORT_ELCR1);
        outb(elcr2, ICH9_LPC_PORT_ELCR2);
        _log.Dprintf(1, $"Q35 LPC init: elcr={elcr1:x2} {elcr2:x2}");

        ICH9LpcBDF = bdf;
        mch_isa_lpc_setup(bdf);
        _e820.Add(ICH9_LPC_RCBA_ADDR, ICH9_LPC_RCBA_SIZE, E820Type.Reserved);

        acpi_pm1a_cnt = (ushort)(acpi_pm_base + ACPI_PM1A_CNT_OFFSET);
        pmtimer_setup((ushort)(acpi_pm_base + ACPI_PM_TMR_OFFSET));
    }

    /// <summary>storage_ide_setup: map a generic IDE controller at the ISA legacy ports.</summary>
    private void storage_ide_setup(PciDevice pci)
    {
        pci_set_io_region_addr(pci, 0, PORT_ATA1_CMD_BASE, false);
        pci_set_io_region_addr(pci, 1, PORT_ATA1_CTRL_BASE, false);
        pci_set_io_region_addr(pci, 2, PORT_ATA2_CMD_BASE, false);
        pci_set_io_region_addr(pci, 3, PORT_ATA2_CTRL_BASE, false);
    }

    /// <summary>piix_ide_setup: enable both PIIX IDE channels.</summary>
    private void piix_ide_setup(PciDevice pci)
    {
        _pci.pci_config_writew(pci.bdf, PIIX_IDE_TIM_PRIMARY, PIIX_IDE_TIM_DECODE_ENABLE); // enable IDE0
        _pci.pci_config_writew(pci.bdf, PIIX_IDE_TIM_SECONDARY, PIIX_IDE_TIM_DECODE_ENABLE); // enable IDE1
    }

    /// <summary>pic_ibm_setup: PIC, IBM, MPIC and MPIC2.</summary>
    private void pic_ibm_setup(PciDevice pci) => pci_set_io_region_addr(pci, 0, PIC_IBM_BAR0, false);

    /// <summary>apple_macio_setup: macio bridge.</summary>
    private void apple_macio_setup(PciDevice pci) => pci_set_io_region_addr(pci, 0, APPLE_MACIO_BAR0, false);

    /// <summary>piix4_pm_config_setup: SCI on IRQ 9, PM and SMBus I/O bases.</summary>
    private void piix4_pm_config_setup(int bdf)
    {
        // acpi sci is hardwired to 9
        _pci.pci_config_writeb(bdf, PCI_INTERRUPT_LINE, PIIX_PM_INTRRUPT);

        _pci.pci_config_writel(bdf, PIIX_PMBASE, acpi_pm_base | 1u);
        _pci.pci_config_writeb(bdf, PIIX_PMREGMISC, PIIX_PMREGMISC_PMIOSE); // enable PM io space
        _pci.pci_config_writel(bdf, PIIX_SMBHSTBASE, (uint)(acpi_pm_base + ACPI_PM_SMB_OFFSET) | 1u);
        _pci.pci_config_writeb(bdf, PIIX_SMBHSTCFG, PIIX_SMBHSTCFG_SMB_HST_EN); // enable SMBus io space
    }

    /// <summary>piix4_pm_setup: PIIX4 power management function (for ACPI).</summary>
    private void piix4_pm_setup(PciDevice pci)
    {
        PiixPmBDF = pci.bdf;
        piix4_pm_config_setup(pci.bdf);

        acpi_pm1a_cnt = (ushort)(acpi_pm_base + ACPI_PM1A_CNT_OFFSET);
        pmtimer_setup((ushort)(acpi_pm_base + ACPI_PM_TMR_OFFSET));
    }

    /// <summary>ich9_smbus_enable: map SMBus at pm_base+0x100 (over the BAR pass #2 assigned) and enable it.</summary>
    private void ich9_smbus_enable(int bdf)
    {
        // map smbus into io space
        _pci.pci_config_writel(bdf, ICH9_SMB_SMB_BASE, (uint)(acpi_pm_base + ACPI_PM_SMB_OFFSET) | PCI_BASE_ADDRESS_SPACE_IO);
        // enable SMBus
        _pci.pci_config_writeb(bdf, ICH9_SMB_HOSTC, ICH9_SMB_HOSTC_HST_EN);
    }

    /// <summary>ich9_smbus_setup.</summary>
    private void ich9_smbus_setup(PciDevice dev)
    {
        ICH9SmbusBDF = dev.bdf;
        ich9_smbus_enable(dev.bdf);
    }

    /// <summary>pci_device_tbl: first match wins.</summary>
    private IReadOnlyList<PciDeviceId> pci_device_tbl =>
    [
        // PIIX3/PIIX4 PCI to ISA bridge
        PciDeviceId.PCI_DEVICE(PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_82371SB_0, piix_isa_bridge_setup),
        PciDeviceId.PCI_DEVICE(PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_82371AB_0, piix_isa_bridge_setup),
        PciDeviceId.PCI_DEVICE(PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_ICH9_LPC, mch_isa_bridge_setup),

        // STORAGE IDE
        PciDeviceId.PCI_DEVICE_CLASS(PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_82371SB_1, PCI_CLASS_STORAGE_IDE, piix_ide_setup),
        PciDeviceId.PCI_DEVICE_CLASS(PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_82371AB, PCI_CLASS_STORAGE_IDE, piix_ide_setup),
        PciDeviceId.PCI_DEVICE_CLASS(PciDeviceId.PCI_ANY_ID, PciDeviceId.PCI_ANY_ID, PCI_CLASS_STORAGE_IDE, storage_ide_setup),

        // PIC, IBM, MPIC & MPIC2
        PciDeviceId.PCI_DEVICE_CLASS(PCI_VENDOR_ID_IBM, PCI_DEVICE_ID_IBM_MPIC, PCI_CLASS_SYSTEM_PIC, pic_ibm_setup),
        PciDeviceId.PCI_DEVICE_CLASS(PCI_VENDOR_ID_IBM, PCI_DEVICE_ID_IBM_MPIC2, PCI_CLASS_SYSTEM_PIC, pic_ibm_setup),

        // PIIX4 Power Management device (for ACPI)
        PciDeviceId.PCI_DEVICE(PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_82371AB_3, piix4_pm_setup),
        PciDeviceId.PCI_DEVICE(PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_ICH9_SMBUS, ich9_smbus_setup),

        // 0xff00
        PciDeviceId.PCI_DEVICE_CLASS(PCI_VENDOR_ID_APPLE, PCI_DEVICE_ID_APPLE_UNI_N_KEYL, PCI_CLASS_APPLE_MACIO, apple_macio_setup),
        PciDeviceId.PCI_DEVICE_CLASS(PCI_VENDOR_ID_APPLE, PCI_DEVICE_ID_APPLE_MACIO, PCI_CLASS_APPLE_MACIO, apple_macio_setup),

        // Intel IGD OpRegion setup
        PciDeviceId.PCI_DEVICE_CLASS(PCI_VENDOR_ID_INTEL, PciDeviceId.PCI_ANY_ID, PCI_CLASS_DISPLAY_VGA, intel_igd_setup),
    ];

    /// <summary>pci_bios_init_device: INTx line, the device hook, then IO+MEM+SERR (and bridge SERR forwarding).</summary>
    private void pci_bios_init_device(PciDevice pci, IReadOnlyList<PciDeviceId> tbl)
    {
        _log.Dprintf(1, $"PCI: init bdf={DebugLog.Pp(pci.bdf)} id={pci.vendor:x4}:{pci.device:x4}");

        // map the interrupt
        var bdf = pci.bdf;
        var pin = _pci.pci_config_readb(bdf, PCI_INTERRUPT_PIN);
        if (pin != 0) _pci.pci_config_writeb(bdf, PCI_INTERRUPT_LINE, (byte)pci_slot_get_irq(pci, pin));

        PciDevices.pci_init_device(tbl, pci);

        // enable memory mappings
        _pci.pci_config_maskw(bdf, PCI_COMMAND, 0, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_SERR);
        // enable SERR# for forwarding
        if ((pci.header_type & PCI_HEADER_TYPE_BRIDGE) != 0)
            _pci.pci_config_maskw(bdf, PCI_BRIDGE_CONTROL, 0, PCI_BRIDGE_CTL_SERR);
    }

    /// <summary>pci_bios_init_devices.</summary>
    private void pci_bios_init_devices()
    {
        var tbl = pci_device_tbl;
        foreach (var pci in _devices.All) pci_bios_init_device(pci, tbl);
    }

    /// <summary>is_pci_vga (src/optionroms.c): a VGA with IO+MEM decode and VGA enable on every bridge above it.</summary>
    private bool is_pci_vga(PciDevice pci)
    {
        if (pci.@class != PCI_CLASS_DISPLAY_VGA) return false;
        var cmd = _pci.pci_config_readw(pci.bdf, PCI_COMMAND);
        if (!((cmd & PCI_COMMAND_IO) != 0 && (cmd & PCI_COMMAND_MEMORY) != 0)) return false;
        while (pci.parent is not null)
        {
            pci = pci.parent;
            uint ctrl = _pci.pci_config_readb(pci.bdf, PCI_BRIDGE_CONTROL);
            if ((ctrl & PCI_BRIDGE_CTL_VGA) == 0) return false;
        }
        return true;
    }

    /// <summary>pci_enable_default_vga: keep a usable VGA, or enable the first one and the bridges above it.</summary>
    private void pci_enable_default_vga()
    {
        foreach (var p in _devices.All)
        {
            if (is_pci_vga(p))
            {
                _log.Dprintf(1, $"PCI: Using {DebugLog.Pp(p.bdf)} for primary VGA");
                return;
            }
        }

        var pci = _devices.pci_find_class(PCI_CLASS_DISPLAY_VGA);
        if (pci is null)
        {
            _log.Dprintf(1, "PCI: No VGA devices found");
            return;
        }

        _log.Dprintf(1, $"PCI: Enabling {DebugLog.Pp(pci.bdf)} for primary VGA");
        _pci.pci_config_maskw(pci.bdf, PCI_COMMAND, 0, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);

        while (pci.parent is not null)
        {
            pci = pci.parent;
            _log.Dprintf(1, $"PCI: Setting VGA enable on bridge {DebugLog.Pp(pci.bdf)}");
            _pci.pci_config_maskw(pci.bdf, PCI_BRIDGE_CONTROL, 0, PCI_BRIDGE_CTL_VGA);
            _pci.pci_config_maskw(pci.bdf, PCI_COMMAND, 0, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
        }
    }
}
