using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Firmware.SeaBios;

/// <summary>
/// SeaBIOS's e820 list (src/e820map.c): kept sorted, overlaps resolved by the newest entry, same-type neighbours
/// merged. At most BUILD_MAX_E820 entries; further inserts are dropped with a warning, as upstream.
/// </summary>
public sealed class E820Map
{
    /// <summary>BUILD_MAX_E820 in rel-1.16.2.</summary>
    public const int BUILD_MAX_E820 = 32;

    /// <summary>BUILD_MAX_E820 from rel-1.16.3 on.</summary>
    public const int BUILD_MAX_E820_1_16_3 = 128;

    /// <summary>E820_HOLE: the internal type e820_remove uses.</summary>
    private const uint E820_HOLE = uint.MaxValue;

    private readonly List<(ulong Start, ulong Size, uint Type)> _list = [];
    private readonly Action<string>? _warn;

    private readonly int _capacity;

    public E820Map(Action<string>? warnNoAlloc = null, int capacity = BUILD_MAX_E820)
    {
        _warn = warnNoAlloc;
        _capacity = capacity;
    }

    public IReadOnlyList<E820Entry> Entries => _list.Select(e => new E820Entry(e.Start, e.Size, (E820Type)e.Type)).ToArray();

    /// <summary>remove_e820.</summary>
    private void RemoveE820(int i) => _list.RemoveAt(i);

    /// <summary>insert_e820.</summary>
    private void InsertE820(int i, ulong start, ulong size, uint type)
    {
        if (_list.Count >= _capacity)
        {
            _warn?.Invoke("insert_e820");
            return;
        }
        _list.Insert(i, (start, size, type));
    }

    public void Add(ulong start, ulong size, E820Type type) => E820Add(start, size, (uint)type);

    /// <summary>e820_remove: make a memory hole.</summary>
    public void Remove(ulong start, ulong size) => E820Add(start, size, E820_HOLE);

    /// <summary>e820_add: scans for overlaps and keeps the list sorted.</summary>
    private void E820Add(ulong start, ulong size, uint type)
    {
        if (size == 0) return;

        // Find position of new item (splitting existing item if needed).
        var end = start + size;
        var i = 0;
        for (; i < _list.Count; i++)
        {
            var e = _list[i];
            var eEnd = e.Start + e.Size;
            if (start > eEnd) continue;
            // Found position - check if an existing item needs to be split.
            if (start > e.Start)
            {
                if (type == e.Type)
                {
                    // Same type - merge them.
                    size += start - e.Start;
                    start = e.Start;
                }
                else
                {
                    // Split existing item.
                    _list[i] = e with { Size = start - e.Start };
                    i++;
                    if (eEnd > end) InsertE820(i, end, eEnd - end, e.Type);
                }
            }
            break;
        }
        // Remove/adjust existing items that are overlapping.
        while (i < _list.Count)
        {
            var e = _list[i];
            if (end < e.Start) break; // No overlap - done.
            var eEnd = e.Start + e.Size;
            if (end >= eEnd)
            {
                // Existing item completely overlapped - remove it.
                RemoveE820(i);
                continue;
            }
            // Not completely overlapped - adjust its start.
            e = e with { Start = end, Size = eEnd - end };
            _list[i] = e;
            if (type == e.Type)
            {
                // Same type - merge them.
                size += e.Size;
                RemoveE820(i);
            }
            break;
        }
        // Insert new item.
        if (type != E820_HOLE) InsertE820(i, start, size, type);
    }

    /// <summary>e820_is_used (rel-1.16.3+): whether [start, start+size) overlaps any entry.</summary>
    public bool IsUsed(ulong start, ulong size)
    {
        foreach (var e in _list)
        {
            if (start + size <= e.Start) continue;
            if (start >= e.Start + e.Size) continue;
            return true;
        }
        return false;
    }

    /// <summary>e820_type_name.</summary>
    public static string TypeName(uint type) => type switch
    {
        (uint)E820Type.Ram => "RAM",
        (uint)E820Type.Reserved => "RESERVED",
        (uint)E820Type.Acpi => "ACPI",
        (uint)E820Type.Nvs => "NVS",
        (uint)E820Type.Unusable => "UNUSABLE",
        _ => "UNKNOWN",
    };

    /// <summary>dump_map: the "e820 map has N items:" block e820_prepboot prints.</summary>
    public IReadOnlyList<string> DumpMap()
    {
        var lines = new List<string> { $"e820 map has {_list.Count} items:" };
        for (var i = 0; i < _list.Count; i++)
        {
            var e = _list[i];
            lines.Add($"  {i}: {DebugLog.Hex(e.Start, 16, true)} - {DebugLog.Hex(e.Start + e.Size, 16, true)} = {DebugLog.Dec(e.Type)} {TypeName(e.Type)}");
        }
        return lines;
    }
}
