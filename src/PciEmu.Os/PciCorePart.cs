using PciEmu.Core;
using PciEmu.Os.Model;

namespace PciEmu.Os;

/// <summary>
/// One part of the PCI core, ported from one Linux file: it holds the <see cref="PciCore"/> and reaches the shared
/// state (accessor, options, platform facts, log) and the other parts through it.
/// </summary>
internal abstract class PciCorePart(PciCore core)
{
    protected PciCore Core { get; } = core;
    protected IConfigAccessor Cfg => Core.Cfg;
    protected KernelOptions Options => Core.Options;
    protected PlatformFacts Facts => Core.Facts;
    protected KernelLog Log => Core.Log;
    protected bool Is612 => Core.Is612;

    protected byte Read8(PciDev d, int off) => Core.Read8(d, off);
    protected ushort Read16(PciDev d, int off) => Core.Read16(d, off);
    protected uint Read32(PciDev d, int off) => Core.Read32(d, off);
    protected void Write8(PciDev d, int off, byte v) => Core.Write8(d, off, v);
    protected void Write16(PciDev d, int off, ushort v) => Core.Write16(d, off, v);
    protected void Write32(PciDev d, int off, uint v) => Core.Write32(d, off, v);
    protected int FindCapability(PciDev d, byte id) => Core.FindCapability(d, id);
    protected int FindExtCapability(PciDev d, ushort id) => Core.FindExtCapability(d, id);
}
