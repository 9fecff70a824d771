namespace PciEmu.Fabric.FirmwareTables;

/// <summary>e820 memory types.</summary>
public enum E820Type : uint
{
    Ram = 1,
    Reserved = 2,
    Acpi = 3,
    Nvs = 4,
    Unusable = 5,
}

/// <summary>One e820 entry; QEMU's etc/e820 fw_cfg file is a packed array of (u64 address, u64 length, u32 type).</summary>
public readonly record struct E820Entry(ulong Start, ulong Length, E820Type Type)
{
    public const int EncodedSize = 20;
    public ulong End => Start + Length;

    public static IReadOnlyList<E820Entry> Decode(ReadOnlySpan<byte> data)
    {
        var list = new List<E820Entry>();
        for (var o = 0; o + EncodedSize <= data.Length; o += EncodedSize)
        {
            list.Add(new E820Entry(
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data[o..]),
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data[(o + 8)..]),
                (E820Type)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data[(o + 16)..])));
        }
        return list;
    }

    public static byte[] Encode(IReadOnlyList<E820Entry> entries)
    {
        var b = new byte[entries.Count * EncodedSize];
        for (var i = 0; i < entries.Count; i++)
        {
            var s = b.AsSpan(i * EncodedSize);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(s, entries[i].Start);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(s[8..], entries[i].Length);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[16..], (uint)entries[i].Type);
        }
        return b;
    }
}
