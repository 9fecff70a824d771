namespace PciEmu.Firmware.SeaBios;

/// <summary>
/// The constants pciinit.c uses, under their SeaBIOS names (src/hw/pci_regs.h, src/hw/pci_ids.h, src/fw/dev-q35.h,
/// src/fw/dev-piix.h, src/fw/dev-pci.h and the #defines at the top of src/fw/pciinit.c, rel-1.16.2).
/// </summary>
internal static class SeaBiosDefs
{
    // --- pci_regs.h: header ---
    public const int PCI_VENDOR_ID = 0x00;
    public const int PCI_DEVICE_ID = 0x02;
    public const int PCI_COMMAND = 0x04;
    public const ushort PCI_COMMAND_IO = 0x1;
    public const ushort PCI_COMMAND_MEMORY = 0x2;
    public const ushort PCI_COMMAND_SERR = 0x100;
    public const int PCI_STATUS = 0x06;
    public const ushort PCI_STATUS_CAP_LIST = 0x10;
    public const int PCI_CLASS_REVISION = 0x08;
    public const int PCI_CLASS_DEVICE = 0x0a;
    public const int PCI_HEADER_TYPE = 0x0e;
    public const byte PCI_HEADER_TYPE_BRIDGE = 1;
    public const byte PCI_HEADER_TYPE_CARDBUS = 2;
    public const byte PCI_HEADER_TYPE_MULTI_FUNCTION = 0x80;
    public const byte PCI_HEADER_TYPE_MASK = 0x7f; // pci_probe_devices: header_type & 0x7f
    public const int PCI_BASE_ADDRESS_0 = 0x10;
    public const uint PCI_BASE_ADDRESS_SPACE_IO = 0x01;
    public const uint PCI_BASE_ADDRESS_MEM_TYPE_MASK = 0x06;
    public const uint PCI_BASE_ADDRESS_MEM_TYPE_64 = 0x04;
    public const uint PCI_BASE_ADDRESS_MEM_PREFETCH = 0x08;
    public const uint PCI_BASE_ADDRESS_MEM_MASK = ~0x0fu;
    public const uint PCI_BASE_ADDRESS_IO_MASK = ~0x03u;
    public const int PCI_ROM_ADDRESS = 0x30;
    public const uint PCI_ROM_ADDRESS_MASK = ~0x7ffu;
    public const int PCI_CAPABILITY_LIST = 0x34;
    public const int PCI_INTERRUPT_LINE = 0x3c;
    public const int PCI_INTERRUPT_PIN = 0x3d;
    public const int PCI_SUBSYSTEM_VENDOR_ID = 0x2c;
    public const int PCI_SUBSYSTEM_ID = 0x2e;

    // --- pci_regs.h: type-1 header ---
    public const int PCI_PRIMARY_BUS = 0x18;
    public const int PCI_SECONDARY_BUS = 0x19;
    public const int PCI_SUBORDINATE_BUS = 0x1a;
    public const int PCI_IO_BASE = 0x1c;
    public const int PCI_IO_LIMIT = 0x1d;
    public const int PCI_MEMORY_BASE = 0x20;
    public const int PCI_MEMORY_LIMIT = 0x22;
    public const int PCI_PREF_MEMORY_BASE = 0x24;
    public const int PCI_PREF_MEMORY_LIMIT = 0x26;
    public const uint PCI_PREF_RANGE_TYPE_MASK = 0x0f;
    public const uint PCI_PREF_RANGE_TYPE_64 = 0x01;
    public const int PCI_PREF_BASE_UPPER32 = 0x28;
    public const int PCI_PREF_LIMIT_UPPER32 = 0x2c;
    public const int PCI_IO_BASE_UPPER16 = 0x30;
    public const int PCI_IO_LIMIT_UPPER16 = 0x32;
    public const int PCI_ROM_ADDRESS1 = 0x38;
    public const int PCI_BRIDGE_CONTROL = 0x3e;
    public const ushort PCI_BRIDGE_CTL_SERR = 0x02;
    public const ushort PCI_BRIDGE_CTL_VGA = 0x08;

    // --- pci_regs.h: capabilities ---
    public const int PCI_CAP_LIST_ID = 0;
    public const int PCI_CAP_LIST_NEXT = 1;
    public const int PCI_CAP_FLAGS = 2;
    public const byte PCI_CAP_ID_VNDR = 0x09;
    public const byte PCI_CAP_ID_SHPC = 0x0c;
    public const byte PCI_CAP_ID_EXP = 0x10;
    public const int PCI_EXP_FLAGS = 2;
    public const ushort PCI_EXP_FLAGS_TYPE = 0x00f0;
    public const int PCI_EXP_FLAGS_TYPE_SHIFT = 4; // __builtin_ffs(PCI_EXP_FLAGS_TYPE) - 1
    public const ushort PCI_EXP_FLAGS_SLOT = 0x0100;
    public const byte PCI_EXP_TYPE_ROOT_PORT = 0x4;
    public const byte PCI_EXP_TYPE_DOWNSTREAM = 0x6;
    public const byte PCI_EXP_TYPE_PCI_BRIDGE = 0x7;

    // --- pci_ids.h ---
    public const ushort PCI_CLASS_STORAGE_IDE = 0x0101;
    public const ushort PCI_CLASS_DISPLAY_VGA = 0x0300;
    public const ushort PCI_CLASS_BRIDGE_PCI = 0x0604;
    public const ushort PCI_CLASS_SYSTEM_PIC = 0x0800;
    public const ushort PCI_CLASS_SERIAL_USB = 0x0c03;
    public const ushort PCI_VENDOR_ID_IBM = 0x1014;
    public const ushort PCI_VENDOR_ID_APPLE = 0x106b;
    public const ushort PCI_VENDOR_ID_REDHAT = 0x1b36;
    public const ushort PCI_DEVICE_ID_REDHAT_ROOT_PORT = 0x000c;
    public const ushort PCI_DEVICE_ID_REDHAT_BRIDGE = 0x0001;
    public const ushort PCI_VENDOR_ID_INTEL = 0x8086;
    public const ushort PCI_DEVICE_ID_INTEL_82441 = 0x1237;
    public const ushort PCI_DEVICE_ID_INTEL_82371SB_0 = 0x7000;
    public const ushort PCI_DEVICE_ID_INTEL_82371SB_1 = 0x7010;
    public const ushort PCI_DEVICE_ID_INTEL_82371AB_0 = 0x7110;
    public const ushort PCI_DEVICE_ID_INTEL_82371AB = 0x7111;
    public const ushort PCI_DEVICE_ID_INTEL_82371AB_3 = 0x7113;
    public const ushort PCI_DEVICE_ID_IBM_MPIC = 0x0046;
    public const ushort PCI_DEVICE_ID_IBM_MPIC2 = 0xffff;
    public const ushort PCI_DEVICE_ID_APPLE_UNI_N_KEYL = 0x0017;
    public const ushort PCI_DEVICE_ID_APPLE_MACIO = 0x0022;
    public const ushort PCI_CLASS_APPLE_MACIO = 0xff00;

    // --- dev-q35.h ---
    public const ushort PCI_DEVICE_ID_INTEL_Q35_MCH = 0x29c0;
    public const int Q35_HOST_BRIDGE_PCIEXBAR = 0x60;
    public const uint Q35_HOST_BRIDGE_PCIEXBAR_SIZE = 256 * 1024 * 1024;
    public const ulong Q35_HOST_BRIDGE_PCIEXBAR_ADDR = 0xb0000000;
    public const ulong Q35_HOST_BRIDGE_PCIEXBAREN = 1;
    public const ushort PCI_DEVICE_ID_INTEL_ICH9_LPC = 0x2918;
    public const int ICH9_LPC_PMBASE = 0x40;
    public const uint ICH9_LPC_PMBASE_RTE = 0x1;
    public const int ICH9_LPC_ACPI_CTRL = 0x44;
    public const byte ICH9_LPC_ACPI_CTRL_ACPI_EN = 0x80;
    public const int ICH9_LPC_PIRQA_ROUT = 0x60;
    public const int ICH9_LPC_PIRQE_ROUT = 0x68;
    public const ushort ICH9_LPC_PORT_ELCR1 = 0x4d0;
    public const ushort ICH9_LPC_PORT_ELCR2 = 0x4d1;
    public const int ICH9_LPC_RCBA = 0xf0;
    public const uint ICH9_LPC_RCBA_ADDR = 0xfed1c000;
    public const uint ICH9_LPC_RCBA_EN = 0x1;
    public const uint ICH9_LPC_RCBA_SIZE = 16 * 1024; // e820_add(ICH9_LPC_RCBA_ADDR, 16*1024, ...)
    public const ushort PCI_DEVICE_ID_INTEL_ICH9_SMBUS = 0x2930;
    public const int ICH9_SMB_SMB_BASE = 0x20;
    public const int ICH9_SMB_HOSTC = 0x40;
    public const byte ICH9_SMB_HOSTC_HST_EN = 0x01;

    public const int Q35_HOST_BRIDGE_PAM0 = 0x90;

    // --- dev-piix.h ---
    public const int I440FX_PAM0 = 0x59;
    public const int PIIX_PIRQRC = 0x60; // piix_isa_bridge_setup: pci_config_writeb(bdf, 0x60 + i, irq)
    public const int PIIX_PMBASE = 0x40;
    public const int PIIX_PMREGMISC = 0x80;
    public const int PIIX_SMBHSTBASE = 0x90;
    public const int PIIX_SMBHSTCFG = 0xd2;
    public const ushort PIIX_PORT_ELCR1 = 0x4d0;
    public const ushort PIIX_PORT_ELCR2 = 0x4d1;
    public const byte PIIX_PM_INTRRUPT = 9;
    public const int PIIX_IDE_TIM_PRIMARY = 0x40;   // piix_ide_setup: "enable IDE0"
    public const int PIIX_IDE_TIM_SECONDARY = 0x42; // piix_ide_setup: "enable IDE1"
    public const ushort PIIX_IDE_TIM_DECODE_ENABLE = 0x8000;
    public const byte PIIX_PMREGMISC_PMIOSE = 0x01;  // "enable PM io space"
    public const byte PIIX_SMBHSTCFG_SMB_HST_EN = 0x09; // "enable SMBus io space"

    // --- dev-pci.h (QEMU resource-reservation capability) ---
    public const int PCI_CAP_REDHAT_TYPE_OFFSET = 3;
    public const byte REDHAT_CAP_RESOURCE_RESERVE = 1;
    public const int RES_RESERVE_BUS_RES = 4;
    public const int RES_RESERVE_IO = 8;
    public const int RES_RESERVE_MEM = 16;
    public const int RES_RESERVE_PREF_MEM_32 = 20;
    public const int RES_RESERVE_PREF_MEM_64 = 24;
    public const int RES_RESERVE_CAP_SIZE = 32;

    // --- hw/ata.h (storage_ide_setup) ---
    public const uint PORT_ATA1_CMD_BASE = 0x1f0;
    public const uint PORT_ATA1_CTRL_BASE = 0x3f4;
    public const uint PORT_ATA2_CMD_BASE = 0x170;
    public const uint PORT_ATA2_CTRL_BASE = 0x374;

    // --- pic_ibm_setup / apple_macio_setup (PPC leftovers) ---
    public const uint PIC_IBM_BAR0 = 0x80800000 + 0x00040000;
    public const uint APPLE_MACIO_BAR0 = 0x80800000;

    // --- Intel IGD (intel_igd_setup) ---
    public const int IGD_ASLS = 0xfc;
    public const int IGD_BDSM = 0x5c;
    public const uint PAGE_SIZE = 4096;
    public const uint IGD_BDSM_ALIGN = 1024 * 1024;

    // --- pciinit.c ---
    public const ulong PCI_DEVICE_MEM_MIN = 1 << 12;
    public const ulong PCI_BRIDGE_MEM_MIN = 1 << 21;
    public const ulong PCI_BRIDGE_IO_MIN = 0x1000;
    public const int PCI_ROM_SLOT = 6;
    public const int PCI_NUM_REGIONS = 7;
    public const int PCI_BRIDGE_NUM_REGIONS = 2;
    public const int PCI_IO_SHIFT = 8;
    public const int PCI_MEMORY_SHIFT = 16;
    public const int PCI_PREF_MEMORY_SHIFT = 16;
    public const uint PCI_PREF_PROBE_PATTERN = 0xfff0fff0; // pci_bios_bridge_region_is64
    public const int PCI_MEM64_TOP_ALIGN_SHIFT = 11;       // rel-1.16.3+: "top_align = pci_mem64_top >> 11"
    public const int PCI_MEM64_TOP_PAD_SHIFT = 3;          // rel-1.16.3+: "ALIGN(size, pci_mem64_top >> 3)"

    /// <summary>pci_irqs[]: host IRQs for PCI INTA-D.</summary>
    public static ReadOnlySpan<byte> pci_irqs => [10, 10, 11, 11];

    // --- pci_bios_init_root_regions_io ---
    public const ulong PCI_IO_TRADITIONAL_BASE = 0xc000;
    public const ulong PCI_IO_TRADITIONAL_SIZE = 0x4000;
    public const ulong PCI_IO_LOW_BASE = 0x1000;

    // --- config.h ---
    public const ulong BUILD_PCIMEM_START = 0xe0000000;
    public const ulong BUILD_PCIMEM_END = 0xfec00000;
    public const ulong BUILD_PCIMEM64_START = 0x8000000000UL;
    public const ulong BUILD_PCIMEM64_END = 0x10000000000UL;
    public const ulong BUILD_BIOS_TOP_RESERVE_ADDR = 0xfffc0000; // qemu_preinit: "reserve 256KB BIOS area at the end of 4 GB"
    public const ulong BUILD_BIOS_TOP_RESERVE_SIZE = 256 * 1024;
    public const ulong GiB4 = 0x100000000UL;
    public const ulong HugePage1G = 1UL << 30;
    public const ulong PCI_IO_LOW_END_DEFAULT = 0xa000;
    public const ulong I440FX_PCIMEM_START_2G = 0x80000000; // i440fx_mem_addr_setup
    public const ulong I440FX_PCIMEM_START_3G = 0xc0000000;
    public const ushort ACPI_PM_BASE_LOW_LIMIT = 0x1000; // mch_mem_addr_setup: "if (acpi_pm_base < 0x1000)"
    public const ulong PCI_IO_LOW_END_Q35 = 0x10000;

    // --- paravirt.c ---
    public const ushort PORT_ACPI_PM_BASE = 0xb000;
    public const ushort QEMU_ACPI_PM_BASE = 0x0600; // when etc/table-loader exists
    public const ushort ACPI_PM1A_CNT_OFFSET = 0x04;
    public const ushort ACPI_PM_TMR_OFFSET = 0x08;
    public const ushort ACPI_PM_SMB_OFFSET = 0x100;

    // --- shadow.c (make_bios_writable_intel) ---
    public const byte PAM_RAM_PRESENT = 0x10;   // "int ram_present = pam[0] & 0x10"
    public const byte PAM_F_SEGMENT_RW = 0x30;  // "pam[0] = 0x30": 0xf0000-0x100000 read/write RAM
    public const byte PAM_PAIR_RW = 0x33;       // "pam[i + 1] = 0x33": 0xc0000-0xf0000 read/write RAM
    public const int PAM_UPPER_REGISTERS = 6;

    // --- paravirt.c (qemu_detect) ---
    public const ushort QEMU_SUBSYSTEM_VENDOR = 0x1af4; // Red Hat, Inc
    public const ushort QEMU_SUBSYSTEM_ID = 0x1100;     // Qemu virtual machine

    // --- hw/pci.c ---
    public const ushort PORT_PCI_CMD = 0x0cf8;
    public const uint PCI_PROBE_HOST_VALUE = 0x80000000;
}
