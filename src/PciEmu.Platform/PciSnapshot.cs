using System.Buffers.Binary;
using PciEmu.Core;
using PciEmu.Fabric;

namespace PciEmu.Platform;

/// <summary>One function's config space as captured: bytes and write mask (sizes come from the mask, as sizing would).</summary>
public sealed class FunctionSnapshot
{
    public required int DevFn { get; init; }
    /// <summary>mc->pci_allow_0_address of the machine (pseries): a BAR at address 0 decodes (pci_bar_address).</summary>
    public bool AllowZeroAddress { get; init; }

    public required string Driver { get; init; }
    public string? QdevId { get; init; }
    public required byte[] Config { get; init; }
    public required byte[] WriteMask { get; init; }

    /// <summary>False when config reads of it return all ones (unpowered slot, hot-plugged function &gt; 0 alone).</summary>
    public bool Visible { get; init; } = true;

    /// <summary>Bytes software can reach (256 on conventional buses, 4096 for PCIe on PCIe buses); Config has this length
    /// (or <see cref="PciSnapshot.HeaderSize"/> in a <see cref="PciSnapshot.CaptureHeaders"/> snapshot).</summary>
    public int ConfigLimit { get; init; } = ConfigSpace.ConventionalSize;

    public BusSnapshot? Secondary { get; internal set; }

    public int Slot => DevFn >> 3;
    public int Function => DevFn & 7;
    public ushort Word(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(Config.AsSpan(offset));
    public uint Long(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(Config.AsSpan(offset));
    public uint MaskLong(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(WriteMask.AsSpan(offset));
    public ushort VendorId => Word(CommonHeader.VendorId.Offset);
    public ushort DeviceId => Word(CommonHeader.DeviceId.Offset);
    public byte Revision => Config[CommonHeader.Revision.Offset];
    public byte ProgIf => Config[CommonHeader.ClassProg.Offset];
    public ushort ClassDevice => Word(CommonHeader.ClassDevice.Offset);
    public byte HeaderType => (byte)(Config[CommonHeader.HeaderType.Offset] & CommonHeader.HeaderTypeMask);
    public bool IsBridgeHeader => HeaderType == CommonHeader.HeaderTypeBridge;
    public bool IsMultifunction => (Config[CommonHeader.HeaderType.Offset] & CommonHeader.HeaderTypeMultifunction) != 0;
    public ushort Command => Word(CommonHeader.Command.Offset);
    public byte PrimaryBus => Config[Type1Header.PrimaryBus.Offset];
    public byte SecondaryBus => Config[Type1Header.SecondaryBus.Offset];
    public byte SubordinateBus => Config[Type1Header.SubordinateBus.Offset];
    public byte InterruptLine => Config[CommonHeader.InterruptLine.Offset];
    public byte InterruptPin => Config[CommonHeader.InterruptPin.Offset];

    /// <summary>The registered regions (BARs, then the ROM as index 6) decoded from bytes and mask.</summary>
    public IReadOnlyList<PciRegion> Regions() => RegionDecoder.Decode(this);
}

/// <summary>A bus as QEMU holds it: its functions by devfn and its child buses (newest bridge first).</summary>
public sealed class BusSnapshot
{
    public required string Name { get; init; }
    public bool IsExpress { get; init; }
    public FunctionSnapshot? Bridge { get; init; }
    public List<FunctionSnapshot> Functions { get; } = [];
    public List<BusSnapshot> Children { get; } = [];

    /// <summary>pci_bus_num: 0 for the root, else the bridge's secondary bus register.</summary>
    public int Number => Bridge?.SecondaryBus ?? 0;

    public FunctionSnapshot? At(int devFn) => Functions.Find(f => f.DevFn == devFn);
}

/// <summary>A copy of the whole PCI hierarchy's config spaces, for reports (tree, lspci, query-pci, info pci).</summary>
public sealed class PciSnapshot(BusSnapshot root)
{
    public BusSnapshot Root { get; } = root;

    /// <summary>
    /// The root bus of every host bridge, as qmp_query_pci lists them (pci_host_bridges: newest first); just
    /// <see cref="Root"/> on a machine with one host.
    /// </summary>
    public IReadOnlyList<BusSnapshot> HostRoots { get; init; } = [root];

    public static PciSnapshot Capture(Machine machine)
    {
        var allow0 = machine.Kind.PciAllowZeroAddress;
        var root = CaptureBus(machine.Hierarchy.Root, null, headerOnly: false, rootOnly: false, allow0);
        var hosts = machine.Hosts.Reverse().Select(h => ReferenceEquals(h, machine.Hierarchy) ? root : CaptureBus(h.Root, null, headerOnly: false, rootOnly: false, allow0)).ToArray();
        return new PciSnapshot(root) { HostRoots = hosts };
    }

    /// <summary>
    /// A snapshot of the standard headers only: each function's <see cref="FunctionSnapshot.Config"/> and
    /// <see cref="FunctionSnapshot.WriteMask"/> hold its first 64 bytes (IDs, class, header type, BARs, ROM, bus numbers,
    /// bridge windows; no capabilities), <see cref="FunctionSnapshot.ConfigLimit"/> still says what software can reach.
    /// For the host-side questions asked on every boot (the DSDT's PCI namespace, the 64-bit hole), which would
    /// otherwise copy 8 KiB per PCIe function. <paramref name="rootOnly"/> stops at the root bus.
    /// </summary>
    public static PciSnapshot CaptureHeaders(Machine machine, bool rootOnly = false) =>
        new(CaptureBus(machine.Hierarchy.Root, null, headerOnly: true, rootOnly, machine.Kind.PciAllowZeroAddress));

    /// <summary>The standard header's size (type 0 and type 1).</summary>
    public const int HeaderSize = 0x40;

    private static BusSnapshot CaptureBus(PciBus bus, FunctionSnapshot? bridge, bool headerOnly, bool rootOnly, bool allow0)
    {
        var snap = new BusSnapshot { Name = bus.Name, IsExpress = bus.IsExpress, Bridge = bridge };
        foreach (var (devFn, f) in bus.Functions)
        {
            var visible = !((f.Hotplugged && bus.FunctionZeroFor(devFn) is null) || !f.HasPower || bus.ParentBridge is { SecondaryPowered: false });
            var limit = PciHierarchy.ConfigLimit(f, bus);
            var bytes = headerOnly ? HeaderSize : limit;
            snap.Functions.Add(new FunctionSnapshot
            {
                DevFn = devFn,
                Driver = f.TypeName,
                QdevId = f.Id,
                Config = ReadThroughDevice(f, bytes),
                WriteMask = f.Config.WriteMask[..bytes].ToArray(),
                Visible = visible,
                ConfigLimit = limit,
                AllowZeroAddress = allow0,
            });
        }
        if (rootOnly) return snap;
        foreach (var child in bus.Children)
        {
            var owner = snap.Functions.First(s => ReferenceEquals(bus[s.DevFn], child.ParentBridge));
            var childSnap = CaptureBus(child, owner, headerOnly, rootOnly, allow0);
            owner.Secondary = childSnap;
            snap.Children.Add(childSnap);
        }
        return snap;
    }

    /// <summary>
    /// The bytes as config reads return them (the device's read hook: e.g. a root port's Link Status is computed on
    /// read, pcie_cap_lnksta on QEMU's config_read), dword by dword, as lspci reads sysfs.
    /// </summary>
    private static byte[] ReadThroughDevice(PciFunction f, int limit)
    {
        var bytes = new byte[limit];
        // Dwords without a read hook read back as the bytes are; only the hooked ones go through the device.
        f.Config.ReadOnlyData[..limit].CopyTo(bytes);
        for (var off = 0; off < limit; off += 4)
        {
            if (f.HasReadHook(off, 4)) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(off), f.ReadConfig(off, 4));
        }
        return bytes;
    }

    /// <summary>pci_find_bus_nr over the captured bytes (match by number first, else descend into the covering range).</summary>
    public BusSnapshot? FindBus(int number)
    {
        var bus = Root;
        if (bus.Number == number) return bus;
        while (true)
        {
            BusSnapshot? next = null;
            foreach (var sec in bus.Children)
            {
                if (sec.Number == number) return sec;
                var br = sec.Bridge!;
                var sbr = (br.Word(Type1Header.BridgeControl.Offset) & (ushort)BridgeControlBits.BusReset) != 0;
                if (!sbr && br.SecondaryBus <= number && number <= br.SubordinateBus)
                {
                    next = sec;
                    break;
                }
            }
            if (next is null) return null;
            bus = next;
        }
    }

    /// <summary>Reads config as software would at (bus, devfn): all ones when nothing answers.</summary>
    public FunctionSnapshot? Find(int bus, int devFn) => FindBus(bus)?.At(devFn) is { Visible: true } f ? f : null;

    /// <summary>
    /// pci_bus_get_w64_range / pci_dev_get_w64 over the root bus: of memory-enabled functions, a bridge's prefetchable
    /// window and every mapped 64-bit memory BAR, each clipped to start at 4 GiB. Returns [Low, High) or nulls.
    /// </summary>
    public (ulong? Low, ulong? High) Root64BitRange()
    {
        ulong? lo = null, hi = null;
        void Extend(ulong start, ulong end)
        {
            start = Math.Max(start, MemoryLayout.FourGiB);
            if (end < start) return;
            lo = lo is null ? start : Math.Min(lo.Value, start);
            hi = hi is null ? end + 1 : Math.Max(hi.Value, end + 1);
        }
        foreach (var f in Root.Functions)
        {
            if (((CommandBits)f.Command & CommandBits.Memory) == 0) continue;
            if (f.IsBridgeHeader)
            {
                var w = BridgeRanges.Prefetchable(f);
                if (!w.IsEmpty) Extend(w.Base, w.Limit);
            }
            foreach (var r in f.Regions())
            {
                if (!r.IsIo && r.Is64 && r.Address is { } a) Extend(a, a + r.Size - 1);
            }
        }
        return (lo, hi);
    }
}
