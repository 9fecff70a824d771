using PciEmu.Core;

namespace PciEmu.Devices.Capabilities;

/// <summary>virtio-pci vendor capability types (VIRTIO_PCI_CAP_*).</summary>
public enum VirtioCfgType : byte
{
    Common = 1,
    Notify = 2,
    Isr = 3,
    Device = 4,
    PciCfg = 5,
}

/// <summary>struct virtio_pci_cap / virtio_pci_notify_cap / virtio_pci_cfg_cap layouts.</summary>
public static class VirtioCap
{
    public const int Length = 2;
    public const int CfgType = 3;
    public const int Bar = 4;
    public const int Offset = 8;
    public const int RegionLength = 12;
    public const int NotifyOffMultiplier = 16;
    public const int PciCfgData = 16;
    public const int Size = 16;
    public const int NotifySize = 20;
    public const int PciCfgSize = 20;

    /// <summary>virtio_pci_add_mem_cap: a read-only vendor capability describing one region of a BAR.</summary>
    public static int Add(ConfigSpaceBuilder b, VirtioCfgType type, int bar, uint offset, uint length, uint? notifyMultiplier = null)
    {
        var size = notifyMultiplier is null ? (type == VirtioCfgType.PciCfg ? PciCfgSize : Size) : NotifySize;
        var pos = b.Capabilities.Add(CapabilityId.Vendor, 0, size);
        var c = b.Config;
        c.SetByte(pos + Length, (byte)size);
        c.SetByte(pos + CfgType, (byte)type);
        c.SetByte(pos + Bar, (byte)bar);
        c.SetLong(pos + Offset, offset);
        c.SetLong(pos + RegionLength, length);
        if (notifyMultiplier is { } m) c.SetLong(pos + NotifyOffMultiplier, m);
        return pos;
    }

    /// <summary>The PCI configuration access capability: bar, offset, length and data are writable.</summary>
    public static int AddPciCfg(ConfigSpaceBuilder b)
    {
        var pos = Add(b, VirtioCfgType.PciCfg, 0, 0, 0);
        b.Rw(pos + Bar, 1, 0xff);
        b.Rw(pos + Offset, 4, uint.MaxValue);
        b.Rw(pos + RegionLength, 4, uint.MaxValue);
        b.Rw(pos + PciCfgData, 4, uint.MaxValue);
        return pos;
    }
}
