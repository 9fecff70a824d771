using PciEmu.Core;
using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Platform.Machines.X86;

/// <summary>One PCI function as QEMU's ACPI builder sees it (a device in bus->devices[devfn]).</summary>
/// <param name="DevFn">Device/function number on its bus.</param>
/// <param name="IsBridge">PCIDeviceClass.is_bridge (a type 1 header); every bridge present at boot is cold-plugged.</param>
/// <param name="Hotpluggable">DeviceClass.hotpluggable (false for the chipset's own functions).</param>
/// <param name="IsIsaBridge">class PCI_CLASS_BRIDGE_ISA: skipped (the chipset's ISA object is static AML).</param>
/// <param name="IsVga">class PCI_CLASS_DISPLAY_VGA: described with _S1D/_S2D/_S3D instead of _SUN/_EJ0.</param>
/// <param name="Secondary">The bus behind a bridge (null for endpoints and unnumbered bridges).</param>
public sealed record QemuPciFunction(int DevFn, bool IsBridge, bool Hotpluggable, bool IsIsaBridge, bool IsVga, QemuPciBus? Secondary);

/// <summary>A PCI bus of QEMU's tree: its number as the firmware left it, pci_bus_is_express, its functions.</summary>
public sealed record QemuPciBus(int Number, bool IsExpress, IReadOnlyList<QemuPciFunction> Functions);

/// <summary>
/// QEMU 7.2's DSDT description of the PCI hierarchy on pc/q35 (hw/i386/acpi-build.c build_append_pci_bus_devices and
/// hw/acpi/pcihp.c acpi_set_bsel), as a pure function of the bus tree. This is the one place that decides which PCI
/// devices have ACPI objects, under which path, and which of them are hot-plug slots (_SUN + _EJ0). The platform seam
/// is expected to own it eventually; the Linux side only consumes the resulting <see cref="AcpiPciScope"/>s.
/// </summary>
public static class QemuDsdt
{
    private const int DevFnCount = 256;
    private const int FunctionsPerSlot = 8;
    private const int PiixFunctionSlot = 1;
    private const int PiixPmFunction = 3;
    private const int Ich9LpcSlot = 0x1f;

    /// <summary>
    /// The DSDT's \_SB.PCI0 scope with every described PCI object; a described cold-plugged bridge carries the scope
    /// of its secondary bus (<see cref="AcpiPciObject.Children"/>). <paramref name="rootBsel"/>:
    /// the root bus is hot-pluggable through ACPI (pc's acpi-root-pci-hotplug; never on q35's pcie.0, whose
    /// is_hotpluggable_bus says no). <paramref name="bridgeHotplug"/>: acpi-pci-hotplug-with-bridge-support (pcihp_bridge_en):
    /// cold-plugged bridges are described with their children and their secondary buses get a BSEL.
    /// </summary>
    public static AcpiPciScope Describe(QemuPciBus root, string rootPath, bool isPc, bool rootBsel, bool bridgeHotplug)
    {
        // build_dsdt: the chipset's static objects come before the generated ones in \_SB.PCI0
        // (build_piix4_pm → PX13 at 1.3, build_piix4_isa_bridge → ISA at 1.0; build_q35_isa_bridge → ISA at 1f.0).
        var statics = isPc
            ? new List<AcpiPciObject> { new(PiixFunctionSlot, PiixPmFunction, $"{rootPath}.PX13", false), new(PiixFunctionSlot, 0, $"{rootPath}.ISA_", false) }
            : [new(Ich9LpcSlot, 0, $"{rootPath}.ISA_", false)];
        return BuildAppendPciBusDevices(rootPath, root, rootBsel, bridgeHotplug, statics);
    }

    /// <summary>
    /// build_append_pci_bus_devices (QEMU 7.2): for each devfn of the bus, in order —
    /// an empty function 0 on a bus with a BSEL is a hot-plug slot (S%02X with _SUN/_EJ0), except that on a PCIe bus
    /// the first empty slot above 0 ends the whole loop (`break`: nothing after it is described, bridges included);
    /// ISA bridges are skipped; functions &gt; 0 are described only when they are cold-plugged bridges with bridge
    /// hot-plug on; a present hot-pluggable non-bridge function 0 on a BSEL bus gets _SUN/_EJ0 (VGA gets _SxD
    /// instead); a cold-plugged bridge with bridge hot-plug on recurses into its secondary bus, which has a BSEL
    /// (acpi_set_bsel: a bridge's bus is hot-pluggable through ACPI only with pcihp_bridge_en).
    /// </summary>
    private static AcpiPciScope BuildAppendPciBusDevices(string scopePath, QemuPciBus bus, bool bsel, bool pcihpBridgeEn,
        List<AcpiPciObject> objects)
    {
        var byDevFn = new Dictionary<int, QemuPciFunction>();
        foreach (var f in bus.Functions) byDevFn.TryAdd(f.DevFn, f);
        for (var devfn = 0; devfn < DevFnCount; devfn++)
        {
            var slot = devfn / FunctionsPerSlot;
            var func = devfn % FunctionsPerSlot;
            var path = $"{scopePath}.S{devfn:X2}_";
            if (!byDevFn.TryGetValue(devfn, out var f))
            {
                if (!bsel || func != 0) continue;
                if (bus.IsExpress && slot > 0) break;
                objects.Add(new AcpiPciObject(slot, 0, path, true));
                continue;
            }
            var coldPluggedBridge = f.IsBridge;
            var bridgeInAcpi = coldPluggedBridge && pcihpBridgeEn;
            var hotplugEnabledDev = bsel && f.Hotpluggable && !coldPluggedBridge;
            if (f.IsIsaBridge) continue;
            if (func != 0 && !bridgeInAcpi) continue;
            var ejectable = !f.IsVga && hotplugEnabledDev;
            var children = !f.IsVga && !hotplugEnabledDev && bridgeInAcpi && f.Secondary is { } sec
                ? BuildAppendPciBusDevices(path, sec, bsel: pcihpBridgeEn, pcihpBridgeEn, [])
                : null;
            objects.Add(new AcpiPciObject(slot, func, path, ejectable, children));
        }
        return new AcpiPciScope(scopePath, objects);
    }

    private const int IsaBridgeClass = 0x0601;
    private const int VgaClass = 0x0300;

    /// <summary>QEMU's bus tree from the platform's own objects (exact even where the firmware's bus numbers are not);
    /// a function is hot-pluggable when its model is (DeviceClass.hotpluggable: the catalog's flag; the chipset's own
    /// functions, which the catalog does not offer as -device models, are not).</summary>
    public static QemuPciBus FromSnapshot(BusSnapshot bus, Func<FunctionSnapshot, bool> hotpluggable) => new(bus.Number, bus.IsExpress,
        bus.Functions.Where(f => f.Visible).OrderBy(f => f.DevFn).Select(f => new QemuPciFunction(f.DevFn, f.IsBridgeHeader,
            hotpluggable(f), f.ClassDevice == IsaBridgeClass, f.ClassDevice == VgaClass,
            f.Secondary is { } sec ? FromSnapshot(sec, hotpluggable) : null)).ToList());

    /// <summary>The ejectable slots as the tables list them: bus number as the firmware left it, device, full path.</summary>
    public static IReadOnlyList<AcpiHotplugSlot> HotplugSlots(AcpiPciScope root, QemuPciBus tree)
    {
        var result = new List<AcpiHotplugSlot>();
        Walk(root, tree);
        return result;

        void Walk(AcpiPciScope scope, QemuPciBus bus)
        {
            foreach (var o in scope.Objects)
            {
                if (o.Ejectable) result.Add(new AcpiHotplugSlot(bus.Number, o.Device, o.Path));
            }
            foreach (var o in scope.Objects)
            {
                if (o.Children is not { } child) continue;
                var f = bus.Functions.FirstOrDefault(f => f.DevFn == o.Device * FunctionsPerSlot + o.Function);
                if (f?.Secondary is { } sec) Walk(child, sec);
            }
        }
    }
}
