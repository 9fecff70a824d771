using static PciEmu.Firmware.SeaBios.SeaBiosDefs;

namespace PciEmu.Firmware.SeaBios;

/// <summary>
/// What SeaBIOS rel-1.16.2 does to PCI config space after pci_setup, in POST order (src/post.c maininit):
/// qemu_platform_setup's smm_device_setup/smm_setup (src/fw/smm.c) and mptable_setup (src/fw/mptable.c),
/// device_hardware_setup's ata_setup (src/hw/ata.c) and ahci_setup (src/hw/ahci.c), optionrom_setup
/// (src/optionroms.c), make_bios_readonly (src/fw/shadow.c). Only the config-space part of each is ported: the
/// MMIO of the AHCI ports, the option ROMs' images and code, SMM itself and the tables' contents are not modelled
/// (docs/seabios-port.md). Steps for devices the catalog does not hold (USB, NVMe, virtio-blk/scsi, SCSI HBAs,
/// VGA ROMs) are not ported.
/// </summary>
internal sealed class SeaBiosPost(PciConfig pci, IReadOnlyList<PciDevice> devices, DebugLog log, FwCfgReader romfile,
    IPortIo? ports, ushort acpiPmBase, int shadowBdf)
{
    private const int I440FX_SMRAM = 0x72;
    private const int Q35_HOST_BRIDGE_SMRAM = 0x9d;
    private const byte SMRAM_C_BASE_SEG = 0x02;
    private const byte SMRAM_D_OPEN = 0x40;
    private const byte SMRAM_G_SMRAME = 0x08;
    private const int PIIX_DEVACTB = 0x58;
    private const uint PIIX_DEVACTB_APMC_EN = 1u << 25;
    private const ushort PIIX_PMIO_GLBCTL = 0x28;
    private const uint PIIX_PMIO_GLBCTL_SMI_EN = 1;
    private const ushort ICH9_PMIO_SMI_EN = 0x30;
    private const uint ICH9_PMIO_SMI_EN_APMC_EN = 1u << 5;
    private const uint ICH9_PMIO_SMI_EN_GLB_SMI_EN = 1;
    private const int ICH9_LPC_GEN_PMCON_1 = 0xa0;
    private const uint ICH9_LPC_GEN_PMCON_1_SMI_LOCK = 1u << 4;
    private const ushort PORT_SMI_CMD = 0xb2;
    private const ushort PORT_SMI_STATUS = 0xb3;
    private const ushort PCI_COMMAND_MASTER = 0x4;
    private const ushort PCI_CLASS_STORAGE_SATA = 0x0106;
    private const byte AHCI_PROG_IF_REV1 = 1;
    private const int PCI_BASE_ADDRESS_4 = 0x20;
    private const int PCI_BASE_ADDRESS_5 = 0x24;
    private const byte ATA_PROG_IF_BUSMASTER = 0x80;
    private const ushort PCI_CLASS_DISPLAY_OTHER = 0x0380;
    private const uint PCI_ROM_ADDRESS_ENABLE = 1;
    private const byte PCI_HEADER_TYPE_NORMAL = 0;
    private const uint RomWindowLow = 4 * 1024 * 1024;   // "in the last 4MiB of ram, or the first 16MiB of ram"
    private const uint RomWindowHigh = 20 * 1024 * 1024;
    private const ulong RunPCIromsDefault = 2;
    private const ushort PCI_VENDOR_ID_ATI = 0x1002;
    private const ushort PCI_DEVICE_ID_ATI_SB600_SATA = 0x4391;

    private int SMMISADeviceBDF = -1, SMMPMDeviceBDF = -1;

    /// <summary>The devices whose PCI ROM optionrom_setup deployed and ran, in order (their BEVs, in boot order).</summary>
    public List<PciDevice> DeployedRoms { get; } = [];

    /// <summary>The post-pciinit part of handle_post/maininit, in order.</summary>
    public void Run(SeaBiosOptions options)
    {
        smm_device_setup();
        smm_setup();
        mptable_setup();
        ata_setup(options);
        ahci_setup();
        optionrom_setup();
        make_bios_readonly();
    }

    /// <summary>smm_device_setup: the PIIX4 PM + i440fx pair, else the ICH9 LPC + Q35 MCH pair.</summary>
    private void smm_device_setup()
    {
        var isapci = pci_find_device(PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_82371AB_3);
        var pmpci = pci_find_device(PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_82441);
        if (isapci is not null && pmpci is not null)
        {
            SMMISADeviceBDF = isapci.bdf;
            SMMPMDeviceBDF = pmpci.bdf;
            return;
        }
        isapci = pci_find_device(PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_ICH9_LPC);
        pmpci = pci_find_device(PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_Q35_MCH);
        if (isapci is not null && pmpci is not null)
        {
            SMMISADeviceBDF = isapci.bdf;
            SMMPMDeviceBDF = pmpci.bdf;
        }
    }

    /// <summary>pci_find_device: the first device with this vendor/device id (src/hw/pcidevice.c).</summary>
    private PciDevice? pci_find_device(ushort vendid, ushort devid) =>
        devices.FirstOrDefault(d => d.vendor == vendid && d.device == devid);

    /// <summary>smm_setup.</summary>
    private void smm_setup()
    {
        if (SMMISADeviceBDF < 0) return;
        log.Dprintf(3, "init smm");
        var device = pci.pci_config_readw(SMMISADeviceBDF, PCI_DEVICE_ID);
        if (device == PCI_DEVICE_ID_INTEL_82371AB_3) piix4_apmc_smm_setup(SMMISADeviceBDF, SMMPMDeviceBDF);
        else ich9_lpc_apmc_smm_setup(SMMISADeviceBDF, SMMPMDeviceBDF);
    }

    /// <summary>piix4_apmc_smm_setup: open SMRAM, enable APMC SMIs, relocate SMBASE, close SMRAM.</summary>
    private void piix4_apmc_smm_setup(int isabdf, int i440_bdf)
    {
        // check if SMM init is already done
        var value = pci.pci_config_readl(isabdf, PIIX_DEVACTB);
        if ((value & PIIX_DEVACTB_APMC_EN) != 0) return;
        // enable the SMM memory window
        pci.pci_config_writeb(i440_bdf, I440FX_SMRAM, SMRAM_C_BASE_SEG | SMRAM_D_OPEN | SMRAM_G_SMRAME);
        // smm_save_and_copy: memory only
        // enable SMI generation when writing to the APMC register
        pci.pci_config_writel(isabdf, PIIX_DEVACTB, value | PIIX_DEVACTB_APMC_EN);
        // enable SMI generation
        if (ports is not null)
        {
            var glbctl = ports.In((ushort)(acpiPmBase + PIIX_PMIO_GLBCTL), 4);
            ports.Out((ushort)(acpiPmBase + PIIX_PMIO_GLBCTL), 4, glbctl | PIIX_PMIO_GLBCTL_SMI_EN);
        }
        smm_relocate_and_restore();
        // close the SMM memory window and enable normal SMM
        pci.pci_config_writeb(i440_bdf, I440FX_SMRAM, SMRAM_C_BASE_SEG | SMRAM_G_SMRAME);
    }

    /// <summary>ich9_lpc_apmc_smm_setup: as the PIIX4 variant, then lock SMI generation (GEN_PMCON_1.SMI_LOCK).</summary>
    private void ich9_lpc_apmc_smm_setup(int isabdf, int mch_bdf)
    {
        // check if SMM init is already done (with no port I/O the PM block reads as a fresh reset: 0)
        var value = ports?.In((ushort)(acpiPmBase + ICH9_PMIO_SMI_EN), 4) ?? 0;
        if ((value & ICH9_PMIO_SMI_EN_APMC_EN) != 0) return;
        // enable the SMM memory window
        pci.pci_config_writeb(mch_bdf, Q35_HOST_BRIDGE_SMRAM, SMRAM_C_BASE_SEG | SMRAM_D_OPEN | SMRAM_G_SMRAME);
        // smm_save_and_copy: memory only
        // enable SMI generation when writing to the APMC register
        ports?.Out((ushort)(acpiPmBase + ICH9_PMIO_SMI_EN), 4, value | ICH9_PMIO_SMI_EN_APMC_EN | ICH9_PMIO_SMI_EN_GLB_SMI_EN);
        // lock SMI generation
        value = pci.pci_config_readw(isabdf, ICH9_LPC_GEN_PMCON_1);
        pci.pci_config_writel(isabdf, ICH9_LPC_GEN_PMCON_1, value | ICH9_LPC_GEN_PMCON_1_SMI_LOCK);
        smm_relocate_and_restore();
        // close the SMM memory window and enable normal SMM
        pci.pci_config_writeb(mch_bdf, Q35_HOST_BRIDGE_SMRAM, SMRAM_C_BASE_SEG | SMRAM_G_SMRAME);
    }

    /// <summary>
    /// smm_relocate_and_restore: init the APM status port and raise an SMI through the APM command port. The SMI
    /// handler (handle_smi: SMBASE relocation) runs in SMM and writes 0 to the status port, which ends the wait;
    /// no CPU is modelled, so the port writes that 0 itself and does not spin on the status port.
    /// </summary>
    private void smm_relocate_and_restore()
    {
        if (ports is null) return;
        ports.Out(PORT_SMI_STATUS, 1, 0x01);
        ports.Out(PORT_SMI_CMD, 1, 0x00);
        ports.Out(PORT_SMI_STATUS, 1, 0x00); // handle_smi: "indicate to smm_relocate_and_restore() that the SMM code was executed"
    }

    /// <summary>mptable_setup: the interrupt sources of the root bus (pin and line of each function; tables not modelled).</summary>
    private void mptable_setup()
    {
        foreach (var dev in devices)
        {
            var bdf = dev.bdf;
            if (PciConfig.pci_bdf_to_bus(bdf) != 0) break;
            _ = pci.pci_config_readb(bdf, PCI_INTERRUPT_PIN);
            _ = pci.pci_config_readb(bdf, PCI_INTERRUPT_LINE);
        }
    }

    /// <summary>ata_setup → ata_scan: every IDE controller (and the ATI SB600 SATA in IDE mode) through pci_ata_tbl.</summary>
    private void ata_setup(SeaBiosOptions options)
    {
        log.Dprintf(3, "init hard drives");
        if (devices.Count == 0) return; // -M isapc: ISA ports only
        var pci_ata_tbl = new[]
        {
            PciDeviceId.PCI_DEVICE_CLASS(PciDeviceId.PCI_ANY_ID, PciDeviceId.PCI_ANY_ID, PCI_CLASS_STORAGE_IDE, d => init_pciata(d, d.prog_if, options)),
            PciDeviceId.PCI_DEVICE(PCI_VENDOR_ID_ATI, PCI_DEVICE_ID_ATI_SB600_SATA, _ => { }), // found_compatibleahci: CONFIG_AHCI handles it
        };
        foreach (var dev in devices) PciDevices.pci_init_device(pci_ata_tbl, dev);
    }

    /// <summary>init_pciata: the controller's IRQ line, bus mastering with CONFIG_ATA_DMA, native-mode BARs.</summary>
    private void init_pciata(PciDevice dev, byte prog_if, SeaBiosOptions options)
    {
        _ = pci.pci_config_readb(dev.bdf, PCI_INTERRUPT_LINE);
        if (options.ConfigAtaDma && (prog_if & ATA_PROG_IF_BUSMASTER) != 0)
        {
            // Check for bus-mastering.
            var bar = pci.pci_config_readl(dev.bdf, PCI_BASE_ADDRESS_4);
            if ((bar & PCI_BASE_ADDRESS_SPACE_IO) != 0)
            {
                pci_enable_iobar(dev, PCI_BASE_ADDRESS_4);
                pci_enable_busmaster(dev);
            }
        }
        const byte primaryNative = 1, secondaryNative = 4;
        if ((prog_if & primaryNative) != 0 && (pci_enable_iobar(dev, PCI_BASE_ADDRESS_0) == 0 || pci_enable_iobar(dev, PCI_BASE_ADDRESS_0 + 4) == 0)) return;
        if ((prog_if & secondaryNative) != 0 && pci_enable_iobar(dev, PCI_BASE_ADDRESS_0 + 8) != 0) pci_enable_iobar(dev, PCI_BASE_ADDRESS_0 + 12);
    }

    /// <summary>ahci_setup → ahci_scan: every SATA controller with AHCI rev 1 programming interface.</summary>
    private void ahci_setup()
    {
        log.Dprintf(3, "init ahci");
        foreach (var dev in devices)
        {
            if (dev.@class != PCI_CLASS_STORAGE_SATA || dev.prog_if != AHCI_PROG_IF_REV1) continue;
            ahci_controller_setup(dev);
        }
    }

    /// <summary>ahci_controller_setup: ABAR (BAR5) memory decode, IRQ line, bus mastering (the ports' MMIO is not modelled).</summary>
    private void ahci_controller_setup(PciDevice dev)
    {
        var iobase = pci_enable_membar(dev, PCI_BASE_ADDRESS_5);
        if (iobase == 0) return;
        var irq = pci.pci_config_readb(dev.bdf, PCI_INTERRUPT_LINE);
        log.Dprintf(1, $"AHCI controller at {DebugLog.Pp(dev.bdf)}, iobase 0x{DebugLog.Hex32(iobase)}, irq {DebugLog.Dec(irq)}");
        pci_enable_busmaster(dev);
    }

    /// <summary>pci_enable_busmaster (src/hw/pcidevice.c).</summary>
    private void pci_enable_busmaster(PciDevice dev)
    {
        pci.pci_config_maskw(dev.bdf, PCI_COMMAND, 0, PCI_COMMAND_MASTER);
        dev.have_driver = true;
    }

    /// <summary>pci_enable_iobar (src/hw/pcidevice.c): the I/O BAR's port, or 0 (warn_internalerror) when it is not one.</summary>
    private uint pci_enable_iobar(PciDevice dev, int addr)
    {
        const uint MaxPort = 0xffff;
        var bar = pci.pci_config_readl(dev.bdf, addr);
        if ((bar & PCI_BASE_ADDRESS_SPACE_IO) == 0) return 0;
        bar &= PCI_BASE_ADDRESS_IO_MASK;
        if (bar is 0 or > MaxPort) return 0;
        pci.pci_config_maskw(dev.bdf, PCI_COMMAND, 0, PCI_COMMAND_IO);
        dev.have_driver = true;
        return bar;
    }

    /// <summary>pci_enable_membar (src/hw/pcidevice.c): the memory BAR's address below 4 GiB, or 0.</summary>
    private uint pci_enable_membar(PciDevice dev, int addr)
    {
        var bar = pci.pci_config_readl(dev.bdf, addr);
        if ((bar & PCI_BASE_ADDRESS_SPACE_IO) != 0) return 0;
        if ((bar & PCI_BASE_ADDRESS_MEM_TYPE_64) != 0 && pci.pci_config_readl(dev.bdf, addr + 4) != 0)
        {
            log.Dprintf(1, "Can not map memory bar over 4Gig");
            return 0;
        }
        bar &= PCI_BASE_ADDRESS_MEM_MASK;
        // Bar doesn't look valid (it is in last 4M or first 16M)
        if (unchecked(bar + RomWindowLow) < RomWindowHigh) return 0;
        pci.pci_config_maskw(dev.bdf, PCI_COMMAND, 0, PCI_COMMAND_MEMORY);
        dev.have_driver = true;
        return bar;
    }

    /// <summary>optionrom_setup: init_pcirom for every function without a driver that is not a display.</summary>
    private void optionrom_setup()
    {
        log.Dprintf(1, "Scan for option roms");
        var runPciRoms = romfile.romfile_loadint("etc/pci-optionrom-exec", RunPCIromsDefault); // vgarom_setup sets RunPCIroms
        foreach (var dev in devices)
        {
            if (dev.@class == PCI_CLASS_DISPLAY_VGA || dev.@class == PCI_CLASS_DISPLAY_OTHER || dev.have_driver) continue;
            init_pcirom(dev, runPciRoms);
        }
    }

    /// <summary>init_pcirom: a "pciVVVV,DDDD.rom" fw_cfg file, else the device's ROM BAR (RunPCIroms &gt; 1).</summary>
    private void init_pcirom(PciDevice dev, ulong runPciRoms)
    {
        var fname = $"pci{dev.vendor:x4},{dev.device:x4}.rom";
        var deployed = romfile.romfile_find(fname) is not null || (runPciRoms > 1 && map_pcirom(dev));
        if (deployed) DeployedRoms.Add(dev); // init_optionrom runs the ROM's init entry (no config access of its own)
    }

    /// <summary>
    /// map_pcirom: size the ROM BAR with all ones, and when it holds a plausible address enable it while the image
    /// is copied, then restore it. The image itself (signature, PCI data structure) is not modelled: a sized ROM
    /// BAR is taken to hold the device's x86 image, as QEMU's romfile images (iPXE builds) do.
    /// </summary>
    private bool map_pcirom(PciDevice dev)
    {
        if ((dev.header_type & PCI_HEADER_TYPE_MASK) != PCI_HEADER_TYPE_NORMAL) return false;
        var bdf = dev.bdf;
        var orig = pci.pci_config_readl(bdf, PCI_ROM_ADDRESS);
        pci.pci_config_writel(bdf, PCI_ROM_ADDRESS, ~PCI_ROM_ADDRESS_ENABLE);
        var sz = pci.pci_config_readl(bdf, PCI_ROM_ADDRESS);
        orig &= ~PCI_ROM_ADDRESS_ENABLE;
        var ok = sz != 0 && sz != uint.MaxValue && orig != sz && unchecked(orig + RomWindowLow) >= RomWindowHigh;
        // Looks like a rom - enable it (copy_rom reads the image through it).
        if (ok) pci.pci_config_writel(bdf, PCI_ROM_ADDRESS, orig | PCI_ROM_ADDRESS_ENABLE);
        pci.pci_config_writel(bdf, PCI_ROM_ADDRESS, orig);
        return ok;
    }

    /// <summary>make_bios_readonly → make_bios_readonly_intel: write-protect 0xc0000-0x100000 through the PAMs.</summary>
    private void make_bios_readonly()
    {
        log.Dprintf(3, "locking shadow ram");
        if (shadowBdf < 0)
        {
            log.Dprintf(1, "Unable to lock ram - bridge not found");
            return;
        }
        var device = pci.pci_config_readw(shadowBdf, PCI_DEVICE_ID);
        make_bios_readonly_intel(shadowBdf, device == PCI_DEVICE_ID_INTEL_82441 ? I440FX_PAM0 : Q35_HOST_BRIDGE_PAM0);
    }

    /// <summary>
    /// make_bios_readonly_intel. The Debian build has CONFIG_WRITABLE_UPPERMEMORY off (romlast = BUILD_BIOS_ADDR)
    /// and CONFIG_MALLOC_UPPERMEMORY on: rommax = rom_get_max(), where the low heap zone starts, 0xe8000 or 0xe8800
    /// in every recording ("Space available for UMB: …-e8000"); anywhere in 0xe8000..0xebfff the loop protects
    /// 0xc0000-0xe7fff and leaves the 0xe8000 block and above as make_bios_writable set them.
    /// </summary>
    private void make_bios_readonly_intel(int bdf, int pam0)
    {
        const uint BUILD_ROM_START = 0xc0000, BUILD_BIOS_ADDR = 0xf0000, RomMax = 0xe8000, Block = 32 * 1024, Half = 16 * 1024;
        const byte ReadOnly = 0x11, LowReadOnly = 0x31, FSegmentReadOnly = 0x10;
        Span<byte> pamdata = stackalloc byte[8];
        var at = pam0 & ~3;
        BitConverter.TryWriteBytes(pamdata, pci.pci_config_readl(bdf, at));
        BitConverter.TryWriteBytes(pamdata[4..], pci.pci_config_readl(bdf, at + 4));
        var pam = pamdata[(pam0 & 3)..];
        // Write protect roms from 0xc0000-0xf0000
        const uint romlast = BUILD_BIOS_ADDR, rommax = RomMax;
        for (var i = 0; i < 6; i++)
        {
            var mem = BUILD_ROM_START + (uint)i * Block;
            if (romlast < mem + Half || rommax < mem + Block)
            {
                if (romlast >= mem && rommax >= mem + Half) pam[i + 1] = LowReadOnly;
                break;
            }
            pam[i + 1] = ReadOnly;
        }
        // Write protect 0xf0000-0x100000
        pam[0] = FSegmentReadOnly;
        pci.pci_config_writel(bdf, at, BitConverter.ToUInt32(pamdata));
        pci.pci_config_writel(bdf, at + 4, BitConverter.ToUInt32(pamdata[4..]));
    }
}
