namespace PciEmu.Platform;

/// <summary>
/// One device to create, as qdev_device_add receives it: the driver, the qdev id, the bus path and the remaining
/// properties in the order given (addr=, multifunction=, romfile=, rombar= and the device's own).
/// </summary>
public sealed record DeviceRequest
{
    public required string Driver { get; init; }
    public string? Id { get; init; }
    public string? Bus { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Properties { get; init; } = [];
}

/// <summary>Where a device ended up.</summary>
public sealed record PlacedDevice(string Driver, string? Id, string BusName, int DevFn)
{
    public int Slot => DevFn >> 3;
    public int Function => DevFn & 7;
}

/// <summary>Properties every PCI device has (hw/pci/pci.c pci_props, QEMU 7.2).</summary>
public static class PciCommonProperties
{
    public const string Addr = "addr";
    public const string Multifunction = "multifunction";
    public const string RomFile = "romfile";
    public const string RomBar = "rombar";

    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Addr, Multifunction, RomFile, RomBar, "romsize", "x-pcie-lnksta-dllla", "x-pcie-extcap-init",
        "failover_pair_id", "acpi-index",
    };
}

/// <summary>qdev id syntax (id_wellformed, util/id.c).</summary>
public static class QdevId
{
    public static bool IsWellFormed(string id)
    {
        if (id.Length == 0 || !char.IsAsciiLetter(id[0])) return false;
        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '.' or '_')) return false;
        }
        return true;
    }

    /// <summary>qemu_opts_create's error for a bad id.</summary>
    public const string BadIdMessage = "Parameter 'id' expects an identifier";

    public static string Duplicate(string id) => $"Duplicate ID '{id}' for device";
}
