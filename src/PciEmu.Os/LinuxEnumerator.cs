using PciEmu.Core;
using PciEmu.Os.Model;
using PciEmu.Os.Resources;
using PciEmu.Os.Views;

namespace PciEmu.Os;

/// <summary>
/// The Linux-like enumerator: boots the PCI core the way Linux 6.1/6.12 does on x86 (scan, claim the firmware
/// layout, size and assign what is missing, bind port drivers) through an <see cref="IConfigAccessor"/> only, then
/// serves run-time hot-plug events for acpiphp, pciehp and shpchp.
/// </summary>
public sealed class LinuxEnumerator
{
    private readonly PciCore _core;

    public LinuxEnumerator(IConfigAccessor accessor, PlatformFacts facts, KernelOptions? options = null)
    {
        Log = new KernelLog();
        _core = new PciCore(accessor, options ?? new KernelOptions(), facts, Log);
    }

    /// <summary>The PCI lines of dmesg so far.</summary>
    public KernelLog Log { get; }

    public bool Booted => _core.Root is not null;

    /// <summary>ioport_resource and iomem_resource (PCI part).</summary>
    public Resource IoPorts => _core.IoPortRoot;
    public Resource IoMem => _core.IoMemRoot;

    /// <summary>Every function's resources as Linux holds them (BARs 0-5, ROM 6, bridge windows 13-15).</summary>
    public IEnumerable<(Bdf Bdf, int Index, Resource Resource)> DeviceResources() =>
        _core.AllDevices().SelectMany(d => d.Resources.Select((r, i) => (d.Bdf, i, r)).Where(x => x.r.Flags != ResFlags.None || x.r.IsAssigned));

    /// <summary>/proc/iomem restricted to the PCI tree.</summary>
    public string ProcIomem() => ProcViews.Render(_core.IoMemRoot);

    /// <summary>/proc/ioports restricted to the PCI tree.</summary>
    public string ProcIoports() => ProcViews.Render(_core.IoPortRoot);

    /// <summary>The platform facts the kernel was handed (its root bus windows are QEMU's _CRS).</summary>
    public PlatformFacts Facts => _core.Facts;

    /// <summary>Boot: acpiphp init, root bus scan, resource survey (x86) or claim (arm64 preserve), assignment, drivers.</summary>
    public void Boot()
    {
        if (Booted) throw new InvalidOperationException("already booted");
        Log.Raw("acpiphp: ACPI Hot Plug PCI Controller Driver version: 0.5");
        var root = _core.Probe.ScanRootBus();
        if (_core.Facts.Arch == PciArch.X86) _core.Survey.ResourceSurvey();
        else if (_core.Facts.PreserveBootConfig) _core.Survey.BusClaimResources();
        _core.SetupBusAssign.AssignUnassignedRootBusResources(root);
        _core.Quirks.FinalQuirks();
        _core.PortServices.BindPortDrivers();
    }

    /// <summary>
    /// A device appeared in a hot-plug slot. acpiphp: <paramref name="slot"/> is the device number on the bus below
    /// <paramref name="parent"/> (or on the root bus when <paramref name="parent"/> is null). pciehp: the port is
    /// <paramref name="parent"/> and the slot is device 0. shpchp: the SHPC bridge and the slot's device number; the
    /// driver takes the event from the SHPC registers the platform latched (interrupt locator, slot event latches).
    /// <see cref="HotplugDriver.None"/>: no driver handles the slot (e.g. SHPC on pc, where shpchp cannot get control
    /// without _OSC/OSHP): Linux does nothing and the verdict is empty.
    /// </summary>
    public HotplugVerdict DeviceAdded(HotplugDriver driver, Bdf? parent, int slot = 0)
    {
        if (!Booted) throw new InvalidOperationException("boot first");
        var mark = Log.Lines.Count;
        PciDev? bridge = parent is { } p ? _core.FindDevice(p) ?? throw new ArgumentException($"no device {p}", nameof(parent)) : null;
        List<PciDev> found = driver switch
        {
            HotplugDriver.Acpiphp => _core.Acpiphp.AcpiphpDeviceCheck(bridge?.Subordinate ?? _core.Root!, slot),
            HotplugDriver.Pciehp => _core.Pciehp.PciehpConfigureDevice(Require(bridge)),
            HotplugDriver.Shpchp => _core.ShpchpCore.ShpchpInterrupt(Require(bridge)).Added,
            HotplugDriver.None => [],
            _ => throw new ArgumentOutOfRangeException(nameof(driver)),
        };
        return new HotplugVerdict(found.Select(Verdict).ToArray(), Log.Since(mark));
    }

    /// <summary>
    /// QEMU's device_del was requested for the device in <paramref name="slot"/> below <paramref name="parent"/> (call
    /// after <c>Machine.DeviceDel</c>, which raised the platform event): the driver's unplug path runs as Linux runs it
    /// and its lines are logged. acpiphp: disable_slot + _EJ0 through <see cref="AcpiEjector"/> (which completes the
    /// unplug in the machine); pciehp: attention button → power off (QEMU detaches on the indicator write); shpchp:
    /// SHPC button event → slot disable (QEMU frees the slot on the command). The removed functions' resources leave
    /// /proc/iomem and /proc/ioports.
    /// </summary>
    public HotplugRemoval DeviceRemoveRequested(HotplugDriver driver, Bdf? parent, int slot = 0)
    {
        if (!Booted) throw new InvalidOperationException("boot first");
        var mark = Log.Lines.Count;
        PciDev? bridge = parent is { } p ? _core.FindDevice(p) ?? throw new ArgumentException($"no device {p}", nameof(parent)) : null;
        List<PciDev> removed = driver switch
        {
            HotplugDriver.Acpiphp => _core.Acpiphp.AcpiphpDisableAndEjectSlot(bridge?.Subordinate ?? _core.Root!, slot, AcpiEjector),
            HotplugDriver.Pciehp => _core.Pciehp.PciehpUnplugRequest(Require(bridge)),
            HotplugDriver.Shpchp => _core.ShpchpCore.ShpchpInterrupt(Require(bridge)).Removed,
            HotplugDriver.None => [],
            _ => throw new ArgumentOutOfRangeException(nameof(driver)),
        };
        return new HotplugRemoval(removed.Select(d => d.Bdf).ToArray(), Log.Since(mark));
    }

    /// <summary>The machine's _EJ0 for acpiphp removals; null: the kernel side only (the platform is not told).</summary>
    public IAcpiEjector? AcpiEjector { get; set; }

    /// <summary>
    /// The kernel side of an unplug without any driver event (pci_stop_and_remove_bus_device): the function and
    /// everything below it leave the kernel's tree and their resources are released. Logs nothing at PCI level.
    /// </summary>
    public void DeviceRemoved(Bdf function)
    {
        if (!Booted) throw new InvalidOperationException("boot first");
        var dev = _core.FindDevice(function) ?? throw new ArgumentException($"no device {function}", nameof(function));
        _core.HotplugPci.StopAndRemoveBusDevice(dev);
    }

    /// <summary>True when the kernel enumerated a function at <paramref name="bdf"/> (a port whose bus numbers it could not
    /// give out is not in its tree, and a slot event on it reaches no driver).</summary>
    public bool HasDevice(Bdf bdf) => Booted && _core.FindDevice(bdf) is not null;

    /// <summary>The hot-plug driver Linux would use for a slot below <paramref name="parent"/>.</summary>
    public HotplugDriver DriverFor(Bdf? parent)
    {
        if (parent is null) return HotplugDriver.Acpiphp;
        var dev = _core.FindDevice(parent.Value) ?? throw new ArgumentException($"no device {parent}", nameof(parent));
        if (_core.Pciehp.PciehpOwns(dev)) return HotplugDriver.Pciehp;
        if (dev.Subordinate is { } sec && _core.Acpiphp.EjectableSlots(sec).Count > 0) return HotplugDriver.Acpiphp;
        if (_core.ShpchpCore.ShpchpOwns(dev)) return HotplugDriver.Shpchp;
        return dev.ShpcCap != 0 ? HotplugDriver.None : HotplugDriver.Acpiphp;
    }

    private static PciDev Require(PciDev? bridge) =>
        bridge?.Subordinate is not null ? bridge : throw new ArgumentException("the hot-plug controller must be a bridge with a secondary bus");

    private static DeviceVerdict Verdict(PciDev dev)
    {
        var bars = dev.ProbedBars.Select(b =>
        {
            var r = dev.Resources[b.Index];
            return new BarVerdict(b.Index, b.Flags.Any(ResFlags.Io) ? "io" : "mem", b.Size, b.Flags.Any(ResFlags.Prefetch),
                b.Flags.Any(ResFlags.Mem64), r.IsAssigned, r.IsAssigned ? r.Start : null);
        }).ToArray();
        return new DeviceVerdict(dev.Bdf, bars);
    }
}
