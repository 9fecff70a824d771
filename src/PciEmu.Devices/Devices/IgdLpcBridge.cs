using PciEmu.Core;

namespace PciEmu.Devices.Devices;

/// <summary>What IGD legacy mode copies from the host's LPC bridge (or host bridge) into the guest.</summary>
public sealed record IgdHostIds
{
    public ushort VendorId { get; init; } = PciVendor.Intel;
    public ushort DeviceId { get; init; }
    public byte Revision { get; init; }
    public byte ProgIf { get; init; }
    public ushort SubsystemVendorId { get; init; }
    public ushort SubsystemId { get; init; }
}

/// <summary>
/// vfio-pci-igd-lpc-bridge at 00:1f.0 (hw/vfio/igd.c): an ISA bridge whose vendor, device, revision + prog-if
/// (2 bytes at 0x08) and subsystem IDs are copied from the host LPC bridge (vfio_pci_igd_lpc_init).
/// </summary>
public sealed class IgdLpcBridge(IgdHostIds host, PciDeviceOptions? options = null) : PciFunction(options)
{
    public override string TypeName => "vfio-pci-igd-lpc-bridge";

    public override DeviceIdentity Identity => new(host.VendorId, host.DeviceId, PciClass.BridgeIsa | host.ProgIf, host.Revision)
    {
        SubsystemVendorId = host.SubsystemVendorId, SubsystemId = host.SubsystemId,
    };

    protected override void Configure(ConfigSpaceBuilder b)
    {
    }

    /// <summary>vfio_pci_igd_host_init: the i440fx keeps its IDs but takes the host bridge's revision, prog-if and
    /// subsystem IDs.</summary>
    public static void CopyToHostBridge(PciFunction hostBridge, IgdHostIds host)
    {
        var c = hostBridge.Config;
        c.SetByte(CommonHeader.Revision.Offset, host.Revision);
        c.SetByte(CommonHeader.ClassProg.Offset, host.ProgIf);
        c.SetWord(Type0Header.SubsystemVendorId.Offset, host.SubsystemVendorId);
        c.SetWord(Type0Header.SubsystemId.Offset, host.SubsystemId);
    }
}
