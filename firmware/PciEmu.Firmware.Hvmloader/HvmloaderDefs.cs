namespace PciEmu.Firmware.Hvmloader;

/// <summary>The constants pci_setup uses: config.h, public/hvm/e820.h, public/hvm/ioreq.h and pci_regs.h.</summary>
internal static class HvmloaderDefs
{
    // config.h
    public const int PciIsaDevFn = 0x08;                     // PCI_ISA_DEVFN: dev 1, fn 0
    public const ushort PciIsaIrqMask = 0x0c20;              // PCI_ISA_IRQ_MASK: ISA IRQs 5, 10, 11
    public const uint ReservedMemBase = 0xFC000000;          // RESERVED_MEMBASE (4.20) = PCI_MEM_END (4.5)
    public const uint ReservedMemoryDynamicEnd = 0xFE000000; // RESERVED_MEMORY_DYNAMIC_END: mem_hole_alloc's alloc_down
    public const int IgdOpregionPages = 3;                   // IGD_OPREGION_PAGES
    public const int PageShift = 12;

    // public/hvm/e820.h, public/hvm/ioreq.h
    public const uint HvmBelow4GMmioStart = 0xF0000000;      // HVM_BELOW_4G_MMIO_START
    public const uint AcpiPm1aEvtBlkAddressV1 = 0xb000;      // ACPI_PM1A_EVT_BLK_ADDRESS_V1

    /// <summary>BAR_RELOC_THRESH (4.19+): 64-bit BARs above this go high unconditionally.</summary>
    public const ulong BarRelocThresh = 1UL << 30;
    public const ulong FourGiB = 1UL << 32;

    // pci_regs.h
    public const int PciVendorId = 0x00;
    public const int PciDeviceId = 0x02;
    public const int PciCommand = 0x04;
    public const int PciClassDevice = 0x0a;
    public const int PciBaseAddress0 = 0x10;
    public const int PciRomAddress = 0x30;
    public const int PciInterruptLine = 0x3c;
    public const int PciInterruptPin = 0x3d;
    public const int PciIntelOpregion = 0xfc;
    public const int PiixIrqRouteBase = 0x60;                // PIRQA..D route registers of the PIIX3

    public const ushort PciCommandIo = 0x1;
    public const ushort PciCommandMemory = 0x2;
    public const ushort PciCommandMaster = 0x4;

    public const uint PciBaseAddressSpaceIo = 0x01;          // PCI_BASE_ADDRESS_SPACE (bit) / _SPACE_IO
    public const uint PciBaseAddressMemTypeMask = 0x06;
    public const uint PciBaseAddressMemType64 = 0x04;
    public const uint PciBaseAddressMemMask = ~0x0fu;
    public const uint PciBaseAddressIoMask = ~0x03u;
    public const uint PciRomAddressEnable = 0x01;
    public const uint PciRomAddressMask = ~0x7ffu;

    // class codes in the scan switch
    public const ushort ClassDisplayVga = 0x0300;
    public const ushort ClassBridgeOther = 0x0680;
    public const ushort ClassStorageIde = 0x0101;

    public const ushort VendorIntel = 0x8086;
    public const ushort VendorBochs = 0x1234;
    public const ushort DeviceStdVga = 0x1111;
    public const ushort VendorCirrus = 0x1013;
    public const ushort DeviceCirrus5446 = 0x00b8;
    public const ushort DevicePiix3Isa = 0x7000;
    public const ushort DevicePiix4Acpi = 0x7113;
}
