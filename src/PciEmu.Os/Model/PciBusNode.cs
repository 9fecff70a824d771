using PciEmu.Os.Resources;

namespace PciEmu.Os.Model;

/// <summary>struct pci_bus: devices, child buses, the bus-number range and the windows it forwards.</summary>
public sealed class PciBusNode
{
    public PciBusNode(int number, PciDev? self, PciBusNode? parent)
    {
        Number = number;
        Self = self;
        Parent = parent;
        Busn = new Resource(Name, (ulong)number, (ulong)number, ResFlags.Bus);
    }

    public int Number { get; }
    public PciDev? Self { get; }
    public PciBusNode? Parent { get; }
    public Resource Busn { get; }
    public List<PciDev> Devices { get; } = [];
    public List<PciBusNode> Children { get; } = [];

    /// <summary>Root-bus apertures (pci_bus_for_each_resource numbers them from 4).</summary>
    public List<Resource> RootWindows { get; } = [];

    /// <summary>PCI_BUS_FLAGS_NO_EXTCFG.</summary>
    public bool NoExtCfg { get; set; }

    /// <summary>bus->bridge_ctl as read at scan time.</summary>
    public ushort BridgeCtl { get; set; }

    public bool IsRoot => Self is null;

    /// <summary>bus->is_added: the arch fixups ran once (a rescan of the bus does not repeat them).</summary>
    public bool IsAdded { get; set; }

    /// <summary>"0000:bb", the bus device's name.</summary>
    public string Name => $"0000:{Number:x2}";

    /// <summary>pci_bus_for_each_resource: a bridge bus forwards the bridge's windows 13..15; a root bus its apertures.</summary>
    public IEnumerable<Resource> Resources
    {
        get
        {
            if (Self is not null)
            {
                for (var i = PciDev.BridgeIoWindow; i <= PciDev.BridgePrefWindow; i++) yield return Self.Resources[i];
            }
            else
            {
                foreach (var w in RootWindows) yield return w;
            }
        }
    }

    /// <summary>Every bus below and including this one, depth first in creation order.</summary>
    public IEnumerable<PciBusNode> Subtree()
    {
        yield return this;
        foreach (var c in Children)
        {
            foreach (var b in c.Subtree()) yield return b;
        }
    }

    public override string ToString() => Name;
}
