using System.Text;
using System.Text.Json;
using PciEmu.Core;
using PciEmu.Platform;

namespace PciEmu.Scenarios.Reports;

/// <summary>
/// QMP query-pci (hw/pci/pci.c qmp_query_pci, QEMU 7.2): the QAPI PciInfo list, fields in QAPI order, integers in
/// decimal, an unmapped region's address -1, bridges' buses nested under pci_bridge.devices.
/// </summary>
public static class QueryPciReport
{
    private const long Unmapped = -1;

    /// <summary>The "return" value of query-pci as indented JSON.</summary>
    public static string Render(PciSnapshot snapshot)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            // qmp_query_pci: one entry per host bridge (pci_host_bridges, newest first).
            foreach (var root in snapshot.HostRoots)
            {
                w.WriteStartObject();
                w.WriteNumber("bus", root.Number);
                w.WritePropertyName("devices");
                WriteDevices(w, snapshot, root, root.Number);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>qmp_query_pci_devices: every plugged function of the bus in devfn order.</summary>
    private static void WriteDevices(Utf8JsonWriter w, PciSnapshot snapshot, BusSnapshot bus, int busNum)
    {
        w.WriteStartArray();
        foreach (var f in bus.Functions.OrderBy(f => f.DevFn)) WriteDevice(w, snapshot, f, busNum);
        w.WriteEndArray();
    }

    /// <summary>qmp_query_pci_device.</summary>
    private static void WriteDevice(Utf8JsonWriter w, PciSnapshot snapshot, FunctionSnapshot f, int busNum)
    {
        w.WriteStartObject();
        w.WriteNumber("bus", busNum);
        w.WriteNumber("slot", f.Slot);
        w.WriteNumber("function", f.Function);
        w.WriteStartObject("class_info");
        if (PciNames.QemuClassDescription(f.ClassDevice) is { } desc) w.WriteString("desc", desc);
        w.WriteNumber("class", f.ClassDevice);
        w.WriteEndObject();
        w.WriteStartObject("id");
        w.WriteNumber("device", f.DeviceId);
        w.WriteNumber("vendor", f.VendorId);
        if (f.HeaderType == CommonHeader.HeaderTypeNormal)
        {
            w.WriteNumber("subsystem", f.Word(Type0Header.SubsystemId.Offset));
            w.WriteNumber("subsystem-vendor", f.Word(Type0Header.SubsystemVendorId.Offset));
        }
        w.WriteEndObject();
        if (f.InterruptPin != 0) w.WriteNumber("irq", f.InterruptLine);
        w.WriteNumber("irq_pin", f.InterruptPin);
        w.WriteString("qdev_id", f.QdevId ?? string.Empty);
        if (f.IsBridgeHeader) WriteBridge(w, snapshot, f);
        w.WriteStartArray("regions");
        foreach (var r in f.Regions())
        {
            w.WriteStartObject();
            w.WriteNumber("bar", r.Bar);
            w.WriteString("type", r.IsIo ? "io" : "memory");
            if (r.Address is { } a) w.WriteNumber("address", a);
            else w.WriteNumber("address", Unmapped);
            w.WriteNumber("size", r.Size);
            if (!r.IsIo)
            {
                w.WriteBoolean("prefetch", r.Prefetchable);
                w.WriteBoolean("mem_type_64", r.Is64);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>qmp_query_pci_bridge: bus numbers, the three windows, and the child bus found by number.</summary>
    private static void WriteBridge(Utf8JsonWriter w, PciSnapshot snapshot, FunctionSnapshot f)
    {
        w.WriteStartObject("pci_bridge");
        w.WriteStartObject("bus");
        w.WriteNumber("number", f.PrimaryBus);
        w.WriteNumber("secondary", f.SecondaryBus);
        w.WriteNumber("subordinate", f.SubordinateBus);
        WriteRange(w, "io_range", BridgeRanges.Io(f));
        WriteRange(w, "memory_range", BridgeRanges.Memory(f));
        WriteRange(w, "prefetchable_range", BridgeRanges.Prefetchable(f));
        w.WriteEndObject();
        if (f.SecondaryBus != 0 && snapshot.FindBus(f.SecondaryBus) is { } child)
        {
            w.WritePropertyName("devices");
            WriteDevices(w, snapshot, child, f.SecondaryBus);
        }
        w.WriteEndObject();
    }

    private static void WriteRange(Utf8JsonWriter w, string name, BridgeWindow r)
    {
        w.WriteStartObject(name);
        w.WriteNumber("base", r.Base);
        w.WriteNumber("limit", r.Limit);
        w.WriteEndObject();
    }
}
