using System.Buffers.Binary;
using PciEmu.Core;
using PciEmu.Devices;
using PciEmu.Devices.Capabilities;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Checking;

/// <summary>
/// QEMU's resource-reservation capability, read from config space, against what SeaBIOS 1.16.2 promises for it
/// (pci_bios_init_bus_rec: subordinate = secondary + bus_res; pci_bios_check_devices: a window is at least the
/// reserved size, io/mem/pref32/pref64; PREF32 and PREF64 together are ignored).
/// </summary>
internal static class ReserveCapRules
{
    private const ushort RootPortDeviceId = 0x000c;
    private const ushort PciBridgeDeviceId = 0x0001;
    private const uint NotSet32 = uint.MaxValue;
    private const ulong NotSet64 = ulong.MaxValue;
    private const int MaxCapabilities = 48;
    private const byte CapNext = 1;
    private const byte CapPointerMask = 0xfc;
    private const int BusMask = 0xff;
    private const string IoName = "io";

    public static void Check(DecodedTree tree, List<InvariantViolation> found)
    {
        foreach (var b in tree.Levels.SelectMany(l => l.Bridges))
        {
            var f = b.Function;
            if (f.VendorId != PciVendor.RedHat || f.DeviceId is not (RootPortDeviceId or PciBridgeDeviceId)) continue;
            if (FindCap(f) is not { } cap) continue;
            CheckBus(b, f.Long(cap + ResourceReserveCap.BusRes), found);
            var io = Long64(f, cap + ResourceReserveCap.Io);
            if (io != NotSet64) CheckWindow(b, b.Io, io, IoName, found);
            var mem = f.Long(cap + ResourceReserveCap.Mem);
            if (mem != NotSet32) CheckWindow(b, b.Mem, mem, "mem", found);
            var p32 = f.Long(cap + ResourceReserveCap.Pref32);
            var p64 = Long64(f, cap + ResourceReserveCap.Pref64);
            if (p32 != NotSet32 && p64 == NotSet64) CheckWindow(b, b.Pref, p32, "pref32", found);
            if (p64 != NotSet64 && p32 == NotSet32) CheckWindow(b, b.Pref, p64, "pref64", found);
        }
    }

    /// <summary>pci_find_resource_reserve_capability: vendor cap with type 1 and length ≥ 32.</summary>
    public static int? FindCap(FunctionSnapshot f)
    {
        if (((StatusBits)f.Word(CommonHeader.Status.Offset) & StatusBits.CapList) == 0) return null;
        var ptr = f.Config[CommonHeader.CapabilityList.Offset] & CapPointerMask;
        for (var n = 0; ptr != 0 && n < MaxCapabilities; n++)
        {
            if (ptr + ResourceReserveCap.Size > f.Config.Length) return null;
            if (f.Config[ptr] == CapabilityId.Vendor && f.Config[ptr + ResourceReserveCap.Type] == ResourceReserveCap.TypeResourceReserve)
                return f.Config[ptr + ResourceReserveCap.Length] >= ResourceReserveCap.Size ? ptr : null;
            ptr = f.Config[ptr + CapNext] & CapPointerMask;
        }
        return null;
    }

    private static IEnumerable<BridgeNode> Chain(BridgeNode b)
    {
        for (var a = b; a is not null; a = a.Parent) yield return a;
    }

    private static ulong Long64(FunctionSnapshot f, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(f.Config.AsSpan(offset));

    private static void CheckBus(BridgeNode b, uint busRes, List<InvariantViolation> found)
    {
        if (busRes == NotSet32) return;
        var res = (int)(busRes & BusMask);
        var s = b.Secondary;
        // The u8 overflow check ("bus_reserve value %d is invalid") makes SeaBIOS ignore the value.
        if ((byte)(res + s) < s || (byte)(res + s) < res) return;
        if (b.Subordinate < s + res)
            found.Add(new(InvariantRules.ReserveCap, $"bridge {b.Bdf}: bus-reserve={res} but buses are {s:x2}-{b.Subordinate:x2}"));
    }

    private static void CheckWindow(BridgeNode b, DecodedRange? window, ulong reserve, string what, List<InvariantViolation> found)
    {
        if (reserve == 0) return;
        var size = window?.Size ?? 0;
        if (size >= reserve) return;
        // Below a read-only I/O window Linux reassigns the I/O windows (claims fail) and sizes them by their children:
        // it never reads QEMU's cap, so SeaBIOS's reservation is undone (same root cause as ReadOnlyIoWindow).
        var known = what == IoName && Chain(b).Any(a => a.IoWindowReadOnly) ? InvariantChecker.ReadOnlyIoWindow : null;
        found.Add(new(InvariantRules.ReserveCap, $"bridge {b.Bdf}: {what}-reserve=0x{reserve:x} but its window is {(window is null ? "not decoded" : $"0x{size:x} bytes")}")
        {
            KnownUpstream = known,
        });
    }
}
