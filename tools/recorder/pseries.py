#!/usr/bin/env python3
"""pSeries recorder: QEMU 7.2 `-M pseries` + SLOF 20220719 (+ Debian ppc64el Linux) under TCG.

usage: pseries.sh fw    --out DIR [-m 1G] [--timeout S] [-device ARG]... [-- qemu args]
       pseries.sh linux --out DIR [-m 1G] [--kernel-version 6.12|6.1] [--boot-timeout S]
                        [--hotplug SPEC [--guest CMD]...]... [--settle S] [-device ARG]... [-- qemu args]

fw:    firmware only (no -kernel). Waits until SLOF gives up booting (its `0 >` prompt, or a
       network boot's DHCP request, or an E3xxx error after the last boot device), then records
       QMP query-pci, HMP info pci, the SLOF console and the `-trace pci_cfg_*` access log.
linux: SLOF loads the -kernel (`Booting from memory...`), Linux runs the shared busybox /init on
       hvc0 (console and data channel at once, loglevel=1). Records the boot dump (dmesg,
       /proc/iomem, /proc/ioports, every function's sysfs resource + config) plus the device tree
       PCI nodes. Each --hotplug SPEC is a QMP device_add (HMP syntax, "driver,prop=val,...";
       `spapr-pci-host-bridge,index=N` for a whole PHB); the --guest commands that follow it run
       in the guest afterwards (busybox sh; drmgr, lsslot, insmod'able rpaphp/rpadlpar_io are in the
       initramfs: /sbin/drmgr, /lib/oracle/rpaphp.ko ...). A dump follows each hot-plug.

Reuses ../shared/recorder/lib (oracle_common: QMP, QEMU start/stop, query-pci normaliser, cpio;
linux: DataChan, dump parsing) without copying it.
"""
import glob
import json
import lzma
import os
import re
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED_LIB = os.environ.get("ORACLE_LIB", os.path.join(os.path.dirname(REPO), "shared", "recorder", "lib"))
sys.path.insert(0, SHARED_LIB)
import oracle_common as oc  # noqa: E402
import linux as ol  # noqa: E402

QEMU = "qemu-system-ppc64"
# cap-* settings avoid the TCG "requested feature" warnings (spapr-pci.md §7)
MACHINE = "pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off"
FLAGS = {"--help", "-h", "--no-trace"}
OPTS = {"-m", "--out", "--timeout", "--boot-timeout", "--kernel-version", "--kernel", "--hotplug",
        "--guest", "--settle", "--machine", "--append", "--hotplug-timeout", "--prom-env"}

# SLOF has finished PCI probing/assignment long before any of these.
FW_DONE_MARKERS = ["\n0 > ", "Requesting information via DHCP", "E3406", "E3407", "E3408"]
PPC_USER = "ppc64el-user"          # dpkg -x of busybox-static, powerpc-ibm-utils, libs (setup-pseries.sh)


def kernel_for(version):
    c = sorted(glob.glob(os.path.join(oc.cache_dir(), "ppc64el-%s" % version, "boot", "vmlinux-%s*" % version)))
    return c[-1] if c else None


def ppc_versions():
    """Versions of the ppc64el .debs used (from the dpkg -x'ed package docs, no dpkg db)."""
    v = oc.dpkg_versions(["qemu-system-ppc", "qemu-system-data"])
    root = os.path.join(oc.cache_dir(), PPC_USER)
    man = os.path.join(root, "VERSIONS")
    if os.path.exists(man):
        with open(man) as f:
            for line in f:
                if line.strip():
                    k, val = line.split(None, 1)
                    v[k] = val.strip()
    return v


def strip_ansi(t):
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", t)


# --------------------------------------------------------------------------
# SLOF console parsing
# --------------------------------------------------------------------------
RE_POP = re.compile(r"^Populating (/\S+)")
RE_DEV = re.compile(r"^\s+([0-9a-f]{2}) ([0-9a-f]{4}) \((\w)\) : ([0-9a-f]{4}) ([0-9a-f]{4})\s+(.*?)\s*$")


def parse_slof(text):
    t = strip_ansi(text).replace("\r", "")
    res = {"version": None, "populating": [], "pci_lines": [], "devices": [], "boot_attempts": [],
           "errors": [], "prompt_reached": "\n0 > " in t}
    m = re.search(r"FW Version = (.*)", t)
    if m:
        res["version"] = m.group(1).strip()
    phb = None
    for line in t.splitlines():
        # checkpoint codes (C0100...) share lines with text
        clean = re.sub(r"^(C[0-9A-F]{4})+", "", line)
        m = RE_POP.match(clean)
        if m:
            res["populating"].append(m.group(1))
            if "/pci@" in m.group(1):
                phb = m.group(1)
                res["pci_lines"].append(clean)
            continue
        m = RE_DEV.match(clean)
        if m:
            res["pci_lines"].append(clean)
            res["devices"].append({"phb": phb, "bus": m.group(1), "devfn": m.group(2), "kind": m.group(3),
                                   "vendor_id": m.group(4), "device_id": m.group(5), "desc": m.group(6)})
            continue
        if clean.startswith("Trying to load:"):
            res["boot_attempts"].append(clean.strip())
        if re.match(r"^\s*E[0-9A-F]{4}:", clean) or "ERROR" in clean or "Error" in clean:
            res["errors"].append(clean.strip())
    return res


# --------------------------------------------------------------------------
# pci_cfg_* trace parsing
# --------------------------------------------------------------------------
RE_TR = re.compile(r"pci_cfg_(read|write) (\S+) ([0-9a-f]{2}):([0-9a-f]{2})\.(\d) @0x([0-9a-f]+) (?:->|<-) 0x([0-9a-f]+)")


def parse_trace(text):
    """Counts and the last value written to each config offset, per function. The trace names a
    function by QEMU type name + BB:SS.F without the PHB; functions are keyed "BB:SS.F vvvv:dddd" (ids
    from the trace's own reads of offset 0), so two PHBs only collide for the same device model at the
    same BB:SS.F (then "ambiguous" lists the key and programmed_bars() gives up for it)."""
    acc = []
    ids = {}
    for line in text.splitlines():
        m = RE_TR.search(line)
        if not m:
            continue
        op, name, bus, slot, fn, off, val = m.groups()
        bdf = "%s:%s.%s" % (bus, slot, fn)
        acc.append((op, name, bdf, int(off, 16), int(val, 16)))
        if op == "read" and int(off, 16) == 0:
            v = int(val, 16)
            ids[(name, bdf)] = "%04x:%04x" % (v & 0xffff, v >> 16)
    per_dev = {}
    last = {}
    names = {}
    for op, name, bdf, off, val in acc:
        key = "%s %s" % (bdf, ids.get((name, bdf), "?"))
        names.setdefault(key, set()).add(name)
        d = per_dev.setdefault(key, {"name": name, "reads": 0, "writes": 0})
        d["reads" if op == "read" else "writes"] += 1
        if op == "write":
            last.setdefault(key, {})[off] = val
    writes = sum(d["writes"] for d in per_dev.values())
    return {"accesses": len(acc), "reads": len(acc) - writes, "writes": writes,
            "per_device": per_dev,
            # last value written to each config offset (the trace has no access size: offsets as written)
            "last_writes": {k: {"0x%02x" % o: "0x%x" % v for o, v in sorted(d.items())} for k, d in sorted(last.items())},
            }, last


def programmed_bars(dev, last, dup):
    """BAR addresses as the firmware left them, from the last config writes (query-pci reports only
    decoded BARs, and SLOF leaves decoding off unless a driver of its own opened the device)."""
    key = "%s %s:%s" % (dev["bdf"], dev["vendor_id"], dev["device_id"])
    if dup.get(key, 0) > 1:
        return {"ambiguous": True}
    w = last.get(key, {})
    out = []
    for b in dev["bars"]:
        if b["index"] == 6:
            off = 0x38 if dev["bridge"] else 0x30
            v = w.get(off)
            out.append({"index": 6, "address": None if v is None else "0x%x" % (v & ~0x7ff),
                        "enabled": None if v is None else bool(v & 1)})
            continue
        off = 0x10 + 4 * b["index"]
        lo = w.get(off)
        if lo is None:
            out.append({"index": b["index"], "address": None})
            continue
        if b["type"] == "io":
            a = lo & ~0x3
        else:
            a = lo & ~0xf
            if b["mem64"]:
                a |= (w.get(off + 4, 0) << 32)
        out.append({"index": b["index"], "address": "0x%x" % a})
    cmd = w.get(0x4)
    return {"command": None if cmd is None else "0x%04x" % (cmd & 0xffff), "bars": out}


def parse_qtree_phbs(text):
    """PHBs in `info qtree` order (= query-pci order: QEMU lists host bridges newest first):
    [{"index": N, "bus": "pci.K", "root_devfns": ["SS.F", ...]}]. Note the bus id is pci.<creation
    order>, not pci.<index>."""
    phbs = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)dev: spapr-pci-host-bridge", lines[i])
        if not m:
            i += 1
            continue
        ind = len(m.group(1))
        phb = {"index": None, "bus": None, "root_devfns": []}
        phbs.append(phb)
        i += 1
        bus_ind = None
        while i < len(lines):
            l = lines[i]
            li = len(l) - len(l.lstrip())
            if li <= ind and l.strip():
                break
            mm = re.match(r"^\s*index = (\d+)", l)
            if mm and bus_ind is None:
                phb["index"] = int(mm.group(1))
            mm = re.match(r"^(\s*)bus: (\S+)", l)
            if mm and bus_ind is None:
                bus_ind = len(mm.group(1))
                phb["bus"] = mm.group(2)
            mm = re.match(r"^(\s*)dev: ", l)
            if mm and bus_ind is not None and len(mm.group(1)) == bus_ind + 2:
                # its addr line follows
                for j in range(i + 1, min(i + 40, len(lines))):
                    ma = re.match(r"^(\s*)addr = ([0-9a-f]{2}\.[0-7])", lines[j])
                    if ma and len(ma.group(1)) == bus_ind + 4:
                        phb["root_devfns"].append(ma.group(2))
                        break
            i += 1
    return phbs


def normalize_pci(qp, qtree_text):
    """oc.normalize_query_pci per PHB: every device gets "phb" (the PHB index) and "domain_bdf"
    ("<phb index>:BB:SS.F"); the result has "phbs" (index, bus id, root bus devices)."""
    phbs = parse_qtree_phbs(qtree_text)
    res = {"phbs": [], "devices": []}
    ok = len(phbs) == len(qp)
    for n, root in enumerate(qp):
        norm = oc.normalize_query_pci([root])
        phb = phbs[n] if ok else {"index": None, "bus": None, "root_devfns": None}
        sig = sorted("%02x.%x" % (d["slot"], d["function"]) for d in root.get("devices", []))
        match = ok and sorted(phb["root_devfns"]) == sig
        res["phbs"].append({"index": phb["index"] if match else None, "bus_id": phb["bus"] if match else None,
                            "root_bus": root.get("bus"), "qtree_match": match})
        for d in norm["devices"]:
            d["phb"] = phb["index"] if match else None
            d["domain_bdf"] = "%s:%s" % (d["phb"], d["bdf"])
            res["devices"].append(d)
    res["phbs"].sort(key=lambda x: (x["index"] is None, x["index"]))
    res["devices"].sort(key=lambda x: (x["phb"] is None, x["phb"] or 0, x["bus"], x["slot"], x["function"]))
    return res


def base_argv(mem, tmp, extra_machine=None):
    m = MACHINE + ("," + extra_machine if extra_machine else "")
    return [QEMU, "-accel", "tcg", "-M", m, "-m", mem, "-smp", "1", "-nodefaults", "-display", "none",
            "-no-reboot", "-monitor", "none", "-qmp", "unix:%s,server=on,wait=off" % os.path.join(tmp, "qmp.sock")]


def dt_pci_dump_cmd():
    """Guest shell: every property of every node under the PHBs, as `path<TAB>hex`."""
    return ("cd /proc/device-tree && for f in $(find . -path './pci@*' -type f | sort); do "
            "echo \"${f#.} $(od -An -v -tx1 $f | tr -d ' \\n')\"; done")


def parse_dt(text):
    props = {}
    for line in text.splitlines():
        if line.startswith("/pci@"):
            p, _, h = line.partition(" ")
            props[p] = h.strip()
    return props


def run_guest(chan, tag, cmd, timeout=300):
    pos = len(chan.text())
    chan.send("run %s %s" % (tag, cmd))
    m, text = chan.wait(r"^@@ORACLE-RUN-END %s rc=(\d+)\n" % re.escape(tag), timeout, pos)
    if not m:
        return {"cmd": cmd, "rc": None, "output": text[pos:][-4000:], "error": "timeout"}
    b = re.search(r"^@@ORACLE-RUN-BEGIN %s\n(.*?)^@@ORACLE-RUN-END" % re.escape(tag), text[pos:], re.S | re.M)
    return {"cmd": cmd, "rc": int(m.group(1)), "output": b.group(1) if b else ""}


# --------------------------------------------------------------------------
# firmware only
# --------------------------------------------------------------------------
def fw_main(opts, qemu_extra):
    mem = oc.last(opts, "-m", "1G")
    out = os.path.abspath(oc.last(opts, "--out", "fw-out"))
    timeout = float(oc.last(opts, "--timeout", "240"))
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="oracle-ps-")
    con = os.path.join(out, "slof.log")
    trace = os.path.join(out, "pci-cfg-trace.log")
    for f in (con, trace):
        if os.path.exists(f):
            os.unlink(f)
    argv = base_argv(mem, tmp, oc.last(opts, "--machine"))
    argv += ["-chardev", "file,id=con,path=%s" % con, "-serial", "chardev:con"]
    if not opts.get("--no-trace"):
        argv += ["-trace", "enable=pci_cfg_*", "-D", trace]
    for pe in opts.get("--prom-env", []):
        argv += ["-prom-env", pe]
    argv += qemu_extra
    scrub = {tmp: "$TMP", out: "$OUT"}
    result = {"kind": "firmware", "machine": "pseries", "machine_arg": argv[argv.index("-M") + 1], "memory": mem,
              "qemu_argv": [os.path.basename(argv[0])] + [_scrub(a, scrub) for a in argv[1:]],
              "device_args": [qemu_extra[i + 1] for i in range(len(qemu_extra) - 1) if qemu_extra[i] == "-device"],
              "versions": ppc_versions()}
    qmp = None
    rc = 0
    t0 = time.time()
    p = oc.start_qemu(argv, os.path.join(out, "qemu-stderr.log"))
    try:
        qmp = oc.QMP(os.path.join(tmp, "qmp.sock"), timeout=60)
        result["versions"]["qemu"] = qmp.greeting.get("QMP", {}).get("version", {}).get("package") or None
        marker, text = oc.wait_for_file_markers(con, FW_DONE_MARKERS, timeout, proc=p)
        result["done_marker"] = marker.strip() if marker else None
        result["timings"] = {"qemu_start_to_slof_done_s": round(time.time() - t0, 3)}
        if marker is None:
            result["error"] = "SLOF did not reach a done marker within %.0fs (qemu alive=%s)" % (timeout, p.poll() is None)
            rc = 2
        if p.poll() is None:
            qp = qmp.cmd("query-pci")
            qtree = qmp.hmp("info qtree")
            result["pci"] = normalize_pci(qp, qtree)
            with open(os.path.join(out, "query-pci.raw.json"), "w") as f:
                json.dump(qp, f, indent=1)
            with open(os.path.join(out, "info-pci.txt"), "w") as f:
                f.write(qmp.hmp("info pci"))
            # 'info qtree' is large; the PHB/DRC summary is in query-pci + the SLOF log
        time.sleep(0.3)
    except Exception as e:
        result["error"] = "%s: %s" % (type(e).__name__, e)
        rc = 3
    finally:
        oc.stop_qemu(p, qmp)
        if qmp:
            qmp.close()
        _rm_tmp(tmp)
    result["qemu_exit"] = p.returncode
    with open(con, errors="replace") as f:
        raw = f.read()
    result["slof"] = parse_slof(raw)
    result["slof_log"] = strip_ansi(raw).replace("\r", "")
    if os.path.exists(trace):
        with open(trace, errors="replace") as f:
            result["pci_cfg_trace"], last = parse_trace(f.read())
        devs = result.get("pci", {}).get("devices", [])
        dup = {}
        for d in devs:
            k = "%s %s:%s" % (d["bdf"], d["vendor_id"], d["device_id"])
            dup[k] = dup.get(k, 0) + 1
        for d in devs:
            d["slof_programmed"] = programmed_bars(d, last, dup)
    oc.scrub_file(os.path.join(out, "qemu-stderr.log"), scrub)
    oc.dump_json(os.path.join(out, "firmware.json"), result)
    if rc:
        print("pseries fw: FAILED: %s" % result.get("error"), file=sys.stderr)
    else:
        print("pseries fw: %d functions, marker %r after %.1fs -> %s" % (
            len(result.get("pci", {}).get("devices", [])), result["done_marker"],
            result["timings"]["qemu_start_to_slof_done_s"], out))
    return rc


def _scrub(a, repl):
    for k, v in repl.items():
        a = a.replace(k, v)
    return a.replace(oc.cache_dir(), "$ORACLE_CACHE")


def _rm_tmp(tmp):
    for f in glob.glob(os.path.join(tmp, "*")):
        try:
            os.unlink(f)
        except OSError:
            pass
    try:
        os.rmdir(tmp)
    except OSError:
        pass


# --------------------------------------------------------------------------
# initramfs: shared init.sh + ppc64el busybox + drmgr/lsslot + libs + rpa modules
# --------------------------------------------------------------------------
def build_initramfs(path, kver_dir):
    root = os.path.join(oc.cache_dir(), PPC_USER)

    def rd(p):
        with open(p, "rb") as f:
            return f.read()
    e = []
    for d in ("bin", "sbin", "dev", "proc", "sys", "tmp", "lib", "lib64", "lib/oracle", "usr", "usr/sbin",
              "var", "var/lock", "var/log", "var/run", "etc", "lib/powerpc64le-linux-gnu"):
        e.append((d, 0o041777 if d == "tmp" else 0o040755, None, None))
    e += [("dev/console", 0o020600, None, (5, 1)), ("dev/null", 0o020666, None, (1, 3)),
          ("bin/busybox", 0o100755, rd(os.path.join(root, "bin/busybox")), None),
          ("init", 0o100755, rd(os.path.join(SHARED_LIB, "..", "guest", "init.sh")), None)]
    libdir = "lib/powerpc64le-linux-gnu"
    for src in ("lib/powerpc64le-linux-gnu/ld64.so.2", "lib/powerpc64le-linux-gnu/libc.so.6",
                "usr/lib/powerpc64le-linux-gnu/librtas.so.2", "usr/lib/powerpc64le-linux-gnu/librtasevent.so.2",
                "usr/lib/powerpc64le-linux-gnu/libnuma.so.1", "lib/powerpc64le-linux-gnu/libz.so.1"):
        p = os.path.realpath(os.path.join(root, src))
        if os.path.exists(p):
            e.append((libdir + "/" + os.path.basename(src), 0o100755, rd(p), None))
    e.append(("lib64/ld64.so.2", 0o120777, b"/lib/powerpc64le-linux-gnu/ld64.so.2", None))
    for tool in ("drmgr", "lsslot"):
        p = os.path.join(root, "usr/sbin", tool)
        if os.path.exists(p):
            e.append(("usr/sbin/" + tool, 0o100755, rd(p), None))
            e.append(("bin/" + tool, 0o120777, ("/usr/sbin/" + tool).encode(), None))
    for mod in ("rpaphp", "rpadlpar_io"):
        c = glob.glob(os.path.join(kver_dir, "lib/modules/*/kernel/drivers/pci/hotplug/%s.ko*" % mod))
        if c:
            data = rd(c[0])
            if c[0].endswith(".xz"):
                data = lzma.decompress(data)
            e.append(("lib/oracle/%s.ko" % mod, 0o100644, data, None))
    oc.write_cpio(path, e)


# --------------------------------------------------------------------------
# Linux
# --------------------------------------------------------------------------
def linux_main(opts, qemu_extra, order):
    mem = oc.last(opts, "-m", "1G")
    out = os.path.abspath(oc.last(opts, "--out", "linux-out"))
    kver = oc.last(opts, "--kernel-version", "6.12")
    kernel = oc.last(opts, "--kernel", kernel_for(kver))
    if not kernel or not os.path.exists(kernel):
        print("no ppc64el kernel %s in $ORACLE_CACHE/ppc64el-%s (run setup-pseries.sh)" % (kver, kver), file=sys.stderr)
        return 2
    boot_timeout = float(oc.last(opts, "--boot-timeout", "900"))
    hp_timeout = float(oc.last(opts, "--hotplug-timeout", "300"))
    settle = float(oc.last(opts, "--settle", "4"))
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="oracle-ps-")
    data = os.path.join(tmp, "data.sock")
    initrd = os.path.join(tmp, "initramfs.cpio")
    build_initramfs(initrd, os.path.dirname(os.path.dirname(kernel)))
    append = "console=hvc0 oracle.data=hvc0 panic=-1 loglevel=1"
    extra_append = " ".join(opts.get("--append", []))
    if extra_append:
        append += " " + extra_append
    argv = base_argv(mem, tmp, oc.last(opts, "--machine"))
    argv += ["-chardev", "socket,id=data,path=%s,server=on,wait=on" % data, "-serial", "chardev:data",
             "-kernel", kernel, "-initrd", initrd, "-append", append]
    argv += qemu_extra
    scrub = {tmp: "$TMP", out: "$OUT"}
    result = {"kind": "linux", "arch": "ppc64le", "machine": "pseries", "machine_arg": argv[argv.index("-M") + 1],
              "memory": mem, "kernel_version": kver, "kernel_cmdline": append,
              "qemu_argv": [os.path.basename(argv[0])] + [_scrub(a, scrub) for a in argv[1:]],
              "device_args": [qemu_extra[i + 1] for i in range(len(qemu_extra) - 1) if qemu_extra[i] == "-device"],
              "versions": ppc_versions(), "timings": {}, "dumps": {}, "hotplug": []}
    result["versions"]["kernel"] = os.path.basename(kernel)
    rc = 0
    p = qmp = chan = None
    t0 = time.time()
    try:
        p = oc.start_qemu(argv, os.path.join(out, "qemu-stderr.log"))
        chan = ol.DataChan(data, os.path.join(out, "data-channel.log"), 60)
        qmp = oc.QMP(os.path.join(tmp, "qmp.sock"), timeout=60)
        result["versions"]["qemu"] = qmp.greeting.get("QMP", {}).get("version", {}).get("package") or None
        m, text = chan.wait(r"^@@ORACLE-DUMP-END boot\n", boot_timeout)
        if not m:
            raise RuntimeError("guest boot dump not received within %.0fs (qemu alive=%s)" % (boot_timeout, p.poll() is None))
        result["timings"]["qemu_start_to_boot_dump_s"] = round(time.time() - t0, 3)
        pre = text[:text.find("@@ORACLE-READY")]
        result["slof"] = parse_slof(pre)
        result["slof_log"] = strip_ansi(pre).replace("\r", "")
        result["dumps"]["boot"] = ol.parse_dump(ol.extract_dump(text, "boot"))
        result["query_pci_boot"] = normalize_pci(qmp.cmd("query-pci"), qmp.hmp("info qtree"))
        r = run_guest(chan, "dt-boot", dt_pci_dump_cmd())
        result["device_tree_boot"] = parse_dt(r.get("output", ""))
        # guest commands before any hot-plug (e.g. insmod) have no SPEC: --guest before --hotplug
        hp = None
        steps = []
        for kind, val in order:
            if kind == "--hotplug":
                hp = {"spec": val, "guest": []}
                steps.append(hp)
            elif kind == "--guest":
                if hp is None:
                    hp = {"spec": None, "guest": []}
                    steps.append(hp)
                hp["guest"].append(val)
        n = 0
        for st in steps:
            if st["spec"] is None:
                result["pre_hotplug_guest"] = [run_guest(chan, "pre%d" % i, c) for i, c in enumerate(st["guest"])]
                continue
            rec = {"spec": ol.hmp_device_add_args(st["spec"], "hp%d" % n)}
            result["hotplug"].append(rec)
            before = _devs(chan)
            t_add = time.time()
            rec["hmp_result"] = qmp.hmp("device_add " + rec["spec"])
            if rec["hmp_result"].strip():
                rec["error"] = rec["hmp_result"].strip()
            time.sleep(2)
            rec["events"] = [e for e in qmp.events]
            qmp.events = []
            rec["guest"] = []
            for i, c in enumerate(st["guest"]):
                rec["guest"].append(run_guest(chan, "hp%d-%d" % (n, i), c, hp_timeout))
            _settle(chan, settle, hp_timeout)
            rec["new_devices"] = sorted(set(_devs(chan)) - set(before))
            rec["timings"] = {"device_add_to_settled_s": round(time.time() - t_add, 3)}
            tag = "hotplug%d" % n
            pos = len(chan.text())
            chan.send("dump " + tag)
            m, text = chan.wait(r"^@@ORACLE-DUMP-END %s\n" % tag, 300, pos)
            if m:
                dd = ol.parse_dump(ol.extract_dump(text, tag, pos))
                result["dumps"][tag] = dd
                prev = list(result["dumps"])[-2]
                base = result["dumps"][prev]["dmesg"].splitlines()
                rec["dmesg_new_lines"] = dd["dmesg"].splitlines()[len(base):]
                rec["nospace_lines"] = [x for x in rec["dmesg_new_lines"] if ol.NOSPACE_RE.search(x)]
                rec["new_device_resources"] = {b: dd["devices"].get(b, {}).get("resources") for b in rec["new_devices"]}
            else:
                rec["error"] = (rec.get("error", "") + " post-hotplug dump not received").strip()
                rc = 4
            rec["query_pci_after"] = normalize_pci(qmp.cmd("query-pci"), qmp.hmp("info qtree"))
            r = run_guest(chan, "dt-" + tag, dt_pci_dump_cmd())
            rec["device_tree_after"] = parse_dt(r.get("output", ""))
            rec["outcome"] = ol.hotplug_outcome(rec, result["dumps"].get(tag))
            n += 1
        chan.send("off")
        try:
            p.wait(timeout=30)
        except Exception:
            pass
    except Exception as e:
        result["error"] = "%s: %s" % (type(e).__name__, e)
        rc = 3
    finally:
        oc.stop_qemu(p, qmp)
        if qmp:
            qmp.close()
        if chan:
            chan.close()
        _rm_tmp(tmp)
    result["qemu_exit"] = p.returncode if p else None
    oc.scrub_file(os.path.join(out, "qemu-stderr.log"), scrub)
    trim_channel_log(os.path.join(out, "data-channel.log"))
    oc.dump_json(os.path.join(out, "linux.json"), result)
    for tag, d in result["dumps"].items():
        for sec in ("dmesg", "iomem", "ioports"):
            with open(os.path.join(out, "%s.%s.txt" % (tag, sec)), "w") as f:
                f.write(d.get(sec, "") + "\n")
    if rc:
        print("pseries linux: FAILED: %s" % result.get("error"), file=sys.stderr)
    else:
        print("pseries linux: boot dump after %.1fs; %s -> %s" % (
            result["timings"]["qemu_start_to_boot_dump_s"],
            "; ".join("%s -> %s" % (h["spec"], h.get("new_devices")) for h in result["hotplug"]) or "no hotplug", out))
    return rc


def trim_channel_log(path):
    """Keep the raw hvc0 stream small: the dump blocks (stored parsed in linux.json and as <tag>.*.txt) and
    the recorder's polling replies are replaced by one marker line each; SLOF's console, the kernel's
    prom_init lines and the guest command outputs stay verbatim."""
    try:
        with open(path, "rb") as f:
            raw = f.read().decode("utf-8", "replace")
    except OSError:
        return
    out = []
    skip = None
    for line in raw.split("\n"):
        if skip:
            if line.startswith("@@ORACLE-DUMP-END " + skip) or line.startswith("@@ORACLE-" + skip + " "):
                skip = None
            continue
        if line.startswith("@@ORACLE-DUMP-BEGIN "):
            skip = line.split(" ", 1)[1].strip()
            out.append("@@ORACLE-DUMP %s (parsed into linux.json dumps.%s)" % (skip, skip))
            continue
        if line.startswith("@@ORACLE-RUN-BEGIN dt-"):
            tag = line.split(" ", 1)[1].strip()
            skip = "RUN-END " + tag
            out.append("@@ORACLE-RUN %s (device tree, parsed into linux.json)" % tag)
            continue
        if line.startswith("@@ORACLE-COUNT ") or line.startswith("@@ORACLE-DEVS "):
            continue
        out.append(line)
    with open(path, "w") as f:
        f.write("\n".join(out))


def _devs(chan):
    pos = len(chan.text())
    chan.send("devs")
    m, _ = chan.wait(r"^@@ORACLE-DEVS (.*)\n", 60, pos)
    return m.group(1).split() if m else []


def _settle(chan, settle, timeout):
    """Wait until the dmesg line count has been unchanged for `settle` seconds."""
    last, since = None, time.time()
    deadline = time.time() + timeout
    while time.time() < deadline:
        pos = len(chan.text())
        chan.send("count")
        m, _ = chan.wait(r"^@@ORACLE-COUNT (\d+)\n", 60, pos)
        c = int(m.group(1)) if m else last
        if c != last:
            last, since = c, time.time()
        elif time.time() - since >= settle:
            return
        time.sleep(0.5)


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    mode, rest = argv[0], argv[1:]
    opts, qemu_extra = oc.parse_qemu_args(rest, FLAGS, OPTS)
    order = []
    i = 0
    while i < len(rest):
        if rest[i] in ("--hotplug", "--guest") and i + 1 < len(rest):
            order.append((rest[i], rest[i + 1]))
            i += 2
        else:
            i += 1
    if mode == "fw":
        return fw_main(opts, qemu_extra)
    if mode == "linux":
        return linux_main(opts, qemu_extra, order)
    print("unknown mode %r (fw|linux)" % mode, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
