namespace PciEmu.Scenarios.Setpci;

/// <summary>Where a setpci name lives: the header (with a header-type mask) or a capability.</summary>
public enum SetpciCapType : byte
{
    None = 0,
    Normal = 1,
    Extended = 2,
}

/// <summary>One row of setpci's pci_reg_names[] table.</summary>
public readonly record struct SetpciRegisterName(SetpciCapType CapType, ushort CapId, int Offset, int Width, int HeaderTypeMask, string Name);

/// <summary>setpci.c's pci_reg_names[]: the register vocabulary of the CLI, scenarios and traces.</summary>
public static class SetpciRegisterNames
{
    private const int Normal = 0x1;
    private const int Bridge = 0x2;
    private const int CardBus = 0x4;
    private const int Any = 0x0;

    private static SetpciRegisterName H(int offset, int width, int mask, string name) => new(SetpciCapType.None, 0, offset, width, mask, name);
    private static SetpciRegisterName C(int id, string name) => new(SetpciCapType.Normal, (ushort)id, 0, 0, Any, name);
    private static SetpciRegisterName E(int id, string name) => new(SetpciCapType.Extended, (ushort)id, 0, 0, Any, name);

    public static readonly IReadOnlyList<SetpciRegisterName> All =
    [
        H(0x00, 2, Any, "VENDOR_ID"), H(0x02, 2, Any, "DEVICE_ID"), H(0x04, 2, Any, "COMMAND"), H(0x06, 2, Any, "STATUS"),
        H(0x08, 1, Any, "REVISION"), H(0x09, 1, Any, "CLASS_PROG"), H(0x0a, 2, Any, "CLASS_DEVICE"),
        H(0x0c, 1, Any, "CACHE_LINE_SIZE"), H(0x0d, 1, Any, "LATENCY_TIMER"), H(0x0e, 1, Any, "HEADER_TYPE"), H(0x0f, 1, Any, "BIST"),
        H(0x10, 4, Normal | Bridge, "BASE_ADDRESS_0"), H(0x14, 4, Normal | Bridge, "BASE_ADDRESS_1"),
        H(0x18, 4, Normal, "BASE_ADDRESS_2"), H(0x1c, 4, Normal, "BASE_ADDRESS_3"), H(0x20, 4, Normal, "BASE_ADDRESS_4"),
        H(0x24, 4, Normal, "BASE_ADDRESS_5"), H(0x28, 4, Normal, "CARDBUS_CIS"), H(0x2c, 2, Normal, "SUBSYSTEM_VENDOR_ID"),
        H(0x2e, 2, Normal, "SUBSYSTEM_ID"), H(0x30, 4, Normal, "ROM_ADDRESS"), H(0x34, 1, Normal | Bridge, "CAPABILITIES"),
        H(0x3c, 1, Normal | Bridge, "INTERRUPT_LINE"), H(0x3d, 1, Normal | Bridge, "INTERRUPT_PIN"),
        H(0x3e, 1, Normal, "MIN_GNT"), H(0x3f, 1, Normal, "MAX_LAT"),
        H(0x18, 1, Bridge, "PRIMARY_BUS"), H(0x19, 1, Bridge, "SECONDARY_BUS"), H(0x1a, 1, Bridge, "SUBORDINATE_BUS"),
        H(0x1b, 1, Bridge, "SEC_LATENCY_TIMER"), H(0x1c, 1, Bridge, "IO_BASE"), H(0x1d, 1, Bridge, "IO_LIMIT"),
        H(0x1e, 2, Bridge, "SEC_STATUS"), H(0x20, 2, Bridge, "MEMORY_BASE"), H(0x22, 2, Bridge, "MEMORY_LIMIT"),
        H(0x24, 2, Bridge, "PREF_MEMORY_BASE"), H(0x26, 2, Bridge, "PREF_MEMORY_LIMIT"), H(0x28, 4, Bridge, "PREF_BASE_UPPER32"),
        H(0x2c, 4, Bridge, "PREF_LIMIT_UPPER32"), H(0x30, 2, Bridge, "IO_BASE_UPPER16"), H(0x32, 2, Bridge, "IO_LIMIT_UPPER16"),
        H(0x38, 4, Bridge, "BRIDGE_ROM_ADDRESS"), H(0x3e, 2, Bridge, "BRIDGE_CONTROL"),
        H(0x10, 4, CardBus, "CB_CARDBUS_BASE"), H(0x14, 2, CardBus, "CB_CAPABILITIES"), H(0x16, 2, CardBus, "CB_SEC_STATUS"),
        H(0x18, 1, CardBus, "CB_BUS_NUMBER"), H(0x19, 1, CardBus, "CB_CARDBUS_NUMBER"), H(0x1a, 1, CardBus, "CB_SUBORDINATE_BUS"),
        H(0x1b, 1, CardBus, "CB_CARDBUS_LATENCY"), H(0x1c, 4, CardBus, "CB_MEMORY_BASE_0"), H(0x20, 4, CardBus, "CB_MEMORY_LIMIT_0"),
        H(0x24, 4, CardBus, "CB_MEMORY_BASE_1"), H(0x28, 4, CardBus, "CB_MEMORY_LIMIT_1"), H(0x2c, 2, CardBus, "CB_IO_BASE_0"),
        H(0x2e, 2, CardBus, "CB_IO_BASE_0_HI"), H(0x30, 2, CardBus, "CB_IO_LIMIT_0"), H(0x32, 2, CardBus, "CB_IO_LIMIT_0_HI"),
        H(0x34, 2, CardBus, "CB_IO_BASE_1"), H(0x36, 2, CardBus, "CB_IO_BASE_1_HI"), H(0x38, 2, CardBus, "CB_IO_LIMIT_1"),
        H(0x3a, 2, CardBus, "CB_IO_LIMIT_1_HI"), H(0x40, 2, CardBus, "CB_SUBSYSTEM_VENDOR_ID"), H(0x42, 2, CardBus, "CB_SUBSYSTEM_ID"),
        H(0x44, 4, CardBus, "CB_LEGACY_MODE_BASE"),
        C(0x01, "CAP_PM"), C(0x02, "CAP_AGP"), C(0x03, "CAP_VPD"), C(0x04, "CAP_SLOTID"), C(0x05, "CAP_MSI"), C(0x06, "CAP_CHSWP"),
        C(0x07, "CAP_PCIX"), C(0x08, "CAP_HT"), C(0x09, "CAP_VNDR"), C(0x0a, "CAP_DBG"), C(0x0b, "CAP_CCRC"), C(0x0c, "CAP_HOTPLUG"),
        C(0x0d, "CAP_SSVID"), C(0x0e, "CAP_AGP3"), C(0x0f, "CAP_SECURE"), C(0x10, "CAP_EXP"), C(0x11, "CAP_MSIX"), C(0x12, "CAP_SATA"),
        C(0x13, "CAP_AF"), C(0x14, "CAP_EA"),
        E(0x01, "ECAP_AER"), E(0x02, "ECAP_VC"), E(0x03, "ECAP_DSN"), E(0x04, "ECAP_PB"), E(0x05, "ECAP_RCLINK"), E(0x06, "ECAP_RCILINK"),
        E(0x07, "ECAP_RCEC"), E(0x08, "ECAP_MFVC"), E(0x09, "ECAP_VC2"), E(0x0a, "ECAP_RBCB"), E(0x0b, "ECAP_VNDR"), E(0x0d, "ECAP_ACS"),
        E(0x0e, "ECAP_ARI"), E(0x0f, "ECAP_ATS"), E(0x10, "ECAP_SRIOV"), E(0x11, "ECAP_MRIOV"), E(0x12, "ECAP_MCAST"), E(0x13, "ECAP_PRI"),
        E(0x15, "ECAP_REBAR"), E(0x16, "ECAP_DPA"), E(0x17, "ECAP_TPH"), E(0x18, "ECAP_LTR"), E(0x19, "ECAP_SECPCI"), E(0x1a, "ECAP_PMUX"),
        E(0x1b, "ECAP_PASID"), E(0x1c, "ECAP_LNR"), E(0x1d, "ECAP_DPC"), E(0x1e, "ECAP_L1PM"), E(0x1f, "ECAP_PTM"), E(0x20, "ECAP_M_PCIE"),
        E(0x21, "ECAP_FRS"), E(0x22, "ECAP_RTR"), E(0x23, "ECAP_DVSEC"), E(0x24, "ECAP_VF_REBAR"), E(0x25, "ECAP_DLNK"), E(0x26, "ECAP_16GT"),
        E(0x27, "ECAP_LMR"), E(0x28, "ECAP_HIER_ID"), E(0x29, "ECAP_NPEM"), E(0x2a, "ECAP_32GT"), E(0x30, "ECAP_IDE"), E(0x31, "ECAP_64GT"),
    ];

    /// <summary>parse_reg_name: case-insensitive, first match wins.</summary>
    public static SetpciRegisterName? Find(string name)
    {
        foreach (var r in All)
        {
            if (string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)) return r;
        }
        return null;
    }
}
