using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>PIIX4 PM options: what the machine wires around it.</summary>
public sealed record Piix4PmOptions : PciDeviceOptions
{
    /// <summary>smb_io_base as pc_piix passes it.</summary>
    public ushort SmbIoBase { get; init; } = 0xb100;
    /// <summary>SMM enabled (TCG default); off marks SMM as initialised (0x5B = 0x02).</summary>
    public bool SmmEnabled { get; init; } = true;
    public bool ParallelPresent { get; init; }
    public bool Serial1Present { get; init; }
    public bool Serial2Present { get; init; }
}

/// <summary>PIIX4 power management / ACPI, PIIX4_PM 8086:7113 at pc 00:01.3 (hw/acpi/piix4.c).</summary>
public sealed class Piix4Pm(Piix4PmOptions options) : PciFunction(options)
{
    public static readonly Reg32 PmBase = new(0x40, "PMBA");
    public static readonly Reg32 DevActB = new(0x58, "DEVACTB");
    public const int DevActBApmcByte = 0x5b;
    public const byte ApmcEnabled = 0x02;
    public const int DevResD = 0x5f;
    public const int DevResE = 0x63;
    public const int DevResF = 0x67;
    public static readonly Reg8 PmRegMisc = new(0x80, "PMREGMISC");
    public static readonly Reg32 SmbBase = new(0x90, "SMBBA");
    public static readonly Reg8 SmbHostConfig = new(0xd2, "SMBHSTCFG");
    public const byte PmBaseRte = 0x01;
    public const byte SmbHostConfigDefault = 0x09;
    public const ushort RealizeStatus = 0x0280;
    public const byte DevResDBase = 0x10;
    public const byte DevResDLpt = 0x80;
    public const byte DevResEDefault = 0x60;
    public const byte DevResFCom1 = 0x08;
    public const byte DevResFCom2 = 0x90;
    public const byte Revision = 0x03;

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.Intel, 0x7113, PciClass.BridgeOther, Revision) { InterruptPin = 1 };

    public override string TypeName => "PIIX4_PM";
    public override DeviceIdentity Identity => DeviceIdentity;

    /// <summary>Raised after writes that move the PM (0x40, 0x80) or SMBus (0x90, 0xd2) I/O regions.</summary>
    public event Action<Piix4Pm>? IoSpaceChanged;

    /// <summary>piix4_pm_realize + piix4_pm_machine_ready.</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        b.Init(CommonHeader.Status, RealizeStatus);
        if (!options.SmmEnabled) b.Init(DevActBApmcByte, 1, ApmcEnabled);
        b.Init(SmbBase, (uint)(options.SmbIoBase | 1));
        b.Init(SmbHostConfig, SmbHostConfigDefault);
        b.Init(DevResD, 1, (uint)(DevResDBase | (options.ParallelPresent ? DevResDLpt : 0)));
        b.Init(DevResE, 1, DevResEDefault);
        b.Init(DevResF, 1, (uint)((options.Serial1Present ? DevResFCom1 : 0) | (options.Serial2Present ? DevResFCom2 : 0)));
    }

    /// <summary>piix4_reset.</summary>
    protected override void OnReset()
    {
        var c = Config;
        c.SetLong(DevActB.Offset, 0);
        c.SetByte(PmBase.Offset, PmBaseRte);
        c.SetByte(PmRegMisc.Offset, 0);
        if (!options.SmmEnabled) c.SetByte(DevActBApmcByte, ApmcEnabled);
    }

    /// <summary>pm_write_config.</summary>
    protected override void OnConfigWritten(in ConfigWrite w)
    {
        if (w.Overlaps(PmRegMisc) || w.Overlaps(PmBase) || w.Overlaps(SmbHostConfig) || w.Overlaps(SmbBase)) IoSpaceChanged?.Invoke(this);
    }
}
