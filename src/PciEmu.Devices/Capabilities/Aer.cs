using PciEmu.Core;

namespace PciEmu.Devices.Capabilities;

/// <summary>Advanced Error Reporting extended capability (hw/pci/pcie_aer.c), PCI_ERR_SIZEOF = 0x48 bytes.</summary>
public static class AerCap
{
    public const int Size = 0x48;
    public const byte Version = 2;
    public const int UncorStatus = 0x04;
    public const int UncorMask = 0x08;
    public const int UncorSeverity = 0x0c;
    public const int CorStatus = 0x10;
    public const int CorMask = 0x14;
    public const int CapControl = 0x18;
    public const int HeaderLog = 0x1c;
    public const int RootCommand = 0x2c;
    public const int RootStatus = 0x30;
    public const int ErrorSource = 0x34;

    /// <summary>PCI_ERR_UNC_SUPPORTED.</summary>
    public const uint UncSupported = 0x03fff030;
    /// <summary>PCI_ERR_UNC_SEVERITY_DEFAULT.</summary>
    public const uint UncSeverityDefault = 0x00462030;
    /// <summary>PCI_ERR_COR_SUPPORTED.</summary>
    public const uint CorSupported = 0x0000f1c1;

    /// <summary>PCI_ERR_UNC_MASK_DEFAULT: PCI_ERR_UNC_INTN | PCI_ERR_UNC_TLP_PRF_B.</summary>
    public const uint UncMaskDefault = 0x02400000;
    /// <summary>PCI_ERR_COR_MASK_DEFAULT.</summary>
    public const uint CorMaskDefault = 0x0000e000;
    public const uint CapEcrcGenCapable = 0x020;
    public const uint CapEcrcGenEnable = 0x040;
    public const uint CapEcrcCheckCapable = 0x080;
    public const uint CapEcrcCheckEnable = 0x100;
    public const uint CapMultiHeaderCapable = 0x200;
    public const uint CapMultiHeaderEnable = 0x400;
    public const uint RootCmdEnableMask = 0x7;
    public const uint RootStatusReportMask = 0x7f;
    public const int RootStatusIrqShift = 27;
    public const uint RootStatusIrqMask = 0xf8000000;

    /// <summary>PCIE_AER_LOG_MAX_DEFAULT.</summary>
    public const int DefaultLogMax = 8;

    /// <summary>pcie_aer_init (7.2: the uncorrectable mask stays RO 0).</summary>
    public static int Add(ConfigSpaceBuilder b, int offset, int logMax = DefaultLogMax)
    {
        var pos = b.Capabilities.AddExtended(ExtCapabilityId.Aer, Version, offset, Size);
        var c = b.Config;
        b.Rw1c(pos + UncorStatus, 4, UncSupported);
        c.SetLong(pos + UncorSeverity, UncSeverityDefault);
        b.Rw(pos + UncorSeverity, 4, UncSupported);
        if (b.Options is { PcieErrUncMask: true })
        {
            // pcie_aer_init with QEMU_PCIE_ERR_UNC_MASK: PCI_ERR_UNC_MASK_DEFAULT, writable like the severity.
            c.SetLong(pos + UncorMask, UncMaskDefault);
            b.Rw(pos + UncorMask, 4, UncSupported);
        }
        b.Rw1c(pos + CorStatus, 4, CorSupported);
        c.SetLong(pos + CorMask, CorMaskDefault);
        b.Rw(pos + CorMask, 4, CorSupported);
        var multi = logMax > 0;
        c.SetLong(pos + CapControl, CapEcrcGenCapable | CapEcrcCheckCapable | (multi ? CapMultiHeaderCapable : 0));
        b.Rw(pos + CapControl, 4, CapEcrcGenEnable | CapEcrcCheckEnable | (multi ? CapMultiHeaderEnable : 0));
        return pos;
    }

    /// <summary>pcie_aer_root_init.</summary>
    public static void RootInit(ConfigSpaceBuilder b, int pos)
    {
        b.Rw(pos + RootCommand, 4, RootCmdEnableMask);
        b.Rw1c(pos + RootStatus, 4, RootStatusReportMask);
    }

    /// <summary>pcie_aer_root_reset.</summary>
    public static void RootReset(ConfigSpace c, int pos) => c.SetLong(pos + RootCommand, 0);
}

/// <summary>Access Control Services extended capability (pcie_acs_init), 8 bytes.</summary>
public static class AcsCap
{
    public const int Size = 8;
    public const byte Version = 1;
    public const int Capability = 4;
    public const int Control = 6;

    /// <summary>SV | TB | RR | CR | UF | DT.</summary>
    public const ushort Supported = 0x005f;

    public static int Add(ConfigSpaceBuilder b, int offset)
    {
        var pos = b.Capabilities.AddExtended(ExtCapabilityId.Acs, Version, offset, Size);
        b.Config.SetWord(pos + Capability, Supported);
        b.Rw(pos + Control, 2, Supported);
        return pos;
    }

    /// <summary>pcie_acs_reset.</summary>
    public static void Reset(ConfigSpace c, int pos) => c.SetWord(pos + Control, 0);
}
