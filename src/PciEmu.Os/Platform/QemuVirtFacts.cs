using PciEmu.Core;
using PciEmu.Os.Resources;
using PciEmu.Platform.Machines.Virt;

namespace PciEmu.Os.Platform;

/// <summary>
/// The <see cref="PlatformFacts"/> an arm64 guest reads from QEMU virt's ACPI tables (virt-acpi-build.c, gpex-acpi.c,
/// hw/acpi/pcihp.c): PCI0's _CRS, MCFG's bus range, _OSC, _DSM #5, and with acpi-ged PCI hot-plug the slots of
/// build_append_pcihp_slots on every bus with a selector (the root bus included).
/// </summary>
public static class QemuVirtFacts
{
    private const int SlotsPerBus = 32;

    /// <summary>
    /// The first interrupt Linux hands a PCIe port's services on virt (GICv2m MSIs, mapped after the platform's own
    /// interrupts): recorded as 50 on Debian 6.12 and 51 on Debian 6.1 (../shared/conformance/e*).
    /// </summary>
    private const int FirstPortIrq612 = 50;
    private const int FirstPortIrq61 = 51;

    /// <summary>Class codes of virt functions QEMU marks not hot-pluggable (none of gpex-root's: it gets a slot).</summary>
    private static readonly HashSet<int> NonHotpluggableClasses = [];

    public static PlatformFacts Build(VirtBoard board, IConfigAccessor cfg, KernelVersion version)
    {
        var acpi = board.AcpiPci;
        var windows = acpi.Crs.Select(r => new RootWindow(r.Kind == VirtRangeKind.Io ? ResFlags.Io : ResFlags.Mem, r.PciBase, r.PciLimit)).ToArray();
        return new PlatformFacts
        {
            Arch = PciArch.Arm64,
            RootWindows = windows,
            BusEnd = acpi.BusEnd,
            HasOsc = true,
            OscGrantsPcieHotplug = (acpi.OscControls & PciEmu.Platform.AcpiFacts.OscNativeHotplug) != 0,
            OscGrantsShpcHotplug = (acpi.OscControls & PciEmu.Platform.AcpiFacts.OscShpc) != 0,
            OscGrantsAer = (acpi.OscControls & PciEmu.Platform.AcpiFacts.OscAer) != 0,
            PreserveBootConfig = acpi.DsmFunction5 == 0,
            AcpiSlots = acpi.PciHotplug ? AcpiSlots(cfg) : new Dictionary<int, IReadOnlyList<int>>(),
            FirstPortIrq = version == KernelVersion.Linux6_12 ? FirstPortIrq612 : FirstPortIrq61,
        };
    }

    /// <summary>
    /// build_append_pcihp_slots / is_devfn_ignored_hotplug (QEMU 11.1): on every bus with a selector (all buses when
    /// bridge hot-plug is on), a slot with _SUN = slot number for each populated hot-pluggable function-0 device
    /// (cold-plugged bridges are not) and for each empty slot, except empty slots above 0 on a PCIe bus.
    /// </summary>
    private static Dictionary<int, IReadOnlyList<int>> AcpiSlots(IConfigAccessor cfg)
    {
        var result = new Dictionary<int, IReadOnlyList<int>>();
        Walk(0, express: true);
        return result;

        void Walk(int bus, bool express)
        {
            var slots = new List<int>();
            var bridges = new List<(int Secondary, bool Express)>();
            for (var slot = 0; slot < SlotsPerBus; slot++)
            {
                var bdf = new Bdf(bus, slot, 0);
                var id = cfg.Read32(bdf, CommonHeader.VendorId.Offset);
                if (id is uint.MaxValue or 0)
                {
                    if (!(express && slot > 0)) slots.Add(slot);
                    continue;
                }
                var hotpluggable = true;
                for (var fn = 0; fn < Bdf.FunctionCount; fn++)
                {
                    var f = new Bdf(bus, slot, fn);
                    if (cfg.Read32(f, CommonHeader.VendorId.Offset) is uint.MaxValue or 0) continue;
                    var hdr = cfg.Read8(f, CommonHeader.HeaderType.Offset);
                    if ((hdr & CommonHeader.HeaderTypeMask) == CommonHeader.HeaderTypeBridge)
                    {
                        if (fn == 0) hotpluggable = false;
                        bridges.Add((cfg.Read8(f, Type1Header.SecondaryBus.Offset), PciRegs.FindCapability(cfg, f, CapabilityId.Express) != 0));
                    }
                    if (fn == 0 && NonHotpluggableClasses.Contains(cfg.Read16(f, CommonHeader.ClassDevice.Offset))) hotpluggable = false;
                    if (fn == 0 && (hdr & CommonHeader.HeaderTypeMultifunction) == 0) break;
                }
                if (hotpluggable) slots.Add(slot);
            }
            if (slots.Count > 0) result[bus] = slots;
            foreach (var (sec, exp) in bridges)
            {
                if (sec > bus) Walk(sec, exp);
            }
        }
    }
}
