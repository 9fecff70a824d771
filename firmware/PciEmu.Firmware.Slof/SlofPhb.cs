using PciEmu.Core;
using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Firmware.Slof;

/// <summary>
/// SLOF (qemu-slof-20220719) setting up one PAPR PHB node: board-qemu/slof/pci-phb.fs on the qemu,phb-enumerated
/// path (QEMU built the nodes and numbered the buses), with slof/fs/pci-device.fs, pci-bridge.fs, pci-scan.fs and
/// pci-properties.fs. Config space is reached through RTAS calls naming the PHB (the accessor); the console lines
/// are SLOF's. The pci-scan variables are per SLOF instance: PHBs are set up in node order, each from its ranges.
/// </summary>
internal sealed partial class SlofPhb
{
    private const int SpacesBeforeAddress = 0x15;
    private const int HeaderTypeMask = 0x7f;

    private readonly IConfigAccessor _cfg;
    private readonly List<string> _log;
    private readonly System.Text.StringBuilder _line = new();

    // pci-scan.fs VARIABLEs / VALUEs.
    private ulong _nextIo, _maxIo, _nextMem, _maxMem, _nextMmio, _maxMmio, _nextMem64, _maxMem64;
    private ulong _memBarMinAlign;
    private int _busNumber;
    private uint _deviceSlots;

    public SlofPhb(IConfigAccessor cfg, List<string> log)
    {
        _cfg = cfg;
        _log = log;
    }

    /// <summary>The network nodes in setup order (pci-alias-net: the first becomes the "net" boot alias).</summary>
    public List<Bdf> NetworkNodes { get; } = [];

    /// <summary>
    /// pci-device.fs open (what the boot word does to the "net" device when no disk or cdrom loads): pci-master-enable,
    /// pci-mem-enable, pci-io-enable. The driver's own open (DHCP over the NIC) is not modelled.
    /// </summary>
    public void Open(Bdf d)
    {
        PciMasterEnable(d);
        PciMemEnable(d);
        PciIoEnable(d);
    }

    public SlofPciVars Vars => new(_nextIo, _maxIo, _nextMem, _maxMem, _nextMmio, _maxMmio, _nextMem64, _maxMem64);

    // --- console (type / emit / cr) ---------------------------------------------------------------------------------

    private void Type(string s) => _line.Append(s);

    /// <summary>Ends a partly printed line (the console shows it when SLOF stops mid-line).</summary>
    public void FlushLine()
    {
        if (_line.Length > 0) Cr();
    }

    private void Cr()
    {
        _log.Add(_line.ToString());
        _line.Clear();
    }

    // --- rtas-config-x@ / x! ----------------------------------------------------------------------------------------

    private uint L(Bdf d, int reg) => _cfg.Read32(d, reg);
    private uint W(Bdf d, int reg) => _cfg.Read16(d, reg);
    private uint B(Bdf d, int reg) => _cfg.Read8(d, reg);
    private void L(Bdf d, int reg, ulong v) => _cfg.Write32(d, reg, (uint)v);
    private void W(Bdf d, int reg, ulong v) => _cfg.Write16(d, reg, (ushort)v);

    /// <summary>#aligned: round <paramref name="v"/> up to a multiple of <paramref name="align"/> (0 stays 0).</summary>
    private static ulong Aligned(ulong v, ulong align) => align == 0 ? v : (v + align - 1) / align * align;

    /// <summary>
    /// phb-setup-children: parse the ranges, enable hot-plug properties, take qemu,mem-bar-min-align or 64 KiB, then
    /// walk the nodes QEMU built (phb-pci-walk-bridge with phb-pci-bridge-probe / phb-pci-device-props).
    /// </summary>
    public DeviceTreePciHost SetupChildren(DeviceTreePciHost phb, ulong? memBarMinAlign)
    {
        // pci-phb.fs prints this when the node is populated, before phb-setup-children runs.
        Type("Populating " + phb.NodePath);
        Cr();
        PhbParseRanges(phb.Ranges);
        // "1 TO pci-hotplug-enabled": only the legacy pci-device-props reads it (DRC index, loc-code), not this path.
        _memBarMinAlign = memBarMinAlign ?? 0x10000;
        if (!phb.PhbEnumerated)
            throw new SlofAbortException("(probe-pci-host-bridge): the legacy scan of unenumerated PHBs is not ported");
        var nodes = PhbPciWalkBridge(phb.Nodes);
        return phb with { Nodes = nodes };
    }

    /// <summary>phb-parse-ranges: the window variables from the PHB's "ranges" (PCI addresses); split 32-bit if no 64-bit.</summary>
    private void PhbParseRanges(IReadOnlyList<AddressWindow> ranges)
    {
        _nextIo = _maxIo = _nextMem = _maxMem = _nextMmio = _maxMmio = _nextMem64 = _maxMem64 = 0;
        foreach (var r in ranges)
        {
            var size = r.End - r.Start + 1;
            switch (r.Space)
            {
                case WindowSpace.Io:
                    _nextIo = r.Start;
                    _maxIo = r.Start + size;
                    // "BARs must not be set to zero"
                    if (_nextIo == 0) _nextIo += 0x10;
                    break;
                case WindowSpace.Memory:
                    _nextMmio = r.Start;
                    _maxMmio = r.Start + size;
                    break;
                case WindowSpace.Memory64:
                    _nextMem64 = r.Start;
                    _maxMem64 = r.Start + size;
                    break;
            }
        }
        if (_nextMem64 == 0)
        {
            _nextMem = _nextMmio;
            var middle = (_maxMmio - _nextMmio) / 2 + _nextMmio;
            _maxMem = middle;
            _nextMmio = middle;
        }
    }

    /// <summary>phb-pci-walk-bridge: every child node in node order, by header type (0 device, 1 bridge, else only pci-out).</summary>
    private List<DeviceTreePciNode> PhbPciWalkBridge(IReadOnlyList<DeviceTreePciNode> children)
    {
        var result = new List<DeviceTreePciNode>();
        if (children.Count == 0) return result;
        _deviceSlots = 0;
        foreach (var node in children)
        {
            var d = Bdf.FromDevFn(node.Bus, node.DevFn);
            PciSetSlot(d);
            var htype = B(d, CommonHeader.HeaderType.Offset) & HeaderTypeMask;
            result.Add(htype switch
            {
                0 => PciDeviceSetup(node, d),
                1 => PciBridgeSetup(node, d),
                _ => Other(node, d, htype),
            });
        }
        return result;
    }

    private DeviceTreePciNode Other(DeviceTreePciNode node, Bdf d, uint htype)
    {
        // "dup OF my-space [char] ? pci-out ENDOF": the line, no setup, no newline of its own.
        _ = htype;
        PciOut(d, '?');
        return node;
    }

    /// <summary>pci-set-slot: the slot's bit in pci-device-slots.</summary>
    private void PciSetSlot(Bdf d) => _deviceSlots |= 0x80000000u >> d.Device;

    /// <summary>pci-out: 21 spaces, "BB DDDD (c) : VVVV PPPP" and four spaces (the setup prints the rest).</summary>
    private void PciOut(Bdf d, char c)
    {
        Type(new string(' ', SpacesBeforeAddress));
        Type($"{d.Bus:x2} {d.DevFn << 8:x4}");
        Type($" ({c}) : ");
        Type($"{L(d, 0) & 0xffff:x4} ");
        Type($"{L(d, 0) >> 16:x4}");
        Type("    ");
    }

    /// <summary>pci-device-disable: COMMAND &amp;= ~7 as a dword read-modify-write of 0x04.</summary>
    private void PciDeviceDisable(Bdf d) => L(d, 4, L(d, 4) & ~7u);

    /// <summary>pci-error-enable: COMMAND |= PERR | SERR (word RMW).</summary>
    private void PciErrorEnable(Bdf d) => W(d, 4, W(d, 4) | 0x140);

    /// <summary>pci-master-enable (dword RMW), pci-mem-enable and pci-io-enable (word RMW).</summary>
    private void PciMasterEnable(Bdf d) => L(d, 4, L(d, 4) | 4);
    private void PciMemEnable(Bdf d) => W(d, 4, W(d, 4) | 2);
    private void PciIoEnable(Bdf d) => W(d, 4, W(d, 4) | 1);

    /// <summary>pci-enable: COMMAND |= 7 (word RMW).</summary>
    private void PciEnable(Bdf d) => W(d, 4, W(d, 4) | 7);

    private uint PciVendor(Bdf d) => L(d, 0) & 0xffff;
    private uint PciDevice(Bdf d) => L(d, 0) >> 16;
    private uint PciClass(Bdf d) => L(d, 8) >> 8;
    /// <summary>pci-class-name: the base class read, then (for a known base class) the class read again for the sub-class word.</summary>
    private string PciClassName(Bdf d)
    {
        var first = PciClass(d);
        return (first >> 16) > 0x11 ? SlofClassNames.PciClassName(first) : SlofClassNames.PciClassName(PciClass(d));
    }

    /// <summary>slof/fs/pci-device.fs: disable decode, enable error reporting, print the line, then setup.</summary>
    private DeviceTreePciNode PciDeviceSetup(DeviceTreePciNode node, Bdf d)
    {
        PciDeviceDisable(d);
        PciErrorEnable(d);
        PciOut(d, 'D');
        return Setup(node, d);
    }

    /// <summary>
    /// pci-device.fs setup: a board-qemu device file (pci-device_VVVV_PPPP.fs), else a class file (pci-class_02.fs,
    /// pci-class_0c.fs), else the generic path ("name*" and pci-device-generic-setup).
    /// </summary>
    private DeviceTreePciNode Setup(DeviceTreePciNode node, Bdf d)
    {
        var vendor = PciVendor(d);
        var device = PciDevice(d);
        if (SlofDeviceFiles.Find(vendor, device, () => PciClass(d)) is { } file)
        {
            if (!file.SetupFirst)
            {
                Type(file.Text);
                Cr();
            }
            var n = PciDeviceGenericSetup(node, d);
            if (file.SetupFirst)
            {
                Type(file.Text);
                Cr();
            }
            foreach (var step in file.Steps)
            {
                switch (step)
                {
                    case SlofDriverStep.MasterEnable: PciMasterEnable(d); break;
                    case SlofDriverStep.MemEnable: PciMemEnable(d); break;
                    case SlofDriverStep.IoEnable: PciIoEnable(d); break;
                    case SlofDriverStep.Disable: PciDeviceDisable(d); break;
                    case SlofDriverStep.ReadBar0: _ = L(d, 0x10); break;
                    case SlofDriverStep.ReadBar2: _ = L(d, 0x18); break;
                }
            }
            if (file.Network) NetworkNodes.Add(d);
            return n;
        }
        var baseClass = PciClass(d) >> 16;
        if (baseClass == 0x02)
        {
            NetworkNodes.Add(d);
            // pci-class_02.fs: "network [ NAME ]", generic setup, the newline after the properties.
            Type("network [ " + PciClassName(d) + " ]");
            var n = PciDeviceGenericSetup(node, d);
            Cr();
            return n;
        }
        if (baseClass == 0x0c)
        {
            // pci-class_0c.fs: "serial bus [ NAME ]", generic setup (the USB host drivers are not modelled).
            Type("serial bus [ " + PciClassName(d) + " ]");
            Cr();
            return PciDeviceGenericSetup(node, d);
        }
        Type(PciClassName(d) + "*");
        Cr();
        return PciDeviceGenericSetup(node, d);
    }

    /// <summary>pci-device-generic-setup: all BARs, irq line (a no-op on board-qemu), capabilities, properties.</summary>
    private DeviceTreePciNode PciDeviceGenericSetup(DeviceTreePciNode node, Bdf d)
    {
        AssignAllDeviceBars(d);
        PciSetCapabilities(d);
        return PhbPciDeviceProps(node, d);
    }

    /// <summary>phb-pci-device-props: only the node name and assigned-addresses (QEMU made the rest).</summary>
    private DeviceTreePciNode PhbPciDeviceProps(DeviceTreePciNode node, Bdf d) => node with
    {
        Name = PciClassName(d),
        AssignedAddresses = PciDeviceAssignedAddressesProp(d, Type0Header.RomAddress.Offset, 0x28),
    };

    /// <summary>
    /// slof/fs/pci-bridge.fs: disable decode, enable error reporting, "(B)" line, generic bridge setup (there are no
    /// board-qemu bridge files), reset the secondary status, then MASTER | MEM | IO.
    /// </summary>
    private DeviceTreePciNode PciBridgeSetup(DeviceTreePciNode node, Bdf d)
    {
        PciDeviceDisable(d);
        PciErrorEnable(d);
        PciOut(d, 'B');
        // setup: "filename romfs-lookup" (pci-bridge_VVVV_PPPP.fs; board-qemu ships none), then the generic path.
        _ = PciVendor(d);
        _ = PciDevice(d);
        Type(PciClassName(d) + "*");
        Cr();
        var n = PciBridgeGenericSetup(node, d);
        PciReset2nd(d);
        PciMasterEnable(d);
        PciMemEnable(d);
        PciIoEnable(d);
        return n;
    }

    /// <summary>pci-reset-2nd: write ones to the upper half of 0x1C (clears the secondary status W1C bits).</summary>
    private void PciReset2nd(Bdf d) => L(d, 0x1c, L(d, 0x1c) | 0xffff0000);

    /// <summary>
    /// pci-bridge-generic-setup: common properties, phb-pci-bridge-probe (bases, walk the secondary bus, limits), then
    /// the bridge's own BARs, capabilities and pci-bridge-props; the slot array is saved around it.
    /// </summary>
    private DeviceTreePciNode PciBridgeGenericSetup(DeviceTreePciNode node, Bdf d)
    {
        var savedSlots = _deviceSlots;
        PciCommonProps(d);
        var children = PhbPciBridgeProbe(node, d);
        AssignAllBridgeBars(d);
        PciSetCapabilities(d);
        var n = PciBridgeProps(node with { Children = children }, d);
        _deviceSlots = savedSlots;
        return n;
    }

    /// <summary>phb-pci-bridge-probe: bases, temporary ranges, the bus number QEMU set, enable, walk, limits.</summary>
    private List<DeviceTreePciNode> PhbPciBridgeProbe(DeviceTreePciNode node, Bdf d)
    {
        PciBridgeSetBases(d);
        PciBridgeRangeProps(d);
        _busNumber = (int)((L(d, 0x18) >> 8) & 0xff);
        PciEnable(d);
        var children = PhbPciWalkBridge(node.Children);
        PciBridgeSetLimits(d);
        return children;
    }
}
