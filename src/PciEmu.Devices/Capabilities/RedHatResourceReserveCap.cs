using PciEmu.Core;
using static PciEmu.Core.ResourceReserveCap;

namespace PciEmu.Devices.Capabilities;

/// <summary>The five QEMU *-reserve properties; null means -1 ("no reservation requested").</summary>
public sealed record ResourceReserve
{
    public uint? Bus { get; init; }
    public ulong? Io { get; init; }
    public ulong? Mem { get; init; }
    public ulong? Pref32 { get; init; }
    public ulong? Pref64 { get; init; }

    public bool Any => Bus is not null || Io is not null || Mem is not null || Pref32 is not null || Pref64 is not null;
}

/// <summary>
/// QEMU's vendor-specific resource-reservation capability (REDHAT_PCI_CAP_RESOURCE_RESERVE,
/// hw/pci/pci_bridge.c pci_bridge_qemu_reserve_cap_init) over the registers declared in the core
/// (<see cref="ResourceReserveCap"/>). 32 bytes, all RO.
/// </summary>
public static class RedHatResourceReserveCap
{
    private const ulong FourGiB = 4UL << 30;

    /// <summary>The realize-time checks, with QEMU's error texts.</summary>
    public static void Validate(ResourceReserve r)
    {
        if (r.Pref32 is not null && r.Pref64 is not null)
            throw new DeviceRealizeException("PCI resource reserve cap: PREF32 and PREF64 conflict");
        if (r.Mem is { } mem && mem >= FourGiB)
            throw new DeviceRealizeException("PCI resource reserve cap: mem-reserve must be less than 4G");
        if (r.Pref32 is { } p32 && p32 >= FourGiB)
            throw new DeviceRealizeException("PCI resource reserve cap: pref32-reserve  must be less than 4G");
    }

    /// <summary>pci_bridge_qemu_reserve_cap_init: adds the capability only if any field is set; returns its offset or 0.</summary>
    public static int Add(ConfigSpaceBuilder b, int offset, ResourceReserve r)
    {
        Validate(r);
        if (!r.Any) return 0;
        var pos = b.Capabilities.Add(CapabilityId.Vendor, offset, Size);
        var c = b.Config;
        c.SetByte(pos + Length, Size);
        c.SetByte(pos + ResourceReserveCap.Type, TypeResourceReserve);
        c.SetLong(pos + BusRes, r.Bus ?? uint.MaxValue);
        c.SetQuad(pos + Io, r.Io ?? ulong.MaxValue);
        c.SetLong(pos + Mem, (uint)(r.Mem ?? ulong.MaxValue));
        c.SetLong(pos + Pref32, (uint)(r.Pref32 ?? ulong.MaxValue));
        c.SetQuad(pos + Pref64, r.Pref64 ?? ulong.MaxValue);
        return pos;
    }
}
