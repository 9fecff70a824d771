using PciEmu.Core.Tracing;

namespace PciEmu.Fabric;

/// <summary>
/// CONFIG_ADDRESS (0xCF8) and CONFIG_DATA (0xCFC-0xCFF) as QEMU 7.2's hw/pci/pci_host.c decodes them.
/// </summary>
public sealed class Cf8CfcHost(PciConfigDecoder decoder) : IPortHandler
{
    public const ushort AddressPort = 0xcf8;
    public const ushort DataPort = 0xcfc;
    public const int PortCount = 8;
    public const uint EnableBit = 1u << 31;
    private const int BusShift = 16;
    private const int DevFnShift = 8;
    private const uint ByteMask = 0xff;
    private const int ConfigWidth = 4;
    private const int Cf8Limit = 256;

    /// <summary>The latched CONFIG_ADDRESS register (reset value 0).</summary>
    public uint ConfigAddress { get; private set; }

    public void Map(CpuBus cpu) => cpu.MapPort(AddressPort, PortCount, this);

    public uint Read(ushort port, int width)
    {
        if (port < DataPort)
        {
            // pci_host_config_read: the offset is ignored, so inb/inw at 0xCFA return the LOW bits (QEMU quirk).
            return ConfigAddress;
        }
        return DataRead(port, width);
    }

    public void Write(ushort port, int width, uint value)
    {
        if (port < DataPort)
        {
            // pci_host_config_write: only a dword write at 0xCF8 latches.
            if (port == AddressPort && width == ConfigWidth) ConfigAddress = value;
            return;
        }
        DataWrite(port, width, value);
    }

    /// <summary>pci_host_data_read / pci_data_read.</summary>
    private uint DataRead(ushort port, int width)
    {
        if ((ConfigAddress & EnableBit) == 0) return uint.MaxValue;
        var a = ConfigAddress | (uint)(port & 3);
        var cost = decoder.Cpu.PortCost * 2;
        return decoder.Read(AccessMechanism.Cf8Cfc, (int)((a >> BusShift) & ByteMask), (int)((a >> DevFnShift) & ByteMask),
            (int)(a & ByteMask), width, Cf8Limit, cost);
    }

    /// <summary>The untraced fast path of a CONFIG_DATA read (<see cref="PciConfigDecoder.TryReadUntraced"/>); false when disabled.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal bool TryReadDataUntraced(ushort port, int width, out uint value)
    {
        var a = ConfigAddress | (uint)(port & 3);
        if ((a & EnableBit) == 0)
        {
            value = 0;
            return false;
        }
        return decoder.TryReadUntraced(AccessMechanism.Cf8Cfc, port: true, (int)((a >> BusShift) & ByteMask), (int)((a >> DevFnShift) & ByteMask),
            (int)(a & ByteMask), width, Cf8Limit, decoder.Cpu.PortCost * 2, out value);
    }

    /// <summary>The untraced fast path of a CONFIG_ADDRESS write (pci_host_config_write: only a dword at 0xCF8 latches).</summary>
    internal void LatchUntraced(int width, uint value)
    {
        if (width == ConfigWidth) ConfigAddress = value;
    }

    /// <summary>pci_host_data_write / pci_data_write.</summary>
    private void DataWrite(ushort port, int width, uint value)
    {
        if ((ConfigAddress & EnableBit) == 0) return;
        var a = ConfigAddress | (uint)(port & 3);
        var cost = decoder.Cpu.PortCost * 2;
        decoder.Write(AccessMechanism.Cf8Cfc, (int)((a >> BusShift) & ByteMask), (int)((a >> DevFnShift) & ByteMask),
            (int)(a & ByteMask), width, value, Cf8Limit, cost);
    }
}

/// <summary>
/// The reset control register at 0xCF9 (PIIX3 RCR / ICH9 RST_CNT): a one-byte region above CONFIG_ADDRESS.
/// Writes keep <see cref="KeptBits"/>; bit 2 requests a system reset.
/// </summary>
public sealed class ResetControlRegister(byte keptBits) : IPortHandler
{
    public const ushort Port = 0xcf9;
    public const byte ResetCpu = 0x04;

    public byte KeptBits { get; } = keptBits;
    public byte Value { get; private set; }
    public int ResetRequests { get; private set; }

    public event Action? ResetRequested;

    public void Map(CpuBus cpu) => cpu.MapPort(Port, 1, this, priority: 1);

    public uint Read(ushort port, int width) => Value;

    public void Write(ushort port, int width, uint value)
    {
        if ((value & ResetCpu) != 0)
        {
            ResetRequests++;
            ResetRequested?.Invoke();
        }
        Value = (byte)(value & KeptBits);
    }
}
