namespace PciEmu.Fabric.FirmwareTables;

/// <summary>
/// QEMU's fw_cfg as firmware sees it: legacy items by key and named files (etc/e820, etc/reserved-memory-end,
/// etc/igd-opregion, etc/igd-bdsm-size, opt/...). The seam firmware reads the platform through.
/// </summary>
public interface IFwCfg
{
    /// <summary>A named file, or false when the platform does not offer it.</summary>
    bool TryGetFile(string name, out ReadOnlyMemory<byte> data);

    /// <summary>A legacy item (FW_CFG_RAM_SIZE = 0x03, FW_CFG_NB_CPUS = 0x05, ...), or false if absent.</summary>
    bool TryGetItem(ushort key, out ReadOnlyMemory<byte> data);

    /// <summary>File names in directory order.</summary>
    IReadOnlyList<string> FileNames { get; }
}

/// <summary>Legacy fw_cfg keys (include/standard-headers/linux/qemu_fw_cfg.h).</summary>
public static class FwCfgKeys
{
    public const ushort Signature = 0x00;
    public const ushort Id = 0x01;
    public const ushort Uuid = 0x02;
    public const ushort RamSize = 0x03;
    public const ushort NoGraphic = 0x04;
    public const ushort NbCpus = 0x05;
    public const ushort MaxCpus = 0x0f;
    public const ushort FileDir = 0x19;
}

/// <summary>An in-memory fw_cfg the platform fills.</summary>
public sealed class FwCfg : IFwCfg
{
    private readonly Dictionary<string, ReadOnlyMemory<byte>> _files = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly Dictionary<ushort, ReadOnlyMemory<byte>> _items = [];

    public IReadOnlyList<string> FileNames => _order;

    /// <summary>fw_cfg_add_file: the directory stays sorted by name (non-legacy order, every 7.2 x86 machine type).</summary>
    public void AddFile(string name, ReadOnlyMemory<byte> data)
    {
        if (!_files.ContainsKey(name))
        {
            var at = _order.BinarySearch(name, StringComparer.Ordinal);
            _order.Insert(at < 0 ? ~at : at, name);
        }
        _files[name] = data;
    }

    public void AddItem(ushort key, ReadOnlyMemory<byte> data) => _items[key] = data;

    public void AddFileU64(string name, ulong value)
    {
        var b = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        AddFile(name, b);
    }

    public bool TryGetFile(string name, out ReadOnlyMemory<byte> data) => _files.TryGetValue(name, out data);

    public bool TryGetItem(ushort key, out ReadOnlyMemory<byte> data) => _items.TryGetValue(key, out data);
}
