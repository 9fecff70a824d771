using System.Buffers.Binary;
using PciEmu.Core;
using PciEmu.Os.Resources;

namespace PciEmu.Os.Tests.Support;

/// <summary>Tiny hand-built topologies (QEMU-shaped functions as raw config bytes) for sizing and assignment tests.</summary>
public sealed class SyntheticMachine
{
    private const int PcieCapOffset = 0x40;
    private const ushort StatusCapList = 0x10;
    public const ushort RootPortFlags = 0x0142;
    public const ushort DownstreamPortFlags = 0x0162;
    private const uint SltCapHpc = 1 << 6;
    private const int SltCapPsnShift = 19;

    public ReplayConfigAccessor Accessor { get; } = new(ConfigSpace.ExpressSize);

    public static IReadOnlyList<RootWindow> Q35Windows1G { get; } =
    [
        new(ResFlags.Io, 0, 0x0cf7), new(ResFlags.Io, 0x0d00, 0xffff), new(ResFlags.Mem, 0xa0000, 0xbffff),
        new(ResFlags.Mem, 0x40000000, 0xafffffff), new(ResFlags.Mem, 0xc0000000, 0xfebfffff),
        new(ResFlags.Mem, 0x100000000, 0x8ffffffff),
    ];

    public SyntheticMachine HostBridge(ushort vendor = 0x8086, ushort device = 0x29c0)
    {
        var d = Header(vendor, device, 0x060000, CommonHeader.HeaderTypeNormal);
        Accessor.Add(new Bdf(0, 0, 0), new ReplayFunction(d));
        return this;
    }

    /// <summary>A pcie-root-port (1b36:000c) numbered by firmware, windows closed, optionally hot-plug capable.</summary>
    public SyntheticMachine RootPort(Bdf bdf, int secondary, bool hotplug = true, int slot = 0) =>
        RootPort(bdf, secondary, new PortState { Hotplug = hotplug, Slot = slot });

    /// <summary>The state firmware left in a root port, plus the capability bits that vary between QEMU versions.</summary>
    public sealed record PortState
    {
        public bool Hotplug { get; init; } = true;
        public int Slot { get; init; }
        public uint Bar0 { get; init; }
        public bool IoOpenAtZero { get; init; }
        public (uint Base, uint Limit)? Mem { get; init; }
        public (ulong Base, ulong Limit)? Pref { get; init; }
        public bool ExtTag { get; init; }
        public bool Aer { get; init; }
        public bool SlotCapsQemu { get; init; }
        public ushort Command { get; init; }
        public int? Subordinate { get; init; }
        public bool Unnumbered { get; init; }
        public ushort PcieFlags { get; init; } = RootPortFlags;
    }

    private const uint DevCapExtTag = 1 << 5;
    private const uint QemuSlotCaps = 0x0002007b;
    private const uint LnkCapDllla = 1 << 20;
    private const uint AerHeader = 0x00020001;

    public SyntheticMachine RootPort(Bdf bdf, int secondary, PortState st)
    {
        var hotplug = st.Hotplug;
        var slot = st.Slot;
        var d = Header(0x1b36, 0x000c, 0x060400, CommonHeader.HeaderTypeBridge);
        d[Type1Header.PrimaryBus.Offset] = (byte)bdf.Bus;
        d[Type1Header.SecondaryBus.Offset] = (byte)secondary;
        d[Type1Header.SubordinateBus.Offset] = (byte)(st.Subordinate ?? secondary);
        if (st.Unnumbered) d.AsSpan(Type1Header.PrimaryBus.Offset, 3).Clear();
        d[Type1Header.IoBase.Offset] = BarBits.IoRangeMask;
        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(Type1Header.MemoryBase.Offset), BarBits.MemRangeMask);
        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(Type1Header.PrefMemoryBase.Offset), BarBits.MemRangeMask | BarBits.PrefRangeType64);
        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(Type1Header.PrefMemoryLimit.Offset), BarBits.PrefRangeType64);
        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(CommonHeader.Status.Offset), StatusCapList);
        d[CommonHeader.CapabilityList.Offset] = PcieCapOffset;
        d[PcieCapOffset] = CapabilityId.Express;
        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(PcieCapOffset + 2), st.PcieFlags);
        var sltcap = st.SlotCapsQemu ? QemuSlotCaps : 0u;
        BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(PcieCapOffset + 0x14), sltcap | (hotplug ? SltCapHpc : 0) | ((uint)slot << SltCapPsnShift));
        if (st.SlotCapsQemu) BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(PcieCapOffset + 0x0c), LnkCapDllla);
        if (st.ExtTag) BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(PcieCapOffset + 4), DevCapExtTag);
        if (st.Aer) BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(0x100), AerHeader);
        BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(Type0Header.BaseAddress0.Offset), st.Bar0);
        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(CommonHeader.Command.Offset), st.Command);
        if (st.IoOpenAtZero) d[Type1Header.IoBase.Offset] = 0;
        if (st.Mem is { } m)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(Type1Header.MemoryBase.Offset), (ushort)(m.Base >> 16));
            BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(Type1Header.MemoryLimit.Offset), (ushort)(m.Limit >> 16));
        }
        if (st.Pref is { } p)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(Type1Header.PrefMemoryBase.Offset), (ushort)((p.Base >> 16) & BarBits.MemRangeMask | BarBits.PrefRangeType64));
            BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(Type1Header.PrefMemoryLimit.Offset), (ushort)((p.Limit >> 16) & BarBits.MemRangeMask | BarBits.PrefRangeType64));
            BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(Type1Header.PrefBaseUpper32.Offset), (uint)(p.Base >> 32));
            BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(Type1Header.PrefLimitUpper32.Offset), (uint)(p.Limit >> 32));
        }
        var f = new ReplayFunction(d);
        f.DeclareBar(0, 0x1000, io: false, mem64: false);
        Accessor.Add(bdf, f);
        return this;
    }

    /// <summary>A pci-testdev (1b36:0005): BAR0 4 KiB mem, BAR1 256 B I/O, BAR2 64-bit pref of <paramref name="membar"/>.</summary>
    public SyntheticMachine TestDev(Bdf bdf, ulong membar)
    {
        var d = Header(0x1b36, 0x0005, 0x00ff00, CommonHeader.HeaderTypeNormal);
        d[Type0Header.BaseAddress1.Offset] = (byte)BarBits.SpaceIo;
        d[Type0Header.BaseAddress2.Offset] = (byte)(BarBits.MemType64 | BarBits.MemPrefetch);
        var f = new ReplayFunction(d);
        f.DeclareBar(0, 0x1000, io: false, mem64: false);
        f.DeclareBar(1, 0x100, io: true, mem64: false);
        f.DeclareBar(2, membar, io: false, mem64: true);
        Accessor.Add(bdf, f);
        return this;
    }

    public PlatformFacts Facts(bool nativeHotplug = true) => new()
    {
        RootWindows = Q35Windows1G,
        HasOsc = true,
        OscGrantsPcieHotplug = nativeHotplug,
        OscGrantsShpcHotplug = true,
        PciMemStart = 0x40000000,
    };

    public LinuxEnumerator Boot(KernelOptions? options = null, bool nativeHotplug = true)
    {
        var e = new LinuxEnumerator(Accessor, Facts(nativeHotplug), options);
        e.Boot();
        return e;
    }

    private static byte[] Header(ushort vendor, ushort device, uint cls, byte headerType)
    {
        var d = new byte[ConfigSpace.ExpressSize];
        BinaryPrimitives.WriteUInt16LittleEndian(d, vendor);
        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(2), device);
        BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(CommonHeader.Revision.Offset), cls << 8);
        d[CommonHeader.HeaderType.Offset] = headerType;
        return d;
    }
}
