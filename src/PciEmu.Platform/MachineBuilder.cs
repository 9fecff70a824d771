using PciEmu.Fabric;

namespace PciEmu.Platform;

/// <summary>Builds a <see cref="Machine"/>: options first, then cold-plugged devices, then machine-done.</summary>
public sealed class MachineBuilder
{
    private MachineOptions _options = new();
    private readonly List<DeviceRequest> _devices = [];

    public MachineBuilder()
    {
    }

    public MachineBuilder(MachineOptions options)
    {
        _options = options;
    }

    public MachineBuilder WithType(MachineType type)
    {
        _options = _options with { Type = type };
        return this;
    }

    public MachineBuilder WithRam(ulong bytes, ulong? maxBytes = null, ulong slots = 0)
    {
        _options = _options with { RamSize = bytes, MaxRamSize = maxBytes, MemorySlots = slots };
        return this;
    }

    public MachineBuilder WithGlobal(GlobalProperty global)
    {
        _options = _options with { Globals = [.. _options.Globals, global] };
        return this;
    }

    public MachineBuilder WithCatalog(IDeviceCatalog catalog)
    {
        _options = _options with { Catalog = catalog };
        return this;
    }

    public MachineBuilder WithCost(ICostModel cost)
    {
        _options = _options with { Cost = cost };
        return this;
    }

    public MachineBuilder AddDevice(DeviceRequest device)
    {
        _devices.Add(device);
        return this;
    }

    public MachineOptions Options => _options;

    /// <summary>Creates the machine and its default devices, cold-plugs the devices in order, then machine-done.</summary>
    public Machine Build()
    {
        var machine = new Machine(_options);
        foreach (var d in _devices) machine.AddDevice(d);
        machine.MachineDone();
        return machine;
    }

    /// <summary>Creates the machine with its default devices only; the caller cold-plugs and calls MachineDone.</summary>
    public Machine BuildUnfinished() => new(_options);
}
