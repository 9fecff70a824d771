using PciEmu.Core;

namespace PciEmu.Firmware.Edk2.Tests;

/// <summary>The port keeps EDK2's own layout names (QemuPciBridgeCapabilities.h, PciExpress21.h); they must equal the core's.</summary>
public class CoreRegisterTests
{
    [Fact]
    public void ReservationCapabilityLayout_EqualsTheCore()
    {
        Assert.Equal(ResourceReserveCap.Length, PciHotPlugInit.CapLengthOffset);
        Assert.Equal(ResourceReserveCap.Type, PciHotPlugInit.CapTypeOffset);
        Assert.Equal(ResourceReserveCap.Size, PciHotPlugInit.ReservationCapLength);
        Assert.Equal(ResourceReserveCap.TypeResourceReserve, PciHotPlugInit.ReservationCapType);
        Assert.Equal(ResourceReserveCap.BusRes, PciHotPlugInit.BusNumbersOffset);
        Assert.Equal(ResourceReserveCap.Io, PciHotPlugInit.IoOffset);
        Assert.Equal(ResourceReserveCap.Mem, PciHotPlugInit.NonPref32Offset);
        Assert.Equal(ResourceReserveCap.Pref32, PciHotPlugInit.Pref32Offset);
        Assert.Equal(ResourceReserveCap.Pref64, PciHotPlugInit.Pref64Offset);
    }

    [Fact]
    public void ExpressSlotDefinitions_EqualTheCore()
    {
        Assert.Equal(PcieCap.Flags, PciHotPlugInit.PcieFlagsOffset);
        Assert.Equal(PcieCap.SltCap, PciHotPlugInit.PcieSlotCapOffset);
        Assert.Equal(PcieCap.FlagsSlot, PciHotPlugInit.PcieFlagsSlotImplemented);
        Assert.Equal(PcieCap.SltCapHpc, PciHotPlugInit.SlotCapHotPlugCapable);
    }
}
