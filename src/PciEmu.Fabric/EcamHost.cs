using PciEmu.Core;
using PciEmu.Core.Tracing;

namespace PciEmu.Fabric;

/// <summary>
/// The ECAM (MMCONFIG) window of hw/pci/pcie_host.c: bus = A[27:20], devfn = A[19:12], register = A[11:0].
/// Mapped and moved by the platform (e.g. q35's PCIEXBAR).
/// </summary>
public sealed class EcamHost(PciConfigDecoder decoder) : IMmioHandler
{
    private const int BusShift = 20;
    private const int DevFnShift = 12;
    private const ulong ByteMask = 0xff;
    private const ulong RegisterMask = 0xfff;
    public const ulong BytesPerBus = 1UL << BusShift;

    public ulong Base { get; private set; }
    public ulong Size { get; private set; }
    public bool IsMapped { get; private set; }

    /// <summary>pcie_host_mmcfg_update: unmap, then map at <paramref name="base"/> with <paramref name="size"/> if enabled.</summary>
    public void Update(bool enable, ulong @base, ulong size)
    {
        var cpu = decoder.Cpu;
        if (IsMapped) cpu.UnmapMmio(this);
        IsMapped = false;
        Base = @base;
        Size = size;
        if (!enable) return;
        cpu.MapMmio(@base, size, this);
        IsMapped = true;
    }

    public ulong Read(ulong offset, int width)
    {
        if (width == 8)
        {
            // An 8-byte access is split into two 4-byte accesses, low first.
            var lo = Read(offset, 4);
            var hi = Read(offset + 4, 4);
            return lo | (hi << 32);
        }
        return decoder.Read(AccessMechanism.Ecam, (int)((offset >> BusShift) & ByteMask), (int)((offset >> DevFnShift) & ByteMask),
            (int)(offset & RegisterMask), width, ConfigSpace.ExpressSize, decoder.Cpu.MmioCost);
    }

    /// <summary>The untraced fast path of <see cref="Read"/> for widths up to 4 (<see cref="PciConfigDecoder.TryReadUntraced"/>).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal bool TryReadUntraced(ulong offset, int width, out uint value) =>
        decoder.TryReadUntraced(AccessMechanism.Ecam, port: false, (int)((offset >> BusShift) & ByteMask), (int)((offset >> DevFnShift) & ByteMask),
            (int)(offset & RegisterMask), width, ConfigSpace.ExpressSize, decoder.Cpu.MmioCost, out value);

    public void Write(ulong offset, int width, ulong value)
    {
        if (width == 8)
        {
            Write(offset, 4, value & uint.MaxValue);
            Write(offset + 4, 4, value >> 32);
            return;
        }
        decoder.Write(AccessMechanism.Ecam, (int)((offset >> BusShift) & ByteMask), (int)((offset >> DevFnShift) & ByteMask),
            (int)(offset & RegisterMask), width, (uint)value, ConfigSpace.ExpressSize, decoder.Cpu.MmioCost);
    }

    /// <summary>The MMIO address of (bdf, offset) inside a window at <paramref name="base"/>.</summary>
    public static ulong AddressOf(ulong @base, Bdf bdf, int offset) =>
        @base + ((ulong)bdf.Bus << BusShift) + ((ulong)bdf.DevFn << DevFnShift) + ((ulong)offset & RegisterMask);
}
