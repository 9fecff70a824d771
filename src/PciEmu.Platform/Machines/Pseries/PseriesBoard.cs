using PciEmu.Fabric;
using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Platform.Machines.Pseries;

/// <summary>One sPAPR PHB of a machine: its windows (spapr_phb_placement), its root bus and its RTAS config host.</summary>
public sealed record SpaprPhb(SpaprPhbWindows Windows, PciBus Root, RtasPciConfig Rtas)
{
    /// <summary>The guest's config accessor for this PHB (RTAS calls naming its BUID).</summary>
    public RtasConfigAccessor Accessor { get; } = new(Rtas);
}

/// <summary>
/// The board state of a pseries machine (<see cref="Machine.BoardState"/>): its PHBs in index order. PHB 0 (bus id
/// pci.0) is the machine's root hierarchy, created by spapr_machine_init even with -nodefaults.
/// </summary>
public sealed class PseriesBoard
{
    private readonly List<SpaprPhb> _phbs = [];

    public IReadOnlyList<SpaprPhb> Phbs => _phbs;

    internal void Add(SpaprPhb phb) => _phbs.Add(phb);

    /// <summary>The PHB a BUID names (spapr_pci_find_phb), or null.</summary>
    public SpaprPhb? FindPhb(ulong buid) => _phbs.FirstOrDefault(p => p.Windows.Buid == buid);

    /// <summary>
    /// spapr_dt_phb for every PHB: spapr_phb_pci_enumerate numbers the buses (host-side writes), then the node with
    /// its ranges (I/O, 32-bit, 64-bit when its size is non-zero; none prefetchable) and the function nodes.
    /// QEMU does this whenever it builds the FDT (machine reset, CAS), so calling it again changes nothing.
    /// </summary>
    public IReadOnlyList<DeviceTreePciHost> BuildDeviceTree()
    {
        var hosts = new List<DeviceTreePciHost>();
        foreach (var phb in _phbs)
        {
            SpaprDeviceTree.Enumerate(phb.Root);
            var w = phb.Windows;
            var ranges = new List<AddressWindow>
            {
                new(WindowSpace.Io, 0, SpaprPhbWindows.IoWinSize - 1, w.IoWinAddr),
                new(WindowSpace.Memory, SpaprPhbWindows.MemWinBusOffset, SpaprPhbWindows.MemWinBusOffset + w.MemWinSize - 1,
                    w.MemWinAddr - SpaprPhbWindows.MemWinBusOffset),
            };
            if (w.Mem64WinSize != 0)
                ranges.Add(new(WindowSpace.Memory64, w.Mem64WinPciAddr, w.Mem64WinPciAddr + w.Mem64WinSize - 1, w.Mem64WinAddr - w.Mem64WinPciAddr));
            hosts.Add(new DeviceTreePciHost
            {
                NodePath = "/" + w.NodeName,
                Compatible = "IBM,Logical_PHB",
                Ecam = new EcamAllocation(0, w.Index, 0, 0xff),
                Ranges = ranges,
                // /chosen linux,pci-probe-only = 0 on pseries-4.2 and later.
                ProbeOnly = false,
                Buid = w.Buid,
                PhbEnumerated = true,
                Nodes = SpaprDeviceTree.Nodes(phb.Root, w.Index),
            });
        }
        return hosts;
    }
}
