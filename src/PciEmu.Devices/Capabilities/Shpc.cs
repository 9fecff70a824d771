using System.Buffers.Binary;
using PciEmu.Core;

namespace PciEmu.Devices.Capabilities;

/// <summary>
/// The SHPC standard hot-plug controller of pci-bridge and pcie-pci-bridge (hw/pci/shpc.c): its register file
/// (BAR0 MMIO) with write/W1C masks and reset values, and the config-space capability whose DWORD select/data
/// pair is a window onto it. Commands and hot-plug events live in ShpcController.Hotplug.cs.
/// </summary>
public sealed partial class ShpcController
{
    public const int CapSize = 8;
    public const int CapDwordSelect = 2;
    public const int CapCspMig = 3;
    public const int CapDwordData = 4;

    public const int MaxSlots = 31;
    public const int SlotsAvailable33 = 0x04;
    public const int SlotsAvailable66 = 0x08;
    public const int NumberOfSlots = 0x0c;
    public const int FirstDevice = 0x0d;
    public const int PhysicalSlot = 0x0e;
    public const int SecondaryBusConfig = 0x10;
    public const int MsiControl = 0x12;
    public const int ProgrammingInterface = 0x13;
    public const int CommandCode = 0x14;
    public const int CommandTarget = 0x15;
    public const int CommandStatus = 0x16;
    public const int SerrInt = 0x20;
    public const int SlotRegBase = 0x24;
    public const int SlotRegStride = 4;
    public const int SlotEventLatch = 2;
    public const int SlotSerrIntMask = 3;

    public const byte ProgIf10 = 0x01;
    public const ushort PhysicalSlotDefault = 0xe001;
    public const uint SerrIntAllDisabled = 0x0000000f;
    public const uint SerrIntDetectedW1c = 0x00030000;
    public const byte CommandTargetMask = 0x1f;
    public const byte SlotEventMask = 0x7f;
    public const byte SlotEventLatchW1c = 0x1f;
    public const ushort SlotStatusOccupied = 0x0006;
    public const ushort SlotStatusEmpty = 0x0d0f;

    /// <summary>SHPC_SIZEOF for 31 slots; the BAR is the next power of two (256).</summary>
    public const int RegisterFileSize = SlotRegBase + SlotRegStride * MaxSlots;
    public const ulong BarSize = 256;

    private readonly byte[] _regs = new byte[RegisterFileSize];
    private readonly byte[] _wmask = new byte[RegisterFileSize];
    private readonly byte[] _w1cmask = new byte[RegisterFileSize];

    public int CapOffset { get; private set; }

    public static int SlotRegister(int slot) => SlotRegBase + SlotRegStride * slot;

    /// <summary>shpc_init + shpc_cap_add_config: registers the capability and fills the register file.</summary>
    public int AddTo(ConfigSpaceBuilder b, int offset)
    {
        CapOffset = b.Capabilities.Add(CapabilityId.Shpc, offset, CapSize);
        b.Rw(CapOffset + CapDwordSelect, 1, 0xff);
        b.Rw(CapOffset + CapDwordData, 4, uint.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(_regs.AsSpan(SlotsAvailable33), MaxSlots);
        _regs[NumberOfSlots] = MaxSlots;
        _regs[FirstDevice] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(_regs.AsSpan(PhysicalSlot), PhysicalSlotDefault);
        BinaryPrimitives.WriteUInt32LittleEndian(_wmask.AsSpan(SerrInt), SerrIntAllDisabled);
        BinaryPrimitives.WriteUInt32LittleEndian(_w1cmask.AsSpan(SerrInt), SerrIntDetectedW1c);
        _wmask[CommandCode] = 0xff;
        _wmask[CommandTarget] = CommandTargetMask;
        for (var i = 0; i < MaxSlots; i++)
        {
            _wmask[SlotRegister(i) + SlotSerrIntMask] = SlotEventMask;
            _w1cmask[SlotRegister(i) + SlotEventLatch] = SlotEventLatchW1c;
        }
        return CapOffset;
    }

    /// <summary>shpc_reset; <paramref name="occupied"/> tells which PCI slots (1..31) hold a device.</summary>
    public void Reset(ConfigSpace c, Func<int, bool> occupied)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_regs.AsSpan(SecondaryBusConfig), 0);
        _regs[MsiControl] = 0;
        _regs[ProgrammingInterface] = ProgIf10;
        _regs[CommandCode] = 0;
        _regs[CommandTarget] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(_regs.AsSpan(CommandStatus), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(_regs.AsSpan(SerrInt), SerrIntAllDisabled);
        for (var i = 0; i < MaxSlots; i++)
        {
            var r = SlotRegister(i);
            _regs[r + SlotSerrIntMask] = SlotEventMask;
            _regs[r + SlotEventLatch] = 0;
            BinaryPrimitives.WriteUInt16LittleEndian(_regs.AsSpan(r), occupied(i + 1) ? SlotStatusOccupied : SlotStatusEmpty);
        }
        _msiRequested = false;
        InterruptUpdate();
        UpdateDword(c);
    }

    /// <summary>An MMIO read of the register file (shpc_mmio_read); beyond the file reads 0.</summary>
    public uint ReadRegister(int addr, int width)
    {
        uint v = 0;
        for (var i = 0; i < width && addr + i < RegisterFileSize; i++) v |= (uint)_regs[addr + i] << (8 * i);
        return v;
    }

    /// <summary>An MMIO write (shpc_write): masked byte-wise update, a command if 0x14-0x15 was written, then
    /// the interrupt state; beyond the file ignored.</summary>
    public void WriteRegister(int addr, int width, uint value)
    {
        if (addr >= RegisterFileSize) return;
        width = Math.Min(width, RegisterFileSize - addr);
        for (var i = 0; i < width; i++)
        {
            var o = addr + i;
            var v = (byte)(value >> (8 * i));
            _regs[o] = (byte)(((_regs[o] & ~_wmask[o]) | (v & _wmask[o])) & ~(v & _w1cmask[o]));
        }
        if (addr < CommandCode + 2 && CommandCode < addr + width) Command();
        InterruptUpdate();
    }

    /// <summary>shpc_cap_write_config: a write to the data dword goes to the register selected; then refresh.</summary>
    public void OnConfigWritten(ConfigSpace c, in ConfigWrite w)
    {
        if (!w.Overlaps(CapOffset + CapDwordSelect, CapSize - CapDwordSelect)) return;
        if (w.Overlaps(CapOffset + CapDwordData, 4))
        {
            var select = c.GetByte(CapOffset + CapDwordSelect);
            WriteRegister(select * 4, 4, c.GetLong(CapOffset + CapDwordData));
        }
        UpdateDword(c);
    }

    /// <summary>shpc_cap_update_dword.</summary>
    private void UpdateDword(ConfigSpace c)
    {
        var select = c.GetByte(CapOffset + CapDwordSelect);
        c.SetLong(CapOffset + CapDwordData, ReadRegister(select * 4, 4));
    }
}
