using PciEmu.Core.Tracing;

namespace PciEmu.Core;

/// <summary>
/// The only way drivers (firmware, the OS enumerator, the CLI's setpci) reach config space. Each call issues the
/// CPU cycles a real CPU would for its mechanism.
/// </summary>
public interface IConfigAccessor
{
    AccessMechanism Mechanism { get; }

    /// <summary>The highest config offset + 1 this mechanism can address (256 for CF8/CFC, 4096 for ECAM).</summary>
    int AddressableSize { get; }

    byte Read8(Bdf bdf, int offset);
    ushort Read16(Bdf bdf, int offset);
    uint Read32(Bdf bdf, int offset);
    void Write8(Bdf bdf, int offset, byte value);
    void Write16(Bdf bdf, int offset, ushort value);
    void Write32(Bdf bdf, int offset, uint value);
}

public static class ConfigAccessorExtensions
{
    public static uint Read(this IConfigAccessor a, Bdf bdf, int offset, int width) => width switch
    {
        1 => a.Read8(bdf, offset),
        2 => a.Read16(bdf, offset),
        4 => a.Read32(bdf, offset),
        _ => throw new ArgumentOutOfRangeException(nameof(width), width, "width must be 1, 2 or 4"),
    };

    public static void Write(this IConfigAccessor a, Bdf bdf, int offset, int width, uint value)
    {
        switch (width)
        {
            case 1: a.Write8(bdf, offset, (byte)value); break;
            case 2: a.Write16(bdf, offset, (ushort)value); break;
            case 4: a.Write32(bdf, offset, value); break;
            default: throw new ArgumentOutOfRangeException(nameof(width), width, "width must be 1, 2 or 4");
        }
    }
}
