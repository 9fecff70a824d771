namespace PciEmu.Core;

/// <summary>Standard capability IDs (pci_regs.h PCI_CAP_ID_*), with their lspci/setpci names.</summary>
public static class CapabilityId
{
    public const byte PowerManagement = 0x01;
    public const byte Agp = 0x02;
    public const byte Vpd = 0x03;
    public const byte SlotId = 0x04;
    public const byte Msi = 0x05;
    public const byte Hotswap = 0x06;
    public const byte PciX = 0x07;
    public const byte HyperTransport = 0x08;
    public const byte Vendor = 0x09;
    public const byte Debug = 0x0a;
    public const byte CompactPciCrc = 0x0b;
    public const byte Shpc = 0x0c;
    public const byte SubsystemVendor = 0x0d;
    public const byte Agp3 = 0x0e;
    public const byte Secure = 0x0f;
    public const byte Express = 0x10;
    public const byte MsiX = 0x11;
    public const byte Sata = 0x12;
    public const byte AdvancedFeatures = 0x13;
    public const byte EnhancedAllocation = 0x14;

    /// <summary>setpci's names for CAP_xxx (setpci.c).</summary>
    public static string? SetpciName(byte id) => id switch
    {
        PowerManagement => "CAP_PM",
        Agp => "CAP_AGP",
        Vpd => "CAP_VPD",
        SlotId => "CAP_SLOTID",
        Msi => "CAP_MSI",
        Hotswap => "CAP_CHSWP",
        PciX => "CAP_PCIX",
        HyperTransport => "CAP_HT",
        Vendor => "CAP_VNDR",
        Debug => "CAP_DBG",
        CompactPciCrc => "CAP_CCRC",
        Shpc => "CAP_HOTPLUG",
        SubsystemVendor => "CAP_SSVID",
        Agp3 => "CAP_AGP3",
        Secure => "CAP_SECURE",
        Express => "CAP_EXP",
        MsiX => "CAP_MSIX",
        Sata => "CAP_SATA",
        AdvancedFeatures => "CAP_AF",
        EnhancedAllocation => "CAP_EA",
        _ => null,
    };
}

/// <summary>Extended capability IDs (PCI_EXT_CAP_ID_*).</summary>
public static class ExtCapabilityId
{
    public const ushort Aer = 0x0001;
    public const ushort Vc = 0x0002;
    public const ushort Dsn = 0x0003;
    public const ushort PowerBudget = 0x0004;
    public const ushort Rclink = 0x0005;
    public const ushort Acs = 0x000d;
    public const ushort Ari = 0x000e;
    public const ushort Ats = 0x000f;
    public const ushort Sriov = 0x0010;
    public const ushort Vndr = 0x000b;
    public const ushort Ltr = 0x0018;
    public const ushort SecondaryPcie = 0x0019;

    public static string? SetpciName(ushort id) => id switch
    {
        Aer => "ECAP_AER",
        Vc => "ECAP_VC",
        Dsn => "ECAP_DSN",
        PowerBudget => "ECAP_PB",
        Rclink => "ECAP_RCLINK",
        Vndr => "ECAP_VNDR",
        Acs => "ECAP_ACS",
        Ari => "ECAP_ARI",
        Ats => "ECAP_ATS",
        Sriov => "ECAP_SRIOV",
        Ltr => "ECAP_LTR",
        SecondaryPcie => "ECAP_SECPCI",
        _ => null,
    };

    public const int HeaderNextShift = 20;
    public const int HeaderVersionShift = 16;
    public const uint HeaderVersionMask = 0xf;
    public const uint HeaderIdMask = 0xffff;
    public const int ExtendedStart = 0x100;

    public static uint Header(ushort id, byte version, int next) =>
        id | ((uint)version << HeaderVersionShift) | ((uint)next << HeaderNextShift);
}

/// <summary>A capability found in a function's list.</summary>
public readonly record struct CapabilityEntry(ushort Id, int Offset, bool Extended, byte Version = 0)
{
    public string? SetpciName => Extended ? ExtCapabilityId.SetpciName(Id) : CapabilityId.SetpciName((byte)Id);
}

/// <summary>
/// Builds standard and extended capability lists with QEMU's placement rules:
/// pci_add_capability (first-fit over unused bytes, prepend, whole capability RO) and
/// pcie_add_capability (explicit offset, append).
/// </summary>
public sealed class CapabilityListBuilder(ConfigSpace config)
{
    private const int CapIdOffset = 0;
    private const int CapNextOffset = 1;
    private const int DwordSize = 4;

    private int _lastExtended = -1;

    /// <summary>pci_add_capability: <paramref name="offset"/> 0 means first fit in 0x40..0xff.</summary>
    public int Add(byte id, int offset, int size)
    {
        if (offset == 0)
        {
            offset = FindSpace(size);
            if (offset == 0)
                throw new InvalidOperationException($"no space for capability 0x{id:x2} of {size} bytes");
        }
        else
        {
            for (var i = offset; i < offset + size; i++)
            {
                if (config.Used[i] != 0)
                    throw new InvalidOperationException(
                        $"capability 0x{id:x2} at 0x{offset:x2} size {size} overlaps an existing capability at 0x{i:x2}");
            }
        }

        config.Data[offset + CapIdOffset] = id;
        config.Data[offset + CapNextOffset] = config.Data[CommonHeader.CapabilityList.Offset];
        config.Data[CommonHeader.CapabilityList.Offset] = (byte)offset;
        config.SetWord(CommonHeader.Status.Offset, (ushort)(config.GetWord(CommonHeader.Status.Offset) | (ushort)StatusBits.CapList));
        var aligned = (size + DwordSize - 1) & ~(DwordSize - 1);
        config.Used.Slice(offset, Math.Min(aligned, ConfigSpace.ConventionalSize - offset)).Fill(0xff);
        config.WriteMask.Slice(offset, size).Clear();
        config.CheckMask.Slice(offset, size).Fill(0xff);
        return offset;
    }

    /// <summary>pci_find_space: the first run of <paramref name="size"/> unused bytes from 0x40.</summary>
    private int FindSpace(int size)
    {
        var offset = CommonHeader.Size;
        for (var i = CommonHeader.Size; i < ConfigSpace.ConventionalSize; i++)
        {
            if (config.Used[i] != 0) offset = i + 1;
            else if (i - offset + 1 == size) return offset;
        }
        return 0;
    }

    /// <summary>pcie_add_capability: appended to the extended list; the whole capability starts RO, non-W1C.</summary>
    public int AddExtended(ushort id, byte version, int offset, int size)
    {
        if (!config.IsExpress) throw new InvalidOperationException("extended capabilities need a 4 KiB config space");
        if (offset < ExtCapabilityId.ExtendedStart || offset + size > config.Size)
            throw new ArgumentOutOfRangeException(nameof(offset));
        if (offset != ExtCapabilityId.ExtendedStart)
        {
            var prev = _lastExtended >= 0 ? _lastExtended : throw new InvalidOperationException("the first extended capability must sit at 0x100");
            var header = config.GetLong(prev);
            config.SetLong(prev, (header & ~(0xfffu << ExtCapabilityId.HeaderNextShift)) | ((uint)offset << ExtCapabilityId.HeaderNextShift));
        }
        config.SetLong(offset, ExtCapabilityId.Header(id, version, 0));
        config.WriteMask.Slice(offset, size).Clear();
        config.W1cMask.Slice(offset, size).Clear();
        config.CheckMask.Slice(offset, size).Fill(0xff);
        _lastExtended = offset;
        return offset;
    }

    public bool HasExtended => _lastExtended >= 0;

    /// <summary>Walks the standard then extended capability lists as lspci does (with a loop guard).</summary>
    public static List<CapabilityEntry> Walk(ReadOnlySpan<byte> config)
    {
        var list = new List<CapabilityEntry>();
        var status = (ushort)(config[CommonHeader.Status.Offset] | (config[CommonHeader.Status.Offset + 1] << 8));
        if ((status & (ushort)StatusBits.CapList) != 0)
        {
            int ptr = config[CommonHeader.CapabilityList.Offset] & 0xfc;
            for (var guard = 0; ptr >= CommonHeader.Size && guard < 48; guard++)
            {
                list.Add(new CapabilityEntry(config[ptr], ptr, false));
                ptr = config[ptr + 1] & 0xfc;
            }
        }
        if (config.Length > ExtCapabilityId.ExtendedStart)
        {
            var off = ExtCapabilityId.ExtendedStart;
            for (var guard = 0; off >= ExtCapabilityId.ExtendedStart && off + 4 <= config.Length && guard < 960; guard++)
            {
                var header = (uint)(config[off] | (config[off + 1] << 8) | (config[off + 2] << 16) | (config[off + 3] << 24));
                if (header == 0 || header == uint.MaxValue) break;
                list.Add(new CapabilityEntry((ushort)(header & ExtCapabilityId.HeaderIdMask), off, true,
                    (byte)((header >> ExtCapabilityId.HeaderVersionShift) & ExtCapabilityId.HeaderVersionMask)));
                off = (int)(header >> ExtCapabilityId.HeaderNextShift) & 0xffc;
            }
        }
        return list;
    }
}
