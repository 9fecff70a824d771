namespace PciEmu.Firmware.Edk2;

/// <summary>The EDK2 releases the recordings used (Debian qemu-efi-aarch64 2022.11 and 2026.08).</summary>
public enum Edk2Version
{
    /// <summary>edk2-stable202211: 512-byte default I/O padding, no VID/DID in the Discovered line, 8-bit bus arithmetic.</summary>
    Stable202211,

    /// <summary>edk2-stable202608: no default I/O padding, [VID = 0x%04x, DID = 0x%04x], 16-bit bus arithmetic.</summary>
    Stable202608,
}

/// <summary>The PCDs and platform switches ArmVirtQemu runs PciBusDxe / PciHostBridgeDxe / PciHotPlugInitDxe with.</summary>
public sealed record Edk2Options
{
    public Edk2Version Version { get; init; } = Edk2Version.Stable202608;

    /// <summary>PcdPciMmio64Size: ArmVirtQemu leaves the DEC default 0 (no default 64-bit pref padding).</summary>
    public ulong PcdPciMmio64Size { get; init; }

    /// <summary>PcdPciDegradeResourceForOptionRom: FALSE on AARCH64.</summary>
    public bool PcdPciDegradeResourceForOptionRom { get; init; }

    /// <summary>PcdPciBusHotplugDeviceSupport (TRUE): hot-plug padding and the rejection loop.</summary>
    public bool PcdPciBusHotplugDeviceSupport { get; init; } = true;

    /// <summary>Print DEBUG_INFO lines (a DEBUG build); Debian's RELEASE build prints none.</summary>
    public bool DebugLog { get; init; } = true;

    /// <summary>
    /// OvmfPkg/IncompatiblePciDeviceSupportDxe is loaded (x86 OVMF with a 64-bit aperture): UpdatePciInfo marks every
    /// 64-bit BAR BarTypeFixed, so the option-ROM degrade leaves it alone.
    /// </summary>
    public bool IncompatiblePciDeviceSupport { get; init; }

    /// <summary>
    /// x86 OVMF's PlatformBootManagerLib: PciAcpiInitialization (PIRQ routing, SetPciIntLine on every function) and
    /// DetectAndPreparePlatformPciDevicePath (EFI_PCI_DEVICE_ENABLE on every function). Null on ArmVirtQemu.
    /// </summary>
    public OvmfBds? Bds { get; init; }

    /// <summary>Parses "2026.08" / "202608" / "2022.11" / "202211".</summary>
    public static Edk2Version? ParseVersion(string text) => text switch
    {
        "2026.08" or "202608" or "stable202608" => Edk2Version.Stable202608,
        "2022.11" or "202211" or "stable202211" => Edk2Version.Stable202211,
        _ => null,
    };
}

/// <summary>
/// The host bridge as ArmVirtQemu's FdtPciHostBridgeLib reads it from the device tree's pci-host-ecam-generic node:
/// ECAM (reg), bus-range and the ranges (I/O with its CPU translation, 32-bit MMIO, optional 64-bit MMIO).
/// </summary>
public sealed record HostBridgeDescription
{
    /// <summary>ArmVirtQemu's ProcessPciHost read the device tree (its DEBUG line); false for OVMF's PciHostBridgeLib.</summary>
    public bool FromDeviceTree { get; init; } = true;

    /// <summary>Supports/Attributes of the root bridge (ArmVirt 0x70001, OVMF 0x70069).</summary>
    public ulong Attributes { get; init; } = 0x70001;

    public bool DmaAbove4G { get; init; } = true;
    public bool NoExtendedConfigSpace { get; init; }

    public required ulong EcamBase { get; init; }
    public required ulong EcamSize { get; init; }
    public required int BusStart { get; init; }
    public required int BusEnd { get; init; }

    /// <summary>I/O aperture in PCI port numbers, and the CPU address of port 0 (PcdPciIoTranslation).</summary>
    public required ulong IoBase { get; init; }
    public required ulong IoSize { get; init; }
    public required ulong IoCpuBase { get; init; }

    public required ulong Mem32Base { get; init; }
    public required ulong Mem32Size { get; init; }

    /// <summary>64-bit MMIO (MemAbove4G); size 0 when the DT has no 64-bit range.</summary>
    public ulong Mem64Base { get; init; }
    public ulong Mem64Size { get; init; }
}
