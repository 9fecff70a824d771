using System.Buffers.Binary;

namespace PciEmu.Core;

/// <summary>
/// One function's configuration space with QEMU's parallel per-byte masks (hw/pci/pci.c: config, wmask,
/// w1cmask, cmask, used). Reads and writes of width 1, 2 or 4 at any offset, little-endian.
/// </summary>
public sealed class ConfigSpace
{
    public const int ConventionalSize = 256;
    public const int ExpressSize = 4096;

    private readonly byte[] _data;
    private readonly byte[] _wmask;
    private readonly byte[] _w1cmask;
    private readonly byte[] _cmask;
    private readonly byte[] _used;
    private Action? _watchChanged;
    private int _watchStart;
    private int _watchEnd;

    public ConfigSpace(int size)
    {
        if (size != ConventionalSize && size != ExpressSize)
            throw new ArgumentOutOfRangeException(nameof(size), size, "config space is 256 or 4096 bytes");
        Size = size;
        _data = new byte[size];
        _wmask = new byte[size];
        _w1cmask = new byte[size];
        _cmask = new byte[size];
        _used = new byte[size];
    }

    public int Size { get; }
    public bool IsExpress => Size == ExpressSize;

    /// <summary>The register contents reads return.</summary>
    public Span<byte> Data => _data;
    public Span<byte> WriteMask => _wmask;
    public Span<byte> W1cMask => _w1cmask;
    public Span<byte> CheckMask => _cmask;

    /// <summary>Bytes claimed by a capability (QEMU's <c>used</c>, for the allocator only).</summary>
    public Span<byte> Used => _used;

    public ReadOnlySpan<byte> ReadOnlyData => _data;

    /// <summary>Reads <paramref name="width"/> bytes (1, 2, 4) at <paramref name="offset"/>; bytes past the end read 0.</summary>
    public uint Read(int offset, int width)
    {
        if ((uint)offset >= (uint)Size) return uint.MaxValue >> (32 - 8 * width);
        if (offset + width <= Size)
        {
            return width switch
            {
                1 => _data[offset],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(offset)),
                _ => BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(offset)),
            };
        }
        uint v = 0;
        for (var i = 0; i < width && offset + i < Size; i++) v |= (uint)_data[offset + i] << (8 * i);
        return v;
    }

    /// <summary>
    /// The default config write (pci_default_write_config): per byte
    /// new = (old &amp; ~wmask) | (val &amp; wmask); new &amp;= ~(val &amp; w1cmask). Bytes past the end are dropped.
    /// </summary>
    public void Write(int offset, int width, uint value)
    {
        for (var i = 0; i < width; i++)
        {
            var o = offset + i;
            if ((uint)o >= (uint)Size) break;
            var b = (byte)(value >> (8 * i));
            var wm = _wmask[o];
            var w1c = _w1cmask[o];
            _data[o] = (byte)(((_data[o] & ~wm) | (b & wm)) & ~(b & w1c));
        }
        Touched(offset, width);
    }

    /// <summary>
    /// Calls <paramref name="changed"/> after every <see cref="Write"/> or Set* that touches
    /// [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) (the fabric watches a bridge's
    /// bus numbers and bridge control to invalidate its routing cache). One watcher per config space; a later call
    /// replaces it. Writes through the <see cref="Data"/> span are not seen.
    /// </summary>
    public void Watch(int start, int length, Action changed)
    {
        _watchStart = start;
        _watchEnd = start + length;
        _watchChanged = changed;
    }

    private void Touched(int offset, int width)
    {
        if (_watchChanged is { } changed && offset < _watchEnd && _watchStart < offset + width) changed();
    }

    public byte GetByte(int offset) => _data[offset];
    public ushort GetWord(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(offset));
    public uint GetLong(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(offset));
    public ulong GetQuad(int offset) => BinaryPrimitives.ReadUInt64LittleEndian(_data.AsSpan(offset));

    /// <summary>Sets register contents directly, bypassing the masks (device-side state changes).</summary>
    public void SetByte(int offset, byte value)
    {
        _data[offset] = value;
        Touched(offset, sizeof(byte));
    }

    public void SetWord(int offset, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_data.AsSpan(offset), value);
        Touched(offset, sizeof(ushort));
    }

    public void SetLong(int offset, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_data.AsSpan(offset), value);
        Touched(offset, sizeof(uint));
    }

    public void SetQuad(int offset, ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_data.AsSpan(offset), value);
        Touched(offset, sizeof(ulong));
    }

    public void Set(int offset, int width, uint value)
    {
        for (var i = 0; i < width; i++) _data[offset + i] = (byte)(value >> (8 * i));
        Touched(offset, width);
    }

    public uint GetMask(ReadOnlySpan<byte> mask, int offset, int width)
    {
        uint v = 0;
        for (var i = 0; i < width; i++) v |= (uint)mask[offset + i] << (8 * i);
        return v;
    }

    public void SetMask(Span<byte> mask, int offset, int width, uint value)
    {
        for (var i = 0; i < width; i++) mask[offset + i] = (byte)(value >> (8 * i));
    }

    public uint GetWriteMask(int offset, int width) => GetMask(_wmask, offset, width);
    public uint GetW1cMask(int offset, int width) => GetMask(_w1cmask, offset, width);
    public void SetWriteMask(int offset, int width, uint value) => SetMask(_wmask, offset, width, value);
    public void SetW1cMask(int offset, int width, uint value) => SetMask(_w1cmask, offset, width, value);

    /// <summary>Asserts QEMU's invariant that no bit is both writable and write-1-to-clear.</summary>
    public void CheckMasks()
    {
        for (var i = 0; i < Size; i++)
        {
            if ((_wmask[i] & _w1cmask[i]) != 0)
                throw new InvalidOperationException($"config byte 0x{i:x3} is both RW and W1C (wmask 0x{_wmask[i]:x2}, w1cmask 0x{_w1cmask[i]:x2})");
        }
    }
}
