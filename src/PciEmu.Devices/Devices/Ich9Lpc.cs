using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>ICH9 LPC options: legacy devices the machine put on the ISA bus (ich9_lpc_machine_ready).</summary>
public sealed record Ich9LpcOptions : PciDeviceOptions
{
    public Ich9LpcOptions() => Multifunction = true;
    public bool Com1Present { get; init; }
    public bool Com2Present { get; init; }
    public bool LptPresent { get; init; }
    public bool FloppyPresent { get; init; }
}

/// <summary>ICH9 LPC/ISA bridge, ICH9-LPC 8086:2918 at q35 00:1f.0 (hw/isa/lpc_ich9.c).</summary>
public sealed class Ich9Lpc(Ich9LpcOptions options) : PciFunction(options)
{
    public static readonly Reg32 PmBase = new(0x40, "ICH9_LPC_PMBASE");
    public static readonly Reg8 AcpiCtrl = new(0x44, "ICH9_LPC_ACPI_CTRL");
    public const int PirqARout = 0x60;
    public const int PirqERout = 0x68;
    public const int PirqGroup = 4;
    public static readonly Reg8 LpcEnables = new(0x82, "ICH9_LPC_EN");
    public static readonly Reg16 GenPmcon1 = new(0xa0, "ICH9_LPC_GEN_PMCON_1");
    public static readonly Reg32 Rcba = new(0xf0, "ICH9_LPC_RCBA");

    public const byte PirqRouteDefault = 0x80;
    public const uint PmBaseDefault = 0x1;
    public const uint PmBaseAddressMask = 0xff80;
    public const byte AcpiCtrlWritable = 0x87;  // ACPI_EN | SCI_IRQ_SEL
    public const byte AcpiCtrlAcpiEn = 0x80;
    public const ushort GenPmcon1SmiLock = 0x10;
    public const byte EnCom1 = 0x01;
    public const byte EnCom2 = 0x02;
    public const byte EnLpt = 0x04;
    public const byte EnFloppy = 0x08;
    public const byte Revision = 0x02;

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.Intel, 0x2918, PciClass.BridgeIsa, Revision);

    public override string TypeName => "ICH9-LPC";
    public override DeviceIdentity Identity => DeviceIdentity;

    /// <summary>Raised after writes to PMBASE, RCBA or PIRQ routing (ich9_lpc_config_write side effects).</summary>
    public event Action<Ich9Lpc>? ChipsetConfigChanged;

    /// <summary>ich9_lpc_realize + ich9_lpc_machine_ready.</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        b.WriteMask(PmBase, PmBaseAddressMask);
        b.WriteMask(AcpiCtrl, AcpiCtrlWritable);
        var en = (options.Com1Present ? EnCom1 : 0) | (options.Com2Present ? EnCom2 : 0) | (options.LptPresent ? EnLpt : 0) | (options.FloppyPresent ? EnFloppy : 0);
        b.Init(LpcEnables, (uint)en);
    }

    /// <summary>ich9_lpc_reset.</summary>
    protected override void OnReset()
    {
        var c = Config;
        for (var i = 0; i < PirqGroup; i++)
        {
            c.SetByte(PirqARout + i, PirqRouteDefault);
            c.SetByte(PirqERout + i, PirqRouteDefault);
        }
        c.SetByte(AcpiCtrl.Offset, 0);
        c.SetLong(PmBase.Offset, PmBaseDefault);
        c.SetLong(Rcba.Offset, 0);
    }

    /// <summary>ich9_lpc_config_write (+ ich9_lpc_pmcon_update: SMI_LOCK freezes itself).</summary>
    protected override void OnConfigWritten(in ConfigWrite w)
    {
        if (w.Overlaps(GenPmcon1) && (Config.GetWord(GenPmcon1.Offset) & GenPmcon1SmiLock) != 0)
            Config.SetWriteMask(GenPmcon1.Offset, 2, Config.GetWriteMask(GenPmcon1.Offset, 2) & ~(uint)GenPmcon1SmiLock);
        if (w.Overlaps(PmBase) || w.Overlaps(Rcba) || w.Overlaps(PirqARout, PirqGroup) || w.Overlaps(PirqERout, PirqGroup))
            ChipsetConfigChanged?.Invoke(this);
    }
}
