using PciEmu.Core;
using static PciEmu.Firmware.SeaBios.SeaBiosDefs;

namespace PciEmu.Firmware.SeaBios.Tests;

/// <summary>The port keeps SeaBIOS's verbatim pci_regs.h / dev-pci.h names; they must equal the core's one vocabulary.</summary>
public class CoreRegisterTests
{
    [Fact]
    public void ExpressCapabilityDefinitions_EqualTheCore()
    {
        Assert.Equal(CapabilityId.Express, PCI_CAP_ID_EXP);
        Assert.Equal(CapabilityId.Shpc, PCI_CAP_ID_SHPC);
        Assert.Equal(CapabilityId.Vendor, PCI_CAP_ID_VNDR);
        Assert.Equal(PcieCap.Flags, PCI_EXP_FLAGS);
        Assert.Equal(PcieCap.FlagsTypeMask, PCI_EXP_FLAGS_TYPE);
        Assert.Equal(PcieCap.FlagsTypeShift, PCI_EXP_FLAGS_TYPE_SHIFT);
        Assert.Equal(PcieCap.FlagsSlot, PCI_EXP_FLAGS_SLOT);
        Assert.Equal((byte)PcieType.RootPort, PCI_EXP_TYPE_ROOT_PORT);
        Assert.Equal((byte)PcieType.DownstreamPort, PCI_EXP_TYPE_DOWNSTREAM);
        Assert.Equal((byte)PcieType.PcieToPciBridge, PCI_EXP_TYPE_PCI_BRIDGE);
    }

    [Fact]
    public void ResourceReserveDefinitions_EqualTheCore()
    {
        Assert.Equal(ResourceReserveCap.Type, PCI_CAP_REDHAT_TYPE_OFFSET);
        Assert.Equal(ResourceReserveCap.TypeResourceReserve, REDHAT_CAP_RESOURCE_RESERVE);
        Assert.Equal(ResourceReserveCap.BusRes, RES_RESERVE_BUS_RES);
        Assert.Equal(ResourceReserveCap.Io, RES_RESERVE_IO);
        Assert.Equal(ResourceReserveCap.Mem, RES_RESERVE_MEM);
        Assert.Equal(ResourceReserveCap.Pref32, RES_RESERVE_PREF_MEM_32);
        Assert.Equal(ResourceReserveCap.Pref64, RES_RESERVE_PREF_MEM_64);
        Assert.Equal(ResourceReserveCap.Size, RES_RESERVE_CAP_SIZE);
    }
}
