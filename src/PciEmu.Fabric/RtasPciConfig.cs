using PciEmu.Core;
using PciEmu.Core.Tracing;

namespace PciEmu.Fabric;

/// <summary>PAPR RTAS return codes of the config calls (hw/ppc/spapr_rtas.c: RTAS_OUT_SUCCESS, RTAS_OUT_HW_ERROR).</summary>
public enum RtasStatus
{
    Success = 0,
    HardwareError = -1,
}

/// <summary>
/// The host side of one sPAPR PHB's RTAS config calls (hw/ppc/spapr_pci.c): <c>read-pci-config</c> /
/// <c>ibm,read-pci-config</c> and their write forms. The config address word is bus&lt;&lt;16 | devfn&lt;&lt;8 | reg
/// with the extended register bits 11:8 in bits 31:28 (rtas_pci_cfgaddr). There is no CF8/CFC and no ECAM on the
/// PHB; every access is one firmware call.
/// </summary>
public sealed class RtasPciConfig(PciConfigDecoder decoder, ulong buid)
{
    private const int BusShift = 16;
    private const int DevFnShift = 8;
    private const uint ByteMask = 0xff;
    private const int ExtendedShift = 20;
    private const uint ExtendedMask = 0xf00;

    /// <summary>The PHB's BUID (the <c>reg</c> of its device-tree node).</summary>
    public ulong Buid { get; } = buid;

    public PciConfigDecoder Decoder { get; } = decoder;

    /// <summary>The config address word of (bdf, register) as the guest passes it.</summary>
    public static uint ConfigAddress(Bdf bdf, int offset) =>
        ((uint)bdf.Bus << BusShift) | ((uint)bdf.DevFn << DevFnShift) | ((uint)offset & ByteMask)
        | (((uint)offset & ExtendedMask) << ExtendedShift);

    /// <summary>rtas_pci_cfgaddr: the register number from the address word.</summary>
    public static int Register(uint addr) => (int)(((addr >> ExtendedShift) & ExtendedMask) | (addr & ByteMask));

    private static bool ValidSize(int size) => size is 1 or 2 or 4;

    /// <summary>finish_read_pci_config: size 1/2/4, naturally aligned, else a hardware error; the decoder routes and limits.</summary>
    public RtasStatus Read(uint addr, int size, out uint value)
    {
        Decoder.Cpu.BeginFirmwareCall();
        var reg = Register(addr);
        if (!ValidSize(size) || reg % size != 0)
        {
            value = 0;
            return RtasStatus.HardwareError;
        }
        value = Decoder.Read(AccessMechanism.Rtas, (int)((addr >> BusShift) & ByteMask), (int)((addr >> DevFnShift) & ByteMask),
            reg, size, ConfigSpace.ExpressSize, 0);
        return RtasStatus.Success;
    }

    /// <summary>finish_write_pci_config: the same checks, then pci_host_config_write_common.</summary>
    public RtasStatus Write(uint addr, int size, uint value)
    {
        Decoder.Cpu.BeginFirmwareCall();
        var reg = Register(addr);
        if (!ValidSize(size) || reg % size != 0) return RtasStatus.HardwareError;
        Decoder.Write(AccessMechanism.Rtas, (int)((addr >> BusShift) & ByteMask), (int)((addr >> DevFnShift) & ByteMask),
            reg, size, value, ConfigSpace.ExpressSize, 0);
        return RtasStatus.Success;
    }
}

/// <summary>Config access through RTAS calls to one PHB (the guest's rtas-config-l@ and friends).</summary>
public sealed class RtasConfigAccessor(RtasPciConfig phb) : IConfigAccessor
{
    public RtasPciConfig Phb { get; } = phb;
    public AccessMechanism Mechanism => AccessMechanism.Rtas;
    public int AddressableSize => ConfigSpace.ExpressSize;

    private uint Read(Bdf bdf, int offset, int size)
    {
        // A failed call leaves the return buffer unset; callers see all ones, as for an absent function.
        return Phb.Read(RtasPciConfig.ConfigAddress(bdf, offset), size, out var v) == RtasStatus.Success ? v : uint.MaxValue;
    }

    public byte Read8(Bdf bdf, int offset) => (byte)Read(bdf, offset, 1);
    public ushort Read16(Bdf bdf, int offset) => (ushort)Read(bdf, offset, 2);
    public uint Read32(Bdf bdf, int offset) => Read(bdf, offset, 4);
    public void Write8(Bdf bdf, int offset, byte value) => Phb.Write(RtasPciConfig.ConfigAddress(bdf, offset), 1, value);
    public void Write16(Bdf bdf, int offset, ushort value) => Phb.Write(RtasPciConfig.ConfigAddress(bdf, offset), 2, value);
    public void Write32(Bdf bdf, int offset, uint value) => Phb.Write(RtasPciConfig.ConfigAddress(bdf, offset), 4, value);
}
