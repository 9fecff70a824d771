using NSubstitute;
using PciEmu.Core;

namespace PciEmu.Firmware.SeaBios.Tests.Support;

public static class ForwardingAccessor
{
    /// <summary>An NSubstitute accessor that forwards every access to <paramref name="real"/> and records it.</summary>
    public static IConfigAccessor Create(IConfigAccessor real)
    {
        var a = Substitute.For<IConfigAccessor>();
        a.Mechanism.Returns(real.Mechanism);
        a.AddressableSize.Returns(real.AddressableSize);
        a.Read8(Arg.Any<Bdf>(), Arg.Any<int>()).Returns(ci => real.Read8((Bdf)ci[0], (int)ci[1]));
        a.Read16(Arg.Any<Bdf>(), Arg.Any<int>()).Returns(ci => real.Read16((Bdf)ci[0], (int)ci[1]));
        a.Read32(Arg.Any<Bdf>(), Arg.Any<int>()).Returns(ci => real.Read32((Bdf)ci[0], (int)ci[1]));
        a.WhenForAnyArgs(x => x.Write8(default, default, default)).Do(ci => real.Write8((Bdf)ci[0], (int)ci[1], (byte)ci[2]));
        a.WhenForAnyArgs(x => x.Write16(default, default, default)).Do(ci => real.Write16((Bdf)ci[0], (int)ci[1], (ushort)ci[2]));
        a.WhenForAnyArgs(x => x.Write32(default, default, default)).Do(ci => real.Write32((Bdf)ci[0], (int)ci[1], (uint)ci[2]));
        return a;
    }
}
