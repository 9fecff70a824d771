using PciEmu.Core;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Reports;

/// <summary>A function found by a software scan, with the bus number it answered on.</summary>
public sealed record ScannedFunction(Bdf Bdf, FunctionSnapshot Function, bool BelowExpressPort);

/// <summary>
/// What an OS scan finds (Linux pci_scan_child_bus / pci_scan_slot): function 0 first, functions 1-7 only
/// when function 0 is multifunction, only device 0 below PCIe root/downstream ports, bridges followed
/// through their configured secondary bus numbers. Sorted by BDF, as lspci lists them.
/// </summary>
public static class LspciScan
{
    private const int FunctionsPerSlot = 8;
    private const int PcieCapTypeShift = 4;
    private const int PcieCapTypeMask = 0xf;
    private const int PcieFlagsOffset = 2;
    private const int RootPortType = 0x4;
    private const int DownstreamPortType = 0x6;

    public static IReadOnlyList<ScannedFunction> Scan(PciSnapshot snapshot)
    {
        var found = new List<ScannedFunction>();
        var seenBuses = new HashSet<int>();
        ScanBus(snapshot, 0, false, found, seenBuses);
        found.Sort((a, b) => a.Bdf.CompareTo(b.Bdf));
        return found;
    }

    private static void ScanBus(PciSnapshot snapshot, int bus, bool onlyOneChild, List<ScannedFunction> found, HashSet<int> seen)
    {
        if (!seen.Add(bus)) return;
        var bridges = new List<FunctionSnapshot>();
        for (var slot = 0; slot < Bdf.DeviceCount; slot++)
        {
            if (onlyOneChild && slot > 0) break;
            for (var fn = 0; fn < FunctionsPerSlot; fn++)
            {
                var f = snapshot.Find(bus, slot * FunctionsPerSlot + fn);
                if (f is null || f.VendorId == ushort.MaxValue)
                {
                    if (fn == 0) break;
                    continue;
                }
                found.Add(new ScannedFunction(new Bdf(bus, slot, fn), f, onlyOneChild));
                if (f.IsBridgeHeader) bridges.Add(f);
                if (fn == 0 && !f.IsMultifunction) break;
            }
        }
        foreach (var br in bridges)
        {
            if (br.SecondaryBus == 0 || br.SecondaryBus <= bus || br.SubordinateBus < br.SecondaryBus) continue;
            ScanBus(snapshot, br.SecondaryBus, IsExpressDownstreamPort(br), found, seen);
        }
    }

    /// <summary>pcie_downstream_port: root or downstream port (only device 0 below it is scanned).</summary>
    public static bool IsExpressDownstreamPort(FunctionSnapshot f)
    {
        var cap = FindCapability(f, CapabilityId.Express);
        if (cap < 0) return false;
        var type = (f.Word(cap + PcieFlagsOffset) >> PcieCapTypeShift) & PcieCapTypeMask;
        return type is RootPortType or DownstreamPortType;
    }

    /// <summary>The offset of a standard capability, or -1.</summary>
    public static int FindCapability(FunctionSnapshot f, byte id)
    {
        foreach (var c in CapabilityListBuilder.Walk(f.Config))
        {
            if (!c.Extended && c.Id == id) return c.Offset;
        }
        return -1;
    }
}
