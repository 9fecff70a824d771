using PciEmu.Core;
using PciEmu.Platform;

namespace PciEmu.Firmware.SeaBios.Tests.Support;

/// <summary>
/// The platform's <see cref="DevicesCatalog"/>, recording every function it creates (in creation order: the machine's
/// defaults, then each -device). The PciEmu.Os pipeline tests link this file and reach the created functions.
/// </summary>
public sealed class ConformanceCatalog(IDeviceCatalog? inner = null) : IDeviceCatalog
{
    private readonly IDeviceCatalog _inner = inner ?? DevicesCatalog.Instance;

    public List<PciFunction> Created { get; } = [];

    public DeviceModelInfo? Find(string driver) => _inner.Find(driver);

    public PciFunction Create(string driver, IReadOnlyDictionary<string, string> properties, PciDeviceOptions options, PlugTarget target)
    {
        var f = _inner.Create(driver, properties, options, target);
        Created.Add(f);
        return f;
    }

    public IReadOnlyList<(int DevFn, PciFunction Function)>? CreateChipset(MachineKind kind, ulong ramSize) => _inner.CreateChipset(kind, ramSize);

    public IBridgeSlot? GetSlot(PciBridgeFunction bridge) => _inner.GetSlot(bridge);

    public IEcamWindowSource? GetEcamWindowSource(PciFunction hostBridge) => _inner.GetEcamWindowSource(hostBridge);
}
