using PciEmu.Core;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;

namespace PciEmu.Os;

/// <summary>
/// The Linux PCI core state shared by the ported functions: the config accessor, the kernel options, the platform
/// facts, the resource trees and the log, and one part per Linux file (probe.c, setup-bus.c, setup-res.c, the x86 and
/// hot-plug glue), each a <see cref="PciCorePart"/> that holds this core.
/// </summary>
internal sealed class PciCore
{
    /// <summary>PCIBIOS_MIN_IO (x86 and arm64).</summary>
    public const ulong PciBiosMinIo = 0x1000;

    /// <summary>BIOS_END: x86 keeps memory allocations above the first MiB.</summary>
    public const ulong BiosEnd = 0x100000;

    /// <summary>BIOS_ROM_BASE..BIOS_ROM_END: the top 2 MiB below 4 GiB (arch_remove_reservations).</summary>
    public const ulong BiosRomBase = 0xffe00000;
    public const ulong BiosRomEnd = 0xffffffff;

    /// <summary>IO_SPACE_LIMIT (x86).</summary>
    public const ulong IoSpaceLimit = 0xffff;

    /// <summary>arm64 IO_SPACE_LIMIT: PCI_IO_SIZE (16 MiB) - 1, so /proc/ioports prints 8 digits.</summary>
    public const ulong Arm64IoSpaceLimit = 0xffffff;

    public PciCore(IConfigAccessor cfg, KernelOptions options, PlatformFacts facts, KernelLog log)
    {
        Cfg = cfg;
        Options = options;
        Facts = facts;
        Log = log;
        IoPortRoot = new Resource("PCI IO", 0, facts.Arch == PciArch.Arm64 ? Arm64IoSpaceLimit : IoSpaceLimit, ResFlags.Io);
        IoMemRoot = new Resource("PCI mem", 0, ulong.MaxValue, ResFlags.Mem);
        Probe = new Probe(this);
        ProbeBases = new ProbeBases(this);
        LinkStatus = new LinkStatus(this);
        Quirks = new Quirks(this);
        Survey = new Survey(this);
        SetupRes = new SetupRes(this);
        SetupBusAssign = new SetupBusAssign(this);
        SetupBusSorted = new SetupBusSorted(this);
        SetupBusDistribute = new SetupBusDistribute(this);
        SetupBusSize = new SetupBusSize(this);
        Acpiphp = new Acpiphp(this);
        Pciehp = new Pciehp(this);
        HotplugPci = new HotplugPci(this);
        PortServices = new PortServices(this);
        ShpchpCore = new ShpchpCore(this);
        ShpchpHpc = new ShpchpHpc(this);
        ShpchpCtrl = new ShpchpCtrl(this);
    }

    public Probe Probe { get; }
    public ProbeBases ProbeBases { get; }
    public LinkStatus LinkStatus { get; }
    public Quirks Quirks { get; }
    public Survey Survey { get; }
    public SetupRes SetupRes { get; }
    public SetupBusAssign SetupBusAssign { get; }
    public SetupBusSorted SetupBusSorted { get; }
    public SetupBusDistribute SetupBusDistribute { get; }
    public SetupBusSize SetupBusSize { get; }
    public Acpiphp Acpiphp { get; }
    public Pciehp Pciehp { get; }
    public HotplugPci HotplugPci { get; }
    public PortServices PortServices { get; }
    public ShpchpCore ShpchpCore { get; }
    public ShpchpHpc ShpchpHpc { get; }
    public ShpchpCtrl ShpchpCtrl { get; }

    public IConfigAccessor Cfg { get; }
    public KernelOptions Options { get; }
    public PlatformFacts Facts { get; }
    public KernelLog Log { get; }

    /// <summary>ioport_resource.</summary>
    public Resource IoPortRoot { get; }

    /// <summary>iomem_resource.</summary>
    public Resource IoMemRoot { get; }

    public PciBusNode? Root { get; private set; }

    /// <summary>Names of registered hot-plug slots (pci_slots_kset), for make_slot_name's "-N" suffixes.</summary>
    public HashSet<string> SlotNames { get; } = [];

    /// <summary>Next MSI vector handed to a port service.</summary>
    public int NextIrq { get; set; }

    public bool Is612 => Options.Is612;

    public IEnumerable<PciDev> AllDevices() =>
        Root is null ? [] : Root.Subtree().SelectMany(b => b.Devices);

    public PciDev? FindDevice(Bdf bdf) => AllDevices().FirstOrDefault(d => d.Bdf == bdf);

    public PciBusNode? FindBus(int number) => Root?.Subtree().FirstOrDefault(b => b.Number == number);

    public byte Read8(PciDev d, int off) => Cfg.Read8(d.Bdf, off);
    public ushort Read16(PciDev d, int off) => Cfg.Read16(d.Bdf, off);
    public uint Read32(PciDev d, int off) => Cfg.Read32(d.Bdf, off);
    public void Write16(PciDev d, int off, ushort v) => Cfg.Write16(d.Bdf, off, v);
    public void Write32(PciDev d, int off, uint v) => Cfg.Write32(d.Bdf, off, v);
    public void Write8(PciDev d, int off, byte v) => Cfg.Write8(d.Bdf, off, v);

    /// <summary>pci_resource_name.</summary>
    public static string ResName(PciDev dev, int i) => i switch
    {
        < PciDev.RomResource => $"BAR {i}",
        PciDev.RomResource => "ROM",
        < PciDev.BridgeResources => $"VF BAR {i - PciDev.RomResource - 1}",
        <= PciDev.BridgeResourceEnd => "bridge window",
        _ => "unknown",
    };

    /// <summary>pci_find_capability: walk the conventional capability list.</summary>
    public int FindCapability(PciDev d, byte id) => PciRegs.FindCapability(Cfg, d.Bdf, id);

    /// <summary>pci_find_ext_capability.</summary>
    public int FindExtCapability(PciDev d, ushort id)
    {
        const int maxExt = 480;
        if (Cfg.AddressableSize <= ConfigSpace.ConventionalSize || d.Bus.NoExtCfg || !d.IsPcie) return 0;
        var pos = ExtCapabilityId.ExtendedStart;
        for (var ttl = 0; pos >= ExtCapabilityId.ExtendedStart && ttl < maxExt; ttl++)
        {
            var hdr = Read32(d, pos);
            if (hdr is 0 or uint.MaxValue) return 0;
            if ((hdr & PciRegs.ExtCapIdMask) == id) return pos;
            pos = (int)(hdr >> PciRegs.ExtCapNextShift) & PciRegs.ExtCapNextMask;
        }
        return 0;
    }

    internal void SetRoot(PciBusNode root) => Root = root;

    /// <summary>PCI_DEVFN.</summary>
    public static int DevFn(int slot, int fn) => (slot << PciRegs.DevFnShift) | fn;
}
