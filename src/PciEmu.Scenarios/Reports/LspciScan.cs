using PciEmu.Core;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Reports;

/// <summary>A function found by a software scan, with the bus number it answered on.</summary>
public sealed record ScannedFunction(Bdf Bdf, FunctionSnapshot Function, bool BelowExpressPort);

/// <summary>
/// What an OS scan finds (Linux pci_scan_child_bus / pci_scan_slot): function 0 first, functions 1-7 only
/// when function 0 is multifunction, only device 0 below PCIe root/downstream ports, bridges followed
/// through their configured secondary bus numbers. Then every other bus a config cycle reaches (pci_find_bus_nr from
/// the root for each bus number: a bridge whose numbers the firmware left odd — secondary below its own bus, or above
/// its subordinate — still answers on its secondary number, as QEMU's query-pci walk shows) with the functions on it.
/// Each function once, at the bus number config cycles reach it by; sorted by BDF, as lspci lists them.
/// </summary>
public static class LspciScan
{
    private const int FunctionsPerSlot = 8;
    private const int BusNumbers = 256;
    private const int DevFns = 256;
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
        var listed = found.Select(s => s.Function).ToHashSet(ReferenceEqualityComparer.Instance);
        for (var number = 0; number < BusNumbers; number++)
        {
            if (seenBuses.Contains(number) || snapshot.FindBus(number) is not { } bus) continue;
            var belowPort = bus.Bridge is { } br && IsExpressDownstreamPort(br);
            for (var devFn = 0; devFn < DevFns; devFn++)
            {
                if (snapshot.Find(number, devFn) is not { VendorId: not ushort.MaxValue } f || !listed.Add(f)) continue;
                found.Add(new ScannedFunction(new Bdf(number, devFn >> 3, devFn & (FunctionsPerSlot - 1)), f, belowPort));
            }
        }
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
