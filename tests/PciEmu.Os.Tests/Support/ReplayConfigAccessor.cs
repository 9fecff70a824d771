using System.Buffers.Binary;
using PciEmu.Core;
using PciEmu.Core.Tracing;

namespace PciEmu.Os.Tests.Support;

/// <summary>A function replayed from recorded config bytes plus the write masks QEMU gives its registers.</summary>
public sealed class ReplayFunction
{
    public ReplayFunction(byte[] data)
    {
        Data = new byte[ConfigSpace.ExpressSize];
        data.AsSpan(0, Math.Min(data.Length, Data.Length)).CopyTo(Data);
        WriteMask = new byte[ConfigSpace.ExpressSize];
        SetMask(CommonHeader.Command.Offset, 2, (uint)(CommandBits.Io | CommandBits.Memory | CommandBits.BusMaster | CommandBits.InterruptDisable | CommandBits.Serr));
        WriteMask[CommonHeader.InterruptLine.Offset] = 0xff;
        if (IsBridge)
        {
            SetMask(Type1Header.PrimaryBus.Offset, 4, 0x00ffffff);
            WriteMask[Type1Header.IoBase.Offset] = BarBits.IoRangeMask;
            WriteMask[Type1Header.IoLimit.Offset] = BarBits.IoRangeMask;
            SetMask(Type1Header.MemoryBase.Offset, 4, 0xfff0fff0);
            SetMask(Type1Header.PrefMemoryBase.Offset, 4, 0xfff0fff0);
            SetMask(Type1Header.PrefBaseUpper32.Offset, 4, uint.MaxValue);
            SetMask(Type1Header.PrefLimitUpper32.Offset, 4, uint.MaxValue);
            SetMask(Type1Header.BridgeControl.Offset, 2, 0x0fff);
        }
    }

    public byte[] Data { get; }
    public byte[] WriteMask { get; }
    public bool IsBridge => (Data[CommonHeader.HeaderType.Offset] & CommonHeader.HeaderTypeMask) == CommonHeader.HeaderTypeBridge;

    public void SetMask(int offset, int width, uint mask)
    {
        for (var i = 0; i < width; i++) WriteMask[offset + i] = (byte)(mask >> (8 * i));
    }

    /// <summary>Declares a BAR: its size makes the low address bits read-only.</summary>
    public void DeclareBar(int index, ulong size, bool io, bool mem64)
    {
        var off = Type0Header.Bar(index).Offset;
        if (io)
        {
            SetMask(off, 4, (uint)~(size - 1) & BarBits.IoAddressMask & 0xffff);
            return;
        }
        var mask = ~(size - 1);
        SetMask(off, 4, (uint)mask & BarBits.MemAddressMask);
        if (mem64) SetMask(off + 4, 4, (uint)(mask >> 32));
    }

    public void DeclareRom(ulong size)
    {
        var off = IsBridge ? Type1Header.RomAddress.Offset : Type0Header.RomAddress.Offset;
        SetMask(off, 4, ((uint)~(size - 1) & BarBits.RomAddressMask) | BarBits.RomEnable);
    }

    public uint Read(int offset, int width)
    {
        uint v = 0;
        for (var i = 0; i < width; i++) v |= (uint)Data[offset + i] << (8 * i);
        return v;
    }

    public void Write(int offset, int width, uint value)
    {
        if (ShpcCapability() is var cap && cap != 0 && offset == cap + ShpcDwordSelect)
        {
            // QEMU's shpc_cap_update_dword: the data dword shows the selected register (reset values of hw/pci/shpc.c).
            BinaryPrimitives.WriteUInt32LittleEndian(Data.AsSpan(cap + ShpcDwordData), ShpcResetRegister((byte)value));
            return;
        }
        for (var i = 0; i < width; i++)
        {
            var m = WriteMask[offset + i];
            Data[offset + i] = (byte)((Data[offset + i] & ~m) | ((byte)(value >> (8 * i)) & m));
        }
    }

    private const int ShpcDwordSelect = 2;
    private const int ShpcDwordData = 4;
    private const int CapabilityListStart = 0x34;
    private const int CapabilityTtl = 48;

    /// <summary>The SHPC capability offset (0 when absent), walked over the replayed bytes.</summary>
    private int ShpcCapability()
    {
        var pos = Data[CapabilityListStart] & 0xfc;
        for (var ttl = 0; pos >= 0x40 && ttl < CapabilityTtl; ttl++)
        {
            if (Data[pos] == CapabilityId.Shpc) return pos;
            pos = Data[pos + 1] & 0xfc;
        }
        return 0;
    }

    /// <summary>shpc_init + shpc_reset register values: 31 slots at 33 MHz, first device 1, PSN 1 counting up with MRL
    /// sensor and attention button, programming interface 1, interrupts masked, every slot empty with events masked.</summary>
    private static uint ShpcResetRegister(int index) => index switch
    {
        1 => 0x0000001f,
        3 => 0xe001011f,
        4 => 0x01000000,
        8 => 0x0000000f,
        >= 9 and < 9 + 31 => 0x7f000d0f,
        _ => 0,
    };

    public uint Dword(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(Data.AsSpan(offset));
}

/// <summary>A flat BDF → function accessor over replayed functions (bus numbers are the firmware's).</summary>
public sealed class ReplayConfigAccessor(int addressableSize) : IConfigAccessor
{
    private readonly Dictionary<Bdf, ReplayFunction> _functions = [];

    public AccessMechanism Mechanism => addressableSize > ConfigSpace.ConventionalSize ? AccessMechanism.Ecam : AccessMechanism.Cf8Cfc;
    public int AddressableSize => addressableSize;
    public long Reads { get; private set; }
    public long Writes { get; private set; }

    public void Add(Bdf bdf, ReplayFunction f) => _functions[bdf] = f;
    public ReplayFunction? this[Bdf bdf] => _functions.GetValueOrDefault(bdf);

    private uint Read(Bdf bdf, int offset, int width)
    {
        Reads++;
        if (offset >= addressableSize || !_functions.TryGetValue(bdf, out var f)) return width == 4 ? uint.MaxValue : (1u << (8 * width)) - 1;
        return f.Read(offset, width);
    }

    private void Write(Bdf bdf, int offset, int width, uint value)
    {
        Writes++;
        if (offset < addressableSize && _functions.TryGetValue(bdf, out var f)) f.Write(offset, width, value);
    }

    public byte Read8(Bdf bdf, int offset) => (byte)Read(bdf, offset, 1);
    public ushort Read16(Bdf bdf, int offset) => (ushort)Read(bdf, offset, 2);
    public uint Read32(Bdf bdf, int offset) => Read(bdf, offset, 4);
    public void Write8(Bdf bdf, int offset, byte value) => Write(bdf, offset, 1, value);
    public void Write16(Bdf bdf, int offset, ushort value) => Write(bdf, offset, 2, value);
    public void Write32(Bdf bdf, int offset, uint value) => Write(bdf, offset, 4, value);
}
