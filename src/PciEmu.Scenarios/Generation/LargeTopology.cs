using System.Globalization;
using PciEmu.Scenarios.Topology;

namespace PciEmu.Scenarios.Generation;

/// <summary>
/// Deterministic large q35 topologies for scaling work, written as the QEMU argument vector a user would type
/// (<c>-M q35 -nodefaults -device …</c>) and parsed by <see cref="TopologyParser"/>.
/// <para>
/// The full shape fills bus numbers 1..255 with 255 bridges: 175 pcie-root-ports each holding an 8-function
/// virtio-rng-pci device, 2 switches (pcie-root-port → x3130-upstream → 30 xio3130-downstream ports, each holding
/// an 8-function device) and 16 conventional pci-bridges (shpc=off) on pcie.0, each with 16 slots × 8 functions.
/// That is <see cref="FullFunctionCount"/> functions including the four q35 built-ins. Endpoints are
/// <c>virtio-rng-pci,disable-legacy=on</c>: no I/O BAR and no option ROM, so the hierarchy fits SeaBIOS's 64 KiB I/O
/// space and 32-bit hole (root and downstream ports are hot-plug capable, where SeaBIOS makes I/O optional).
/// </para>
/// <para>
/// Smaller sizes take units of the full shape in a fixed interleaved order (root-port leaf, bridge slot, root-port
/// leaf, bridge slot, switch leaf, …) until the requested number of functions is reached, trimming the last
/// device's function count, so the device mix per function stays about the same from 10 to 4,000 functions.
/// </para>
/// </summary>
public static class LargeTopology
{
    /// <summary>q35 with -nodefaults: MCH 00:00.0, ICH9-LPC 1f.0, ich9-ahci 1f.2, ICH9-SMB 1f.3.</summary>
    public const int HostFunctions = 4;

    public const int LeafRootPorts = 175;
    public const int Switches = 2;
    public const int DownstreamPortsPerSwitch = 30;
    public const int PciBridges = 16;
    public const int SlotsPerPciBridge = 16;
    public const int FunctionsPerDevice = 8;

    /// <summary>Bridges in the full shape: one bus number each, so the last secondary bus is 255.</summary>
    public const int FullBridgeCount = LeafRootPorts + Switches * (2 + DownstreamPortsPerSwitch) + PciBridges;

    public const int FullFunctionCount = HostFunctions + FullBridgeCount
        + (LeafRootPorts + Switches * DownstreamPortsPerSwitch + PciBridges * SlotsPerPciBridge) * FunctionsPerDevice;

    /// <summary>The endpoint driver; modern-only so it has no I/O BAR.</summary>
    public const string EndpointDevice = "virtio-rng-pci,disable-legacy=on";

    private const string RootBus = "pcie.0";
    private const int FirstRootSlot = 1;
    private const int LastRootSlot = 30;
    private const int FunctionsPerSlot = 8;
    private const int RootPortChassis = 1;
    private const int FirstSwitchChassis = 2;

    private enum Unit
    {
        RootPortLeaf,
        BridgeSlot,
        SwitchLeaf,
    }

    /// <summary>The interleaving that keeps the device mix similar at every size (≈ 175 : 60 : 256 units).</summary>
    private static readonly Unit[] Pattern =
    [
        Unit.RootPortLeaf, Unit.BridgeSlot, Unit.RootPortLeaf, Unit.BridgeSlot,
        Unit.SwitchLeaf, Unit.BridgeSlot, Unit.RootPortLeaf, Unit.BridgeSlot,
    ];

    /// <summary>The full 256-bus topology (buses 0..255, <see cref="FullFunctionCount"/> functions).</summary>
    public static IReadOnlyList<string> Full() => Arguments(FullFunctionCount);

    /// <summary>
    /// The argument vector for about <paramref name="functions"/> functions (exact unless a unit's bridge overhead
    /// overshoots by one or two); at most <see cref="FullFunctionCount"/>.
    /// </summary>
    public static IReadOnlyList<string> Arguments(int functions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(functions, HostFunctions + 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(functions, FullFunctionCount);
        return new Writer(functions).Build();
    }

    /// <summary>Parses <see cref="Arguments"/> into a scenario.</summary>
    public static Scenario Build(int functions) => new TopologyParser().ParseArguments(Arguments(functions));

    /// <summary>The QEMU command line (for docs and for reproducing a case in real QEMU).</summary>
    public static string CommandLine(int functions) => string.Join(' ', Arguments(functions));

    private sealed class Writer(int target)
    {
        private readonly List<string> _args = ["-M", "q35", "-nodefaults"];
        private int _functions = HostFunctions;
        private int _rootDevFn = FirstRootSlot * FunctionsPerSlot;
        private int _rootPorts;
        private int _leafRootPorts;
        private int _switches;
        private int _downstreamInSwitch = DownstreamPortsPerSwitch;
        private int _switchLeaves;
        private int _bridges;
        private int _slotsInBridge = SlotsPerPciBridge;
        private int _bridgeSlots;
        private int _devices;

        public IReadOnlyList<string> Build()
        {
            var i = 0;
            while (_functions < target)
            {
                if (!TryAdd(Pattern[i % Pattern.Length]) && !TryAdd(Unit.BridgeSlot) && !TryAdd(Unit.RootPortLeaf) && !TryAdd(Unit.SwitchLeaf)) break;
                i++;
            }
            return _args;
        }

        private bool TryAdd(Unit unit)
        {
            switch (unit)
            {
                case Unit.RootPortLeaf:
                    if (_leafRootPorts == LeafRootPorts) return false;
                    _leafRootPorts++;
                    AddDevice(RootPort(), 0);
                    return true;
                case Unit.SwitchLeaf:
                    if (_switchLeaves == Switches * DownstreamPortsPerSwitch) return false;
                    if (_downstreamInSwitch == DownstreamPortsPerSwitch) NewSwitch();
                    var dp = $"sw{_switches - 1}dp{_downstreamInSwitch}";
                    Device($"xio3130-downstream,id={dp},bus=sw{_switches - 1}up,addr={Hex(_downstreamInSwitch)}.0,chassis={FirstSwitchChassis + _switches - 1},slot={_downstreamInSwitch + 1},port={_downstreamInSwitch}");
                    _functions++;
                    _downstreamInSwitch++;
                    _switchLeaves++;
                    AddDevice(dp, 0);
                    return true;
                default:
                    if (_bridgeSlots == PciBridges * SlotsPerPciBridge) return false;
                    if (_slotsInBridge == SlotsPerPciBridge)
                    {
                        Device($"pci-bridge,id=pb{_bridges},bus={RootBus},addr={NextRootAddr()},chassis_nr={_bridges + 1},shpc=off");
                        _functions++;
                        _bridges++;
                        _slotsInBridge = 0;
                    }
                    AddDevice($"pb{_bridges - 1}", _slotsInBridge);
                    _slotsInBridge++;
                    _bridgeSlots++;
                    return true;
            }
        }

        private void NewSwitch()
        {
            var rp = RootPort();
            Device($"x3130-upstream,id=sw{_switches}up,bus={rp}");
            _functions++;
            _switches++;
            _downstreamInSwitch = 0;
        }

        private string RootPort()
        {
            var id = $"rp{_rootPorts}";
            Device($"pcie-root-port,id={id},bus={RootBus},addr={NextRootAddr()},chassis={RootPortChassis},slot={_rootPorts + 1},port={_rootPorts & 0xff}");
            _rootPorts++;
            _functions++;
            return id;
        }

        /// <summary>An endpoint device at <paramref name="slot"/> of <paramref name="bus"/> with up to 8 functions.</summary>
        private void AddDevice(string bus, int slot)
        {
            var count = Math.Clamp(target - _functions, 1, FunctionsPerDevice);
            for (var fn = 0; fn < count; fn++)
            {
                var multi = count > 1 ? ",multifunction=on" : string.Empty;
                Device($"{EndpointDevice},id=ep{_devices}f{fn},bus={bus},addr={Hex(slot)}.{fn}{multi}");
            }
            _functions += count;
            _devices++;
        }

        private string NextRootAddr()
        {
            var slot = _rootDevFn / FunctionsPerSlot;
            if (slot > LastRootSlot) throw new InvalidOperationException("pcie.0 is full");
            var fn = _rootDevFn % FunctionsPerSlot;
            _rootDevFn++;
            return $"{Hex(slot)}.{fn},multifunction=on";
        }

        private void Device(string line)
        {
            _args.Add("-device");
            _args.Add(line);
        }

        private static string Hex(int value) => value.ToString("x2", CultureInfo.InvariantCulture);
    }
}
