using System.Globalization;
using System.Text;
using PciEmu.Core;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Reports;

/// <summary>HMP "info pci" (hmp_info_pci / hmp_info_pci_device, QEMU 7.2): decimal bus/device numbers, hex ranges.</summary>
public static class InfoPciReport
{
    public static string Render(PciSnapshot snapshot)
    {
        var sb = new StringBuilder();
        // qmp_query_pci / hmp_info_pci: every host bridge's root bus, newest host first.
        foreach (var root in snapshot.HostRoots)
        {
            foreach (var f in root.Functions.OrderBy(f => f.DevFn)) Device(sb, snapshot, f, root.Number);
        }
        return sb.ToString();
    }

    private static string X(ulong v, int digits) => v.ToString("x" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>hmp_info_pci_device.</summary>
    private static void Device(StringBuilder sb, PciSnapshot snapshot, FunctionSnapshot f, int busNum)
    {
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"  Bus {busNum,2}, device {f.Slot,3}, function {f.Function}:\n");
        sb.Append("    ");
        var desc = PciNames.QemuClassDescription(f.ClassDevice);
        sb.Append(desc ?? "Class " + f.ClassDevice.ToString("D4", inv));
        sb.Append(inv, $": PCI device {X(f.VendorId, 4)}:{X(f.DeviceId, 4)}\n");
        if (f.HeaderType == CommonHeader.HeaderTypeNormal)
        {
            sb.Append(inv, $"      PCI subsystem {X(f.Word(Type0Header.SubsystemVendorId.Offset), 4)}:{X(f.Word(Type0Header.SubsystemId.Offset), 4)}\n");
        }
        if (f.InterruptPin != 0) sb.Append(inv, $"      IRQ {f.InterruptLine}, pin {(char)('A' + f.InterruptPin - 1)}\n");
        BusSnapshot? child = null;
        if (f.IsBridgeHeader)
        {
            sb.Append(inv, $"      BUS {f.PrimaryBus}.\n");
            sb.Append(inv, $"      secondary bus {f.SecondaryBus}.\n");
            sb.Append(inv, $"      subordinate bus {f.SubordinateBus}.\n");
            var io = BridgeRanges.Io(f);
            var mem = BridgeRanges.Memory(f);
            var pref = BridgeRanges.Prefetchable(f);
            sb.Append(inv, $"      IO range [0x{X(io.Base, 4)}, 0x{X(io.Limit, 4)}]\n");
            sb.Append(inv, $"      memory range [0x{X(mem.Base, 8)}, 0x{X(mem.Limit, 8)}]\n");
            sb.Append(inv, $"      prefetchable memory range [0x{X(pref.Base, 8)}, 0x{X(pref.Limit, 8)}]\n");
            if (f.SecondaryBus != 0) child = snapshot.FindBus(f.SecondaryBus);
        }
        foreach (var r in f.Regions())
        {
            var addr = r.Address ?? ulong.MaxValue;
            var end = unchecked(addr + r.Size - 1);
            sb.Append(inv, $"      BAR{r.Bar}: ");
            if (r.IsIo) sb.Append(inv, $"I/O at 0x{X(addr, 4)} [0x{X(end, 4)}].\n");
            else sb.Append(inv, $"{(r.Is64 ? 64 : 32)} bit{(r.Prefetchable ? " prefetchable" : string.Empty)} memory at 0x{X(addr, 8)} [0x{X(end, 8)}].\n");
        }
        sb.Append(inv, $"      id \"{f.QdevId ?? string.Empty}\"\n");
        if (child is not null)
        {
            foreach (var c in child.Functions.OrderBy(c => c.DevFn)) Device(sb, snapshot, c, f.SecondaryBus);
        }
    }
}
