using System.Buffers.Binary;
using PciEmu.Fabric.FirmwareTables;

namespace PciEmu.Firmware.SeaBios;

/// <summary>src/romfile.c over the <see cref="IFwCfg"/> seam: romfile_find and romfile_loadint.</summary>
internal sealed class FwCfgReader(IFwCfg fwcfg)
{
    /// <summary>romfile_find: the file's contents, or null when fw_cfg does not have it.</summary>
    public ReadOnlyMemory<byte>? romfile_find(string name) =>
        fwcfg.TryGetFile(name, out var data) ? data : (ReadOnlyMemory<byte>?)null; // not "? data : null": that is an empty memory

    /// <summary>
    /// romfile_loadint: a little-endian integer of 1, 2, 4 or 8 bytes; <paramref name="defval"/> when the file is
    /// missing, empty, longer than 8 bytes or not a power-of-two size.
    /// </summary>
    public ulong romfile_loadint(string name, ulong defval)
    {
        if (romfile_find(name) is not { } file) return defval;
        var filesize = file.Length;
        if (filesize == 0 || filesize > sizeof(ulong) || (filesize & (filesize - 1)) != 0) return defval;
        Span<byte> val = stackalloc byte[sizeof(ulong)];
        val.Clear();
        file.Span.CopyTo(val);
        return BinaryPrimitives.ReadUInt64LittleEndian(val);
    }

    /// <summary>
    /// romfile_loadbool (rel-1.17.0): "1"/"on"/"yes" and "0"/"off"/"no"; anything else logs
    /// "romfile_loadbool: unknown bool string: %s" and gives <paramref name="defval"/>.
    /// </summary>
    public uint romfile_loadbool(string name, uint defval, DebugLog log)
    {
        if (romfile_find(name) is not { } file) return defval;
        var bytes = file.Span;
        var nul = bytes.IndexOf((byte)0);
        var str = System.Text.Encoding.Latin1.GetString(nul < 0 ? bytes : bytes[..nul]);
        if (str is "1" or "on" or "yes") return 1;
        if (str is "0" or "off" or "no") return 0;
        log.Dprintf(1, $"romfile_loadbool: unknown bool string: {str}");
        return defval;
    }
}
