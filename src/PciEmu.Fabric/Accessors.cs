using PciEmu.Core;
using PciEmu.Core.Tracing;

namespace PciEmu.Fabric;

/// <summary>Config access the way x86 software does it through ports: OUT 0xCF8 then IN/OUT 0xCFC + (reg &amp; 3).</summary>
public sealed class Cf8CfcAccessor(CpuBus cpu) : IConfigAccessor
{
    private const uint EnableBit = 1u << 31;
    private const int ExtendedRegisterShift = 16;
    private const int ExtendedRegisterMask = 0xf00;

    public AccessMechanism Mechanism => AccessMechanism.Cf8Cfc;
    public int AddressableSize => ConfigSpace.ConventionalSize;

    /// <summary>CONFIG_ADDRESS for (bdf, offset); offset bits 11:8 go to bits 27:24 (AMD style), which QEMU ignores.</summary>
    public static uint Address(Bdf bdf, int offset) =>
        EnableBit | ((uint)bdf.Bus << 16) | ((uint)bdf.DevFn << 8) | ((uint)offset & 0xfc)
        | (((uint)offset & ExtendedRegisterMask) << ExtendedRegisterShift);

    private ushort Latch(Bdf bdf, int offset)
    {
        cpu.Out(Cf8CfcHost.AddressPort, 4, Address(bdf, offset));
        return (ushort)(Cf8CfcHost.DataPort + (offset & 3));
    }

    public byte Read8(Bdf bdf, int offset) => (byte)cpu.In(Latch(bdf, offset), 1);
    public ushort Read16(Bdf bdf, int offset) => (ushort)cpu.In(Latch(bdf, offset), 2);
    public uint Read32(Bdf bdf, int offset) => cpu.In(Latch(bdf, offset), 4);
    public void Write8(Bdf bdf, int offset, byte value) => cpu.Out(Latch(bdf, offset), 1, value);
    public void Write16(Bdf bdf, int offset, ushort value) => cpu.Out(Latch(bdf, offset), 2, value);
    public void Write32(Bdf bdf, int offset, uint value) => cpu.Out(Latch(bdf, offset), 4, value);
}

/// <summary>Config access through the ECAM window at <paramref name="base"/>: one MMIO cycle per access.</summary>
public sealed class EcamAccessor(CpuBus cpu, ulong @base) : IConfigAccessor
{
    public ulong Base { get; } = @base;
    public AccessMechanism Mechanism => AccessMechanism.Ecam;
    public int AddressableSize => ConfigSpace.ExpressSize;

    public byte Read8(Bdf bdf, int offset) => (byte)cpu.MmioRead(EcamHost.AddressOf(Base, bdf, offset), 1);
    public ushort Read16(Bdf bdf, int offset) => (ushort)cpu.MmioRead(EcamHost.AddressOf(Base, bdf, offset), 2);
    public uint Read32(Bdf bdf, int offset) => (uint)cpu.MmioRead(EcamHost.AddressOf(Base, bdf, offset), 4);
    public void Write8(Bdf bdf, int offset, byte value) => cpu.MmioWrite(EcamHost.AddressOf(Base, bdf, offset), 1, value);
    public void Write16(Bdf bdf, int offset, ushort value) => cpu.MmioWrite(EcamHost.AddressOf(Base, bdf, offset), 2, value);
    public void Write32(Bdf bdf, int offset, uint value) => cpu.MmioWrite(EcamHost.AddressOf(Base, bdf, offset), 4, value);
}
