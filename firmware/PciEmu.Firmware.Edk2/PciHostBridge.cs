namespace PciEmu.Firmware.Edk2;

/// <summary>The resource types PciHostBridgeDxe allocates (PCI_RESOURCE_TYPE: TypeIo .. TypePMem64).</summary>
internal enum HostResourceType
{
    Io,
    Mem,
    PMem,
    Mem64,
    PMem64,
}

/// <summary>One submitted request and its result (PCI_RES_NODE).</summary>
internal sealed class HostResourceNode
{
    public bool Submitted { get; set; }
    public ulong Length { get; set; }
    public ulong Alignment { get; set; }
    public ulong Base { get; set; }
    public bool Allocated { get; set; }
}

/// <summary>
/// MdeModulePkg/Bus/Pci/PciHostBridgeDxe with ArmVirtQemu's root bridge (OvmfPkg/Fdt/FdtPciHostBridgeLib +
/// PciHostBridgeUtilityLib): one root bridge whose apertures come from the device tree, resources submitted by the
/// bus driver, placed bottom-up first fit in the GCD (largest alignment first).
/// </summary>
internal sealed class PciHostBridge
{
    /// <summary>EFI_PCI_HOST_BRIDGE_COMBINE_MEM_PMEM / EFI_PCI_HOST_BRIDGE_MEM64_DECODE.</summary>
    private const ulong CombineMemPMem = 1;
    private const ulong Mem64Decode = 2;

    /// <summary>GCD alignment caps: 15 bits for I/O, 31 for 32-bit memory, 63 above.</summary>
    private const int MaxIoAlignBits = 15;
    private const int MaxMem32AlignBits = 31;
    private const int MaxMem64AlignBits = 63;

    private readonly Edk2Log _log;
    private readonly List<(bool Mmio, ulong Base, ulong End)> _gcdAllocated = [];

    public PciHostBridge(HostBridgeDescription description, Edk2Log log)
    {
        Description = description;
        _log = log;
        for (var i = 0; i < Nodes.Length; i++) Nodes[i] = new HostResourceNode();
    }

    public HostBridgeDescription Description { get; }
    public HostResourceNode[] Nodes { get; } = new HostResourceNode[5];

    public bool HasMem64 => Description.Mem64Size != 0;

    private ulong AllocationAttributes => CombineMemPMem | (HasMem64 ? Mem64Decode : 0);

    /// <summary>DetermineRootBridgeAttributes (PciEnumeratorSupport.c): MEM32|PMEM32|IO16, COMBINE, and MEM64|PMEM64.</summary>
    public BridgeDecodes RootBridgeDecodes =>
        BridgeDecodes.Mem32 | BridgeDecodes.PMem32 | BridgeDecodes.Io16 | BridgeDecodes.PMemMemCombine
        | (HasMem64 ? BridgeDecodes.Mem64 | BridgeDecodes.PMem64 : BridgeDecodes.None);

    /// <summary>
    /// InitializePciHostBridge (PciHostBridge.c) with ProcessPciHost (FdtPciHostBridgeLib) and
    /// PciHostBridgeUtilityInitRootBridge: the DT line, the root bridge, CreateRootBridge's attribute dump.
    /// </summary>
    public void Initialize()
    {
        var d = Description;
        if (d.FromDeviceTree) ProcessPciHostLine(d);
        _log.Debug($"PciHostBridgeUtilityInitRootBridge: populated root bus {d.BusStart}, with room for {d.BusEnd - d.BusStart} subordinate bus(es)");
        _log.Debug("RootBridge: PciRoot(0x0)");
        _log.Debug($"  Support/Attr: {Edk2Log.X(d.Attributes)} / {Edk2Log.X(d.Attributes)}");
        _log.Debug($"    DmaAbove4G: {(d.DmaAbove4G ? "Yes" : "No")}");
        _log.Debug($"NoExtConfSpace: {(d.NoExtendedConfigSpace ? "Yes" : "No")}");
        var words = "CombineMemPMem " + (HasMem64 ? "Mem64Decode" : string.Empty);
        _log.Debug($"     AllocAttr: {Edk2Log.X(AllocationAttributes)} ({words})");
        _log.Debug($"           Bus: {Edk2Log.X((ulong)d.BusStart)} - {Edk2Log.X((ulong)d.BusEnd)} Translation=0");
        _log.Debug($"            Io: {Edk2Log.X(d.IoBase)} - {Edk2Log.X(d.IoBase + d.IoSize - 1)} Translation=0");
        _log.Debug($"           Mem: {Edk2Log.X(d.Mem32Base)} - {Edk2Log.X(d.Mem32Base + d.Mem32Size - 1)} Translation=0");
        _log.Debug(HasMem64
            ? $"    MemAbove4G: {Edk2Log.X(d.Mem64Base)} - {Edk2Log.X(d.Mem64Base + d.Mem64Size - 1)} Translation=0"
            : "    MemAbove4G: FFFFFFFFFFFFFFFF - 0 Translation=0");
        _log.Debug("          PMem: FFFFFFFFFFFFFFFF - 0 Translation=0");
        _log.Debug("   PMemAbove4G: FFFFFFFFFFFFFFFF - 0 Translation=0");
    }

    /// <summary>ProcessPciHost (FdtPciHostBridgeLib.c): the DEBUG line describing the DT node.</summary>
    private void ProcessPciHostLine(HostBridgeDescription d)
    {
        var mem64 = HasMem64 ? $" Mem64[0x{Edk2Log.X(d.Mem64Base)}+0x{Edk2Log.X(d.Mem64Size)})@0x0" : string.Empty;
        _log.Debug($"ProcessPciHost: Config[0x{Edk2Log.X(d.EcamBase)}+0x{Edk2Log.X(d.EcamSize)}) Bus[0x{Edk2Log.X((ulong)d.BusStart)}..0x{Edk2Log.X((ulong)d.BusEnd)}] "
                   + $"Io[0x{Edk2Log.X(d.IoBase)}+0x{Edk2Log.X(d.IoSize)})@0x{Edk2Log.X(d.IoCpuBase)} Mem32[0x{Edk2Log.X(d.Mem32Base)}+0x{Edk2Log.X(d.Mem32Size)})@0x0{mem64}");
    }

    /// <summary>NotifyPhase(EfiPciHostBridgeBeginEnumeration): resets every request.</summary>
    public void NotifyPhaseBeginEnumeration()
    {
        foreach (var n in Nodes)
        {
            n.Submitted = false;
            n.Allocated = false;
        }
        _gcdAllocated.Clear();
    }

    /// <summary>NotifyPhase(EfiPciHostBridgeFreeResources): every allocation released before the bus driver retries.</summary>
    public void NotifyPhaseFreeResources()
    {
        NotifyPhaseBeginEnumeration();
    }

    public void NotifyPhaseEndEnumeration()
    {
    }

    /// <summary>SetBusNumbers (PciRootBridgeIo): the root bridge decodes [start, sub].</summary>
    public void SetBusNumbers(int start, int subordinate)
    {
        BusDecoded = (start, subordinate);
    }

    public (int Start, int End) BusDecoded { get; private set; }

    private static string SubmitLabel(HostResourceType t) => t == HostResourceType.Io ? "I/O" : "Mem";

    /// <summary>
    /// SubmitResources (PciHostBridge.c): one QWORD descriptor per type, logged with granularity / specific flag and
    /// length / alignment.
    /// </summary>
    public void SubmitResources(IReadOnlyList<(HostResourceType Type, ulong Length, ulong Alignment)> requests)
    {
        _log.Debug("PciHostBridge: SubmitResources for PciRoot(0x0)");
        foreach (var (type, length, alignment) in requests)
        {
            var (granularity, flag) = type switch
            {
                HostResourceType.Io => (0, 1),
                HostResourceType.Mem => (32, 0),
                HostResourceType.PMem => (32, 6),
                HostResourceType.Mem64 => (64, 0),
                _ => (64, 6),
            };
            _log.Debug($" {SubmitLabel(type)}: Granularity/SpecificFlag = {granularity} / {Edk2Log.X((ulong)flag, 2)}");
            _log.Debug($"      Length/Alignment = 0x{Edk2Log.X(length)} / 0x{Edk2Log.X(alignment)}");
            var n = Nodes[(int)type];
            n.Submitted = true;
            n.Length = length;
            n.Alignment = alignment;
        }
        _log.Debug("PciBus: HostBridge->SubmitResources() - Success");
    }

    private static string AllocLabel(HostResourceType t) => t switch
    {
        HostResourceType.Io => "I/O",
        HostResourceType.Mem => "Mem",
        HostResourceType.PMem => "PMem",
        HostResourceType.Mem64 => "Mem64",
        _ => "PMem64",
    };

    /// <summary>
    /// NotifyPhase(EfiPciHostBridgeAllocateResources): repeatedly the unhandled type with the largest alignment (ties:
    /// the higher type), bottom-up first fit in its aperture; 64-bit requests fall back below 4 GiB. Returns false
    /// when a request could not be placed.
    /// </summary>
    public bool NotifyPhaseAllocateResources()
    {
        _log.Debug("PciHostBridge: NotifyPhase (AllocateResources)");
        _log.Debug(" RootBridge: PciRoot(0x0)");
        var handled = new bool[Nodes.Length];
        var ok = true;
        while (true)
        {
            var index = -1;
            ulong maxAlignment = 0;
            for (var i = 0; i < Nodes.Length; i++)
            {
                if (!Nodes[i].Submitted || handled[i]) continue;
                if (maxAlignment <= Nodes[i].Alignment)
                {
                    maxAlignment = Nodes[i].Alignment;
                    index = i;
                }
            }
            if (index < 0) break;
            handled[index] = true;
            var node = Nodes[index];
            var bits = LowBitSet(node.Alignment + 1);
            var type = (HostResourceType)index;
            var d = Description;
            ulong @base = ulong.MaxValue;
            switch (type)
            {
                case HostResourceType.Io:
                    @base = AllocateResource(false, node.Length, Math.Min(MaxIoAlignBits, bits), d.IoBase, d.IoBase + d.IoSize - 1);
                    break;
                case HostResourceType.Mem64:
                case HostResourceType.PMem64:
                    if (HasMem64)
                        @base = AllocateResource(true, node.Length, Math.Min(MaxMem64AlignBits, bits), d.Mem64Base, d.Mem64Base + d.Mem64Size - 1);
                    if (@base == ulong.MaxValue)
                        @base = AllocateResource(true, node.Length, Math.Min(MaxMem32AlignBits, bits), d.Mem32Base, d.Mem32Base + d.Mem32Size - 1);
                    break;
                case HostResourceType.Mem:
                    @base = AllocateResource(true, node.Length, Math.Min(MaxMem32AlignBits, bits), d.Mem32Base, d.Mem32Base + d.Mem32Size - 1);
                    break;
                default:
                    // PMem: ArmVirt has no PMem aperture; with COMBINE nothing is ever submitted here.
                    break;
            }
            node.Base = @base;
            node.Allocated = @base != ulong.MaxValue;
            ok &= node.Allocated;
            _log.Debug($"  {AllocLabel(type)}: Base/Length/Alignment = {Edk2Log.X(node.Allocated ? @base : 0)}/{Edk2Log.X(node.Length)}/{Edk2Log.X(node.Alignment)} - {(node.Allocated ? "Success" : "Out Of Resource!")}");
        }
        if (!ok)
        {
            _log.Debug("PciHostBridge: Resource conflict happens!");
            _log.Debug("Call PciHostBridgeResourceConflict().");
        }
        _log.Debug($"PciBus: HostBridge->NotifyPhase(AllocateResources) - {(ok ? "Success" : "Out of Resources")}");
        return ok;
    }

    /// <summary>LowBitSet64.</summary>
    private static int LowBitSet(ulong v) => v == 0 ? -1 : System.Numerics.BitOperations.TrailingZeroCount(v);

    /// <summary>
    /// AllocateResource (PciHostBridge.c): from the aligned aperture base upwards in alignment steps, the first range the
    /// GCD can allocate; MAX_UINT64 when none fits.
    /// </summary>
    private ulong AllocateResource(bool mmio, ulong length, int bitsOfAlignment, ulong baseAddress, ulong limit)
    {
        if (baseAddress >= limit) return ulong.MaxValue;
        var step = 1UL << bitsOfAlignment;
        baseAddress = (baseAddress + step - 1) & ~(step - 1);
        while (baseAddress + length <= limit + 1 && baseAddress + length > baseAddress)
        {
            var end = baseAddress + length - 1;
            if (!_gcdAllocated.Any(a => a.Mmio == mmio && a.Base <= end && baseAddress <= a.End))
            {
                _gcdAllocated.Add((mmio, baseAddress, end));
                return baseAddress;
            }
            baseAddress += step;
        }
        return ulong.MaxValue;
    }

    /// <summary>GetProposedResources: the base of a type, or null when it was not submitted or not placed.</summary>
    public ulong? ProposedBase(HostResourceType t) => Nodes[(int)t] is { Submitted: true, Allocated: true } n ? n.Base : null;
}
