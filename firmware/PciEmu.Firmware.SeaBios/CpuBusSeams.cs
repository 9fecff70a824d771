using PciEmu.Fabric;

namespace PciEmu.Firmware.SeaBios;

/// <summary>The CPU bus as the port's port-I/O seam (pci_probe_host, ELCR).</summary>
public sealed class CpuBusPortIo(CpuBus cpu) : IPortIo
{
    public uint In(ushort port, int width) => cpu.In(port, width);
    public void Out(ushort port, int width, uint value) => cpu.Out(port, width, value);
}

/// <summary>The CPU bus's phase tracker as the port's phase seam.</summary>
public sealed class CpuBusPhaseSink(CpuBus cpu) : IPhaseSink
{
    public IDisposable Begin(string name) => cpu.BeginPhase(name);
}
