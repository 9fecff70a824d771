namespace PciEmu.Testing;

/// <summary>Turns a recorded QEMU command line (conformance firmware.json / linux.json qemu_argv) into pciemu arguments.</summary>
public static class RecordedArguments
{
    /// <summary>The topology part: -M, -m, -global, -cpu, -nodefaults and the -device lines (the ISA debug console dropped).</summary>
    public static IReadOnlyList<string> Topology(IReadOnlyList<string> argv)
    {
        var args = new List<string>();
        for (var i = 0; i < argv.Count; i++)
        {
            switch (argv[i])
            {
                case "-M" or "-m" or "-global" or "-cpu":
                    args.Add(argv[i]);
                    args.Add(argv[++i]);
                    break;
                case "-device":
                    if (!argv[i + 1].StartsWith("isa-", StringComparison.Ordinal)) args.AddRange(["-device", argv[i + 1]]);
                    i++;
                    break;
                case "-nodefaults":
                    args.Add(argv[i]);
                    break;
            }
        }
        return args;
    }
}

/// <summary>The whole `pciemu run` argument list of a recorded Linux case (linux.json), x86 or arm64.</summary>
public static class RecordedRun
{
    /// <summary>Topology, firmware and kernel as the recording ran them; the first recorded hot-plug as --device-add when asked.</summary>
    public static List<string> Arguments(System.Text.Json.JsonElement j, bool withHotplug)
    {
        var argv = j.GetProperty("qemu_argv").EnumerateArray().Select(a => a.GetString()!).ToArray();
        var topology = RecordedArguments.Topology(argv).ToList();
        var is612 = j.TryGetProperty("kernel_version", out var kv) && kv.GetString() == "6.12";
        var arm = j.TryGetProperty("arch", out var arch) && arch.GetString() == "aarch64";
        string firmware = "seabios";
        if (arm)
        {
            var versions = j.GetProperty("versions");
            var efi = versions.TryGetProperty("qemu-efi-aarch64", out var e) ? e.GetString() ?? string.Empty : string.Empty;
            var qemu = versions.TryGetProperty("qemu", out var q) ? q.GetString() ?? string.Empty : string.Empty;
            // Debian 12 (QEMU 7.2 + EDK2 2022.11) or the newer chroot (QEMU 11.1 + EDK2 2026.08).
            var old = qemu.Contains("version 7.2", StringComparison.Ordinal) || efi.StartsWith("2022.11", StringComparison.Ordinal);
            var m = topology.IndexOf("-M");
            if (old && m >= 0 && topology[m + 1] == "virt") topology[m + 1] = "virt-7.2";
            firmware = old ? "edk2,version=2022.11" : "edk2";
        }
        var args = new List<string>(topology) { "--firmware", firmware, "--kernel", is612 ? "linux" : "linux,v6.1" };
        var hotplugs = j.GetProperty("hotplug");
        if (withHotplug && hotplugs.GetArrayLength() > 0) args.AddRange(["--device-add", hotplugs[0].GetProperty("spec").GetString()!]);
        return args;
    }

    /// <summary>The recorded verdict of the first hot-plug (outcome.all_bars_assigned), or null when none was recorded.</summary>
    public static bool? HotplugSucceeded(System.Text.Json.JsonElement j)
    {
        var hotplugs = j.GetProperty("hotplug");
        if (hotplugs.GetArrayLength() == 0 || !hotplugs[0].TryGetProperty("outcome", out var o)) return null;
        return o.TryGetProperty("all_bars_assigned", out var a) ? a.GetBoolean() : null;
    }
}
