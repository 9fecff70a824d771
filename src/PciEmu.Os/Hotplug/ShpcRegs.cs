using System.Globalization;
using PciEmu.Core;
using PciEmu.Os.Hotplug;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;

namespace PciEmu.Os.Hotplug;

/// <summary>drivers/pci/hotplug/shpchp_hpc.c / shpchp.h: the SHPC working register set as the driver names it.</summary>
internal static class ShpcRegs
{
    /// <summary>PCI_CLASS_BRIDGE_PCI_NORMAL: shpcd_pci_tbl matches the class exactly (prog-if 0).</summary>
    public const uint PciClassBridgePciNormal = 0x060400;

    public const string ShpchpName = "shpchp";
    public const int ShpcDwordSelect = 0x2;
    public const int ShpcDwordData = 0x4;

    // Register indices of the SHPC working register set (dword granularity).
    public const int ShpcBaseOffsetIndex = 0;
    public const int ShpcSlotAvail1Index = 1;
    public const int ShpcSlotAvail2Index = 2;
    public const int ShpcSlotConfigIndex = 3;
    public const int ShpcSecBusConfigIndex = 4;
    public const int ShpcCmdIndex = 5;
    public const int ShpcIntrLocIndex = 6;
    public const int ShpcSerrIntrIndex = 8;
    public const int ShpcSlot1Index = 9;
    public const int ShpcRegisterDumpBase = 9;
    public const int ShpcProgInterfaceShift = 24;
    public const int ShpcCmdStatusShift = 16;

    /// <summary>mmio_size = 0x24 + 0x4 * num_slots.</summary>
    public const ulong ShpcMmioHeader = 0x24;
    public const ulong ShpcMmioPerSlot = 0x4;

    // Slot Configuration.
    public const uint SlotNumMask = 0x0000001f;
    public const uint FirstDevNumMask = 0x00001f00;
    public const int FirstDevNumShift = 8;
    public const uint PsnMask = 0x07ff0000;
    public const int PsnShift = 16;
    public const uint UpDown = 0x20000000;

    // Slot Available registers.
    public const uint Slot33Mhz = 0x0000001f;
    public const uint Slot66MhzPcix = 0x00001f00;
    public const uint Slot100MhzPcix = 0x001f0000;
    public const uint Slot133MhzPcix = 0x1f000000;
    public const uint Slot66Mhz = 0x0000001f;

    // Interrupt Locator / Controller SERR-INT.
    public const uint CmdIntrPending = 1 << 0;
    public const uint GlobalIntrMask = 1 << 0;
    public const uint GlobalSerrMask = 1 << 1;
    public const uint CommandIntrMask = 1 << 2;
    public const uint ArbiterSerrMask = 1 << 3;
    public const uint SerrIntrRsvdzMask = 0xfffc0000;

    // Logical Slot Register.
    public const uint SlotStateMask = 3 << 0;
    public const uint SlotStatePwrOnly = 1;
    public const uint SlotStateEnabled = 2;
    public const uint SlotStateDisabled = 3;
    public const uint AtnLedStateMask = 3 << 4;
    public const int AtnLedStateShift = 4;
    public const uint AtnLedOn = 1;
    public const uint AtnLedBlink = 2;
    public const uint AtnLedOff = 3;
    public const uint PowerFaultBit = 1 << 6;
    public const uint MrlSensor = 1 << 8;
    public const uint Mhz66Cap = 1 << 9;
    public const uint PrsntMask = 3 << 10;
    public const int PrsntShift = 10;
    public const uint PrsntEmpty = 3;
    public const uint PcixCapMaskPi1 = 3 << 12;
    public const uint PcixCapMaskPi2 = 7 << 12;
    public const int PcixCapShift = 12;
    public const uint PrsntChangeDetected = 1 << 16;
    public const uint IsoPfaultDetected = 1 << 17;
    public const uint ButtonPressDetected = 1 << 18;
    public const uint MrlChangeDetected = 1 << 19;
    public const uint ConPfaultDetected = 1 << 20;
    public const uint PrsntChangeIntrMask = 1 << 24;
    public const uint IsoPfaultIntrMask = 1 << 25;
    public const uint ButtonPressIntrMask = 1 << 26;
    public const uint MrlChangeIntrMask = 1 << 27;
    public const uint ConPfaultIntrMask = 1 << 28;
    public const uint MrlChangeSerrMask = 1 << 29;
    public const uint ConPfaultSerrMask = 1 << 30;
    public const uint SlotRegRsvdzMask = (1 << 15) | (7 << 21);
    public const uint SlotEventIntrMasks = PrsntChangeIntrMask | IsoPfaultIntrMask | ButtonPressIntrMask | MrlChangeIntrMask | ConPfaultIntrMask;

    // SHPC commands.
    public const byte SetSlotPwr = 0x01;
    public const byte SetSlotEnable = 0x02;
    public const byte SetSlotDisable = 0x03;
    public const byte SetPwrOn = 0x04;
    public const byte SetPwrBlink = 0x08;
    public const byte SetPwrOff = 0x0c;
    public const byte SetAttnOn = 0x10;
    public const byte SetAttnBlink = 0x20;
    public const byte SetAttnOff = 0x30;
    public const byte SetaPci33Mhz = 0x40;
    public const byte SetaPci66Mhz = 0x41;
    public const byte SetaPcix66Mhz = 0x42;
    public const byte SetaPcix100Mhz = 0x43;
    public const byte SetaPcix133Mhz = 0x44;
    public const ushort CmdBusy = 0x1;
    public const int SwitchOpenStatus = 1;
    public const int InvalidCmdStatus = 2;
    public const int InvalidSpeedModeStatus = 4;
    public const int CmdStatusMask = 0x000f;
    public const int TargetShift = 8;

    // enum pci_bus_speed values shpchp uses.
    public const int PciSpeed33Mhz = 0x00;
    public const int PciSpeed66Mhz = 0x01;
    public const int PciSpeed66MhzPcix = 0x02;
    public const int PciSpeed100MhzPcix = 0x03;
    public const int PciSpeed133MhzPcix = 0x04;
    public const int PciSpeedUnknown = 0xff;
    public const int ProgIf1 = 1;
    public const int ProgIf2 = 2;
    public const int MaxPi1SpeedMode = 4;
    public const uint SpeedModeMaskPi1 = 0x7;

    public const int ENoDev = 19;
    public const int EIo = 5;
}
