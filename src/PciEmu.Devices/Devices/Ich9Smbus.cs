using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>ICH9 SMBus controller, ICH9-SMB 8086:2930 at q35 00:1f.3 (hw/i2c/smbus_ich9.c).</summary>
public sealed class Ich9Smbus(PciDeviceOptions? options = null) : PciFunction(options ?? new PciDeviceOptions { Multifunction = true })
{
    public const int SmbBar = 4;
    /// <summary>The pm-smbus register block.</summary>
    public const ulong SmbSize = 64;
    public static readonly Reg8 HostConfig = new(0x40, "ICH9_SMB_HOSTC");
    public const byte HostConfigEnable = 0x01;
    public const byte Revision = 0x02;

    public static readonly DeviceIdentity DeviceIdentity = new(PciVendor.Intel, 0x2930, PciClass.SerialSmbus, Revision) { InterruptPin = 1 };

    public override string TypeName => "ICH9-SMB";
    public override DeviceIdentity Identity => DeviceIdentity;

    /// <summary>Raised when HOSTC.HST_EN may have changed (ich9_smbus_write_config).</summary>
    public event Action<Ich9Smbus>? HostEnableChanged;

    /// <summary>ich9_smbus_realize.</summary>
    protected override void Configure(ConfigSpaceBuilder b)
    {
        b.Init(HostConfig, 0);
        b.Bar(new BarDefinition(SmbBar, BarKind.Io, SmbSize));
    }

    protected override void OnConfigWritten(in ConfigWrite w)
    {
        if (w.Overlaps(HostConfig)) HostEnableChanged?.Invoke(this);
    }
}
