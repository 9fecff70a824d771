using System.Buffers.Binary;

namespace PciEmu.Devices.Capabilities;

/// <summary>SHPC commands, slot state and hot-plug events (hw/pci/shpc.c).</summary>
public sealed partial class ShpcController
{
    public const int InterruptLocator = 0x18;
    public const ushort SlotStateMask = 0x0003;
    public const ushort PowerLedMask = 0x000c;
    public const ushort AttentionLedMask = 0x0030;
    public const ushort SlotMrlOpen = 0x0100;
    public const ushort Slot66 = 0x0200;
    public const ushort SlotPresenceMask = 0x0c00;
    public const byte StateNoChange = 0;
    public const byte StatePowerOnly = 1;
    public const byte StateEnabled = 2;
    public const byte StateDisabled = 3;
    public const byte LedNoChange = 0;
    public const byte LedOn = 1;
    public const byte LedBlink = 2;
    public const byte LedOff = 3;
    public const byte PresenceEmpty = 3;
    public const byte Presence7_5W = 0;
    public const byte EventPresence = 0x01;
    public const byte EventButton = 0x04;
    public const byte EventMrl = 0x08;
    public const ushort CmdStatusBusy = 0x1;
    public const ushort CmdStatusMrlOpen = 0x2;
    public const ushort CmdStatusInvalidCommand = 0x4;
    public const ushort CmdStatusInvalidMode = 0x8;
    public const uint IntDisable = 0x1;
    public const uint CmdIntDisable = 0x4;
    public const uint CmdDetected = 0x10000;
    public const uint IntCommand = 0x1;
    public const byte CmdSlotLast = 0x3f;
    public const byte CmdBusSpeedFirst = 0x40;
    public const byte CmdBusSpeedLast = 0x47;
    public const byte CmdBusSpeedMask = 0x07;
    public const byte CmdPowerOnlyAll = 0x48;
    public const byte CmdEnableAll = 0x49;
    public const int FirstTarget = 1;

    private bool _msiRequested;

    /// <summary>Set by the owning bridge: whether its MSI is enabled (msi_enabled).</summary>
    public Func<bool> MsiEnabled { get; set; } = () => false;

    /// <summary>shpc_free_devices_in_slot: the PCI slot (1..31) whose functions the guest or host removed.</summary>
    public event Action<int>? SlotFreed;

    /// <summary>An MSI message (vector 0) or the new INTx level.</summary>
    public event Action<SlotNotification>? Notification;

    private ushort Status(int idx) => BinaryPrimitives.ReadUInt16LittleEndian(_regs.AsSpan(SlotRegister(idx)));

    private int GetStatus(int idx, ushort mask) => (Status(idx) & mask) >> System.Numerics.BitOperations.TrailingZeroCount(mask);

    /// <summary>shpc_set_status.</summary>
    private void SetStatus(int idx, int value, ushort mask)
    {
        var shift = System.Numerics.BitOperations.TrailingZeroCount(mask);
        var v = (ushort)((Status(idx) & ~mask) | ((value << shift) & mask));
        BinaryPrimitives.WriteUInt16LittleEndian(_regs.AsSpan(SlotRegister(idx)), v);
    }

    public ushort SlotStatus(int pciSlot) => Status(pciSlot - 1);
    public byte SlotEvents(int pciSlot) => _regs[SlotRegister(pciSlot - 1) + SlotEventLatch];

    private void Latch(int idx, byte events) => _regs[SlotRegister(idx) + SlotEventLatch] |= events;

    private void SetCommandStatus(ushort bits, bool set)
    {
        var v = BinaryPrimitives.ReadUInt16LittleEndian(_regs.AsSpan(CommandStatus));
        BinaryPrimitives.WriteUInt16LittleEndian(_regs.AsSpan(CommandStatus), (ushort)(set ? v | bits : v & ~bits));
    }

    /// <summary>shpc_command.</summary>
    private void Command()
    {
        var code = _regs[CommandCode];
        SetCommandStatus(CmdStatusBusy | CmdStatusMrlOpen | CmdStatusInvalidCommand | CmdStatusInvalidMode, false);
        if (code <= CmdSlotLast)
        {
            var target = _regs[CommandTarget] & CommandTargetMask;
            SlotCommand(target, code & SlotStateMask, (code & PowerLedMask) >> 2, (code & AttentionLedMask) >> 4);
        }
        else if (code is >= CmdBusSpeedFirst and <= CmdBusSpeedLast)
        {
            // shpc_set_sec_bus_speed: only 33 MHz conventional (0) is supported.
            if ((code & CmdBusSpeedMask) != 0) SetCommandStatus(CmdStatusInvalidMode, true);
        }
        else if (code is CmdPowerOnlyAll or CmdEnableAll)
        {
            var anyEnabled = Enumerable.Range(0, MaxSlots).Any(i => GetStatus(i, SlotStateMask) == StateEnabled);
            if (code == CmdPowerOnlyAll && anyEnabled)
            {
                SetCommandStatus(CmdStatusInvalidCommand, true);
            }
            else
            {
                var state = code == CmdPowerOnlyAll ? StatePowerOnly : StateEnabled;
                for (var t = FirstTarget; t <= MaxSlots; t++)
                {
                    if (GetStatus(t - 1, SlotMrlOpen) == 0) SlotCommand(t, state, LedOn, LedNoChange);
                    else SlotCommand(t, StateNoChange, LedOff, LedNoChange);
                }
            }
        }
        else
        {
            SetCommandStatus(CmdStatusInvalidCommand, true);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(_regs.AsSpan(SerrInt), BinaryPrimitives.ReadUInt32LittleEndian(_regs.AsSpan(SerrInt)) | CmdDetected);
    }

    /// <summary>shpc_slot_command: LEDs, then any requested state (power-only → enabled included); disabling a powered
    /// slot whose power LED is off frees it.</summary>
    private void SlotCommand(int target, int state, int power, int attn)
    {
        var idx = target - FirstTarget;
        if (target < FirstTarget || idx >= MaxSlots)
        {
            SetCommandStatus(CmdStatusInvalidCommand, true);
            return;
        }
        var current = GetStatus(idx, SlotStateMask);
        if (current == StateEnabled && state == StatePowerOnly)
        {
            SetCommandStatus(CmdStatusInvalidCommand, true);
            return;
        }
        if (power != LedNoChange) SetStatus(idx, power, PowerLedMask);
        if (attn != LedNoChange) SetStatus(idx, attn, AttentionLedMask);
        if (state != StateNoChange) SetStatus(idx, state, SlotStateMask);
        if (current is StateEnabled or StatePowerOnly && state == StateDisabled && GetStatus(idx, PowerLedMask) == LedOff)
        {
            FreeSlot(idx);
        }
    }

    private void FreeSlot(int idx)
    {
        SlotFreed?.Invoke(idx + 1);
        SetStatus(idx, 1, SlotMrlOpen);
        SetStatus(idx, PresenceEmpty, SlotPresenceMask);
        Latch(idx, EventMrl | EventPresence);
    }

    /// <summary>shpc_interrupt_update: interrupt locator, then MSI (on a level change) or INTx.</summary>
    private void InterruptUpdate()
    {
        uint locator = 0;
        for (var i = 0; i < MaxSlots; i++)
        {
            var r = SlotRegister(i);
            if ((_regs[r + SlotEventLatch] & ~_regs[r + SlotSerrIntMask]) != 0) locator |= 1u << (i + 1);
        }
        var serrInt = BinaryPrimitives.ReadUInt32LittleEndian(_regs.AsSpan(SerrInt));
        if ((serrInt & CmdDetected) != 0 && (serrInt & CmdIntDisable) == 0) locator |= IntCommand;
        BinaryPrimitives.WriteUInt32LittleEndian(_regs.AsSpan(InterruptLocator), locator);
        var level = (serrInt & IntDisable) == 0 && locator != 0;
        if (MsiEnabled() && _msiRequested != level) Notification?.Invoke(new SlotNotification(SlotInterruptKind.Msi, 0, true));
        else Notification?.Invoke(new SlotNotification(SlotInterruptKind.Intx, 0, level));
        _msiRequested = level;
    }

    /// <summary>shpc_device_get_slot: PCI slots 1..31 only.</summary>
    public static int SlotIndex(int pciSlot) => pciSlot is >= FirstTarget and <= MaxSlots
        ? pciSlot - FirstTarget
        : throw new DeviceRealizeException(
            $"Unsupported PCI slot {pciSlot} for standard hotplug controller. Valid slots are between {FirstTarget} and {MaxSlots}.");

    /// <summary>shpc_device_plug_cb.</summary>
    public void DevicePlugged(int pciSlot, bool hotplugged)
    {
        var idx = SlotIndex(pciSlot);
        if (!hotplugged)
        {
            SetStatus(idx, 0, SlotMrlOpen);
            SetStatus(idx, Presence7_5W, SlotPresenceMask);
            return;
        }
        if (GetStatus(idx, SlotMrlOpen) != 0)
        {
            SetStatus(idx, 0, SlotMrlOpen);
            SetStatus(idx, Presence7_5W, SlotPresenceMask);
            Latch(idx, EventButton | EventMrl | EventPresence);
        }
        else
        {
            Latch(idx, EventButton);
        }
        SetStatus(idx, 0, Slot66);
        InterruptUpdate();
    }

    /// <summary>shpc_device_unplug_request_cb.</summary>
    public void UnplugRequested(int pciSlot)
    {
        var idx = SlotIndex(pciSlot);
        var state = GetStatus(idx, SlotStateMask);
        var led = GetStatus(idx, PowerLedMask);
        if (led == LedBlink) throw new DeviceRealizeException("Hot-unplug failed: guest is busy (power indicator blinking)");
        if (state == StateDisabled && led == LedOff) FreeSlot(idx);
        else Latch(idx, EventButton);
        SetStatus(idx, 0, Slot66);
        InterruptUpdate();
    }
}
