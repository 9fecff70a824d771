#!/usr/bin/env python3
"""OVMF oracle: boot QEMU 7.2 + Debian's OVMF (2022.11, a RELEASE build: no DEBUG log) on a PCI topology
and record what the firmware programmed, the way ../shared/recorder records SeaBIOS.

Firmware-only (default): wait until OVMF's BDS has started the built-in EFI shell (the serial console shows
"Shell>"; with -nodefaults there is nothing else to boot), then poll QMP query-pci until it is identical over
--stable-polls consecutive polls, then record query-pci, HMP info pci and every function's first 256 config
bytes read through 0xcf8/0xcfc (oracle_common.read_config_space), plus QEMU's pci_cfg_write trace (every config
write OVMF made, in order).

--linux: the same QEMU + OVMF, then ../shared/recorder's Linux run (-kernel direct boot through OVMF's fw_cfg
kernel loader, busybox initramfs, optional QMP device_add hot-plug); linux.json gets "firmware":"ovmf".

usage: ovmf.sh [--linux] [--machine pc|q35] [-m 1G] [--out DIR] [--timeout S] [--stable-polls N]
               [--code FILE] [--vars FILE] [--no-trace] [--no-raw-config]
               [linux.sh options: --kernel-version, --hotplug, --boot-timeout, ...]
               [-device ARG]... [-- extra qemu args, e.g. -cpu qemu64,phys-bits=39
                                  -fw_cfg name=opt/ovmf/X-PciMmio64Mb,string=65536]
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time


def _shared_lib():
    """../shared/recorder/lib beside the repository (or $SHARED_RECORDER_LIB); imported, never copied."""
    env = os.environ.get("SHARED_RECORDER_LIB")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    d = here
    while d != os.path.dirname(d):
        cand = os.path.join(os.path.dirname(d), "shared", "recorder", "lib")
        if os.path.isfile(os.path.join(cand, "oracle_common.py")):
            return cand
        d = os.path.dirname(d)
    raise SystemExit("../shared/recorder/lib not found above %s (set SHARED_RECORDER_LIB)" % here)


sys.path.insert(0, _shared_lib())
import oracle_common as oc  # noqa: E402

FLAGS = {"--help", "-h", "--linux", "--no-trace", "--no-raw-config", "--defaults"}
OPTS = {"--machine", "-m", "--mem", "--out", "--timeout", "--stable-polls", "--code", "--vars", "--qemu",
        "--poll-interval"}
# linux.py's own options, passed through in --linux mode
LINUX_OPTS = {"--kernel", "--busybox", "--append", "--hotplug", "--boot-timeout", "--hotplug-timeout",
              "--settle", "--min-wait", "--kernel-version"}

DEFAULT_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"   # Debian's firmware descriptor 60-edk2-x86_64.json
DEFAULT_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
# BDS reached: OVMF (RELEASE) prints the BdsDxe lines and the shell on the serial console. PciBusDxe's
# enumeration (PciHostBridgeResourceAllocator) ran long before, in the DXE dispatch of PciBusDxe.
DONE_MARKERS = ["Shell> ", "BdsDxe: No bootable option", "Boot Failed"]
ANSI_RE = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")
TRACE_RE = re.compile(r"^(?:\d+@\d+\.\d+:)?(pci_cfg_write .*)$")


def clean_serial(text):
    """The serial console without terminal escape sequences and CRs."""
    return ANSI_RE.sub("", text).replace("\r", "")


def versions(qemu_bin):
    v = oc.dpkg_versions(["qemu-system-x86", "ovmf"])
    try:
        r = subprocess.run([qemu_bin, "--version"], capture_output=True, text=True, timeout=60)
        v["qemu"] = (r.stdout.splitlines() or [""])[0].strip() or None
    except Exception:
        v["qemu"] = None
    return v


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def firmware_info(code, vars_template):
    return {"code": code, "vars_template": vars_template, "code_sha256": sha256(code),
            "build": "RELEASE (Debian ovmf package; no DEBUG log)"}


def pflash_args(code, vars_copy):
    return ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=%s" % code,
            "-drive", "if=pflash,format=raw,unit=1,file=%s" % vars_copy]


def fw_cfg_items(extra):
    return [extra[i + 1] for i in range(len(extra) - 1) if extra[i] == "-fw_cfg"]


def cpu_arg(extra):
    c = [extra[i + 1] for i in range(len(extra) - 1) if extra[i] == "-cpu"]
    return c[-1] if c else None


def wait_settled(qmp, polls, interval, timeout):
    """query-pci until `polls` consecutive answers are identical. Returns (answer, n_polls, stable)."""
    deadline = time.time() + timeout
    last, same, n = None, 0, 0
    while True:
        cur = qmp.cmd("query-pci")
        n += 1
        same = same + 1 if cur == last else 1
        last = cur
        if same >= polls:
            return cur, n, True
        if time.time() > deadline:
            return cur, n, False
        time.sleep(interval)


def run_firmware(opts, extra):
    machine = oc.last(opts, "--machine", "q35")
    mem = oc.last(opts, "-m", oc.last(opts, "--mem", "1G"))
    out = os.path.abspath(oc.last(opts, "--out", "ovmf-out"))
    timeout = float(oc.last(opts, "--timeout", "600"))
    polls = int(oc.last(opts, "--stable-polls", "3"))
    interval = float(oc.last(opts, "--poll-interval", "1"))
    qemu_bin = oc.last(opts, "--qemu", "qemu-system-x86_64")
    code = oc.last(opts, "--code", DEFAULT_CODE)
    vars_t = oc.last(opts, "--vars", DEFAULT_VARS)
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="oracle-ovmf-")
    qmp_path = os.path.join(tmp, "qmp.sock")
    vars_copy = os.path.join(tmp, "vars.fd")
    shutil.copyfile(vars_t, vars_copy)
    serial_path = os.path.join(out, "serial.raw.log")
    trace_path = os.path.join(tmp, "trace.log")
    for f in (serial_path,):
        if os.path.exists(f):
            os.unlink(f)

    argv_q = [qemu_bin, "-accel", "tcg", "-M", machine, "-m", mem, "-display", "none", "-no-reboot"]
    argv_q += pflash_args(code, vars_copy)
    argv_q += ["-qmp", "unix:%s,server=on,wait=off" % qmp_path,
               "-serial", "file:%s" % serial_path, "-monitor", "none"]
    if not opts.get("--no-trace"):
        argv_q += ["-trace", "pci_cfg_write", "-D", trace_path]
    if not opts.get("--defaults"):
        argv_q.append("-nodefaults")
    argv_q += extra

    def scrub(a):
        return a.replace(vars_copy, "$VARS").replace(tmp, "$TMP").replace(out, "$OUT")

    result = {"kind": "firmware", "firmware": "ovmf", "machine": machine, "memory": mem,
              "cpu": cpu_arg(extra), "fw_cfg": fw_cfg_items(extra),
              "qemu_argv": [os.path.basename(argv_q[0])] + [scrub(a) for a in argv_q[1:]],
              "device_args": [extra[i + 1] for i in range(len(extra) - 1) if extra[i] == "-device"],
              "versions": versions(qemu_bin), "ovmf": firmware_info(code, vars_t)}
    rc = 0
    t0 = time.time()
    p = oc.start_qemu(argv_q, os.path.join(out, "qemu-stderr.log"))
    qmp = None
    try:
        qmp = oc.QMP(qmp_path, timeout=60)
        marker, _ = oc.wait_for_file_markers(serial_path, DONE_MARKERS, timeout, proc=p)
        t_done = time.time()
        result["done_marker"] = marker
        if marker is None:
            result["error"] = "OVMF did not reach a done marker within %.0fs (qemu alive=%s)" % (
                timeout, p.poll() is None)
            rc = 2
        if p.poll() is None:
            qp, n, stable = wait_settled(qmp, polls, interval, 120)
            result["settle"] = {"method": "query-pci identical over %d consecutive polls, %.1fs apart" % (
                polls, interval), "polls": n, "stable": stable}
            if not stable:
                rc = rc or 2
                result["error"] = "query-pci did not settle"
            info_pci = qmp.hmp("info pci")
            t_q = time.time()
            result["timings"] = {"qemu_start_to_bds_s": round(t_done - t0, 3),
                                 "qemu_start_to_query_pci_s": round(t_q - t0, 3)}
            result["pci"] = oc.normalize_query_pci(qp)
            if not opts.get("--no-raw-config"):
                t_c = time.time()
                for d in result["pci"]["devices"]:
                    d["config_hex"] = oc.read_config_space(qmp, d["bus"], d["slot"], d["function"])
                    d["config_decoded"] = oc.decode_config(d["config_hex"])
                result["timings"]["raw_config_read_s"] = round(time.time() - t_c, 3)
            # nothing may have moved while the config bytes were read
            result["settle"]["unchanged_after_raw_read"] = qmp.cmd("query-pci") == qp
            with open(os.path.join(out, "query-pci.raw.json"), "w") as f:
                json.dump(qp, f, indent=1)
            with open(os.path.join(out, "info-pci.txt"), "w") as f:
                f.write(info_pci)
    except Exception as e:
        result["error"] = "%s: %s" % (type(e).__name__, e)
        rc = 3
    finally:
        oc.stop_qemu(p, qmp)
        if qmp:
            qmp.close()
    result["qemu_exit"] = p.returncode
    try:
        with open(serial_path, "r", errors="replace") as f:
            serial = clean_serial(f.read())
    except OSError:
        serial = ""
    os.unlink(serial_path) if os.path.exists(serial_path) else None
    with open(os.path.join(out, "serial.log"), "w") as f:
        f.write(serial)
    result["serial_log"] = serial
    result["bds_lines"] = [l for l in serial.splitlines() if l.startswith("BdsDxe")]
    if os.path.exists(trace_path):
        with open(trace_path, errors="replace") as f:
            lines = [m.group(1) for m in (TRACE_RE.match(l) for l in f.read().splitlines()) if m]
        with open(os.path.join(out, "pci-cfg-write-trace.log"), "w") as f:
            f.write("\n".join(lines) + ("\n" if lines else ""))
        result["pci_cfg_writes"] = len(lines)
    shutil.rmtree(tmp, ignore_errors=True)
    oc.scrub_file(os.path.join(out, "qemu-stderr.log"), {vars_copy: "$VARS", tmp: "$TMP", out: "$OUT"})
    oc.dump_json(os.path.join(out, "firmware.json"), result)
    if rc:
        print("ovmf oracle: FAILED: %s" % result.get("error"), file=sys.stderr)
    else:
        print("ovmf oracle: %d devices, %.1fs to query-pci -> %s" % (
            len(result["pci"]["devices"]), result["timings"]["qemu_start_to_query_pci_s"],
            os.path.join(out, "firmware.json")))
    return rc


def run_linux(opts, extra, raw_argv):
    """../shared/recorder/lib/linux.py with OVMF's pflash drives instead of SeaBIOS."""
    import linux  # ../shared/recorder/lib
    out = os.path.abspath(oc.last(opts, "--out", "ovmf-linux-out"))
    code = oc.last(opts, "--code", DEFAULT_CODE)
    vars_t = oc.last(opts, "--vars", DEFAULT_VARS)
    tmp = tempfile.mkdtemp(prefix="oracle-ovmf-")
    vars_copy = os.path.join(tmp, "vars.fd")
    shutil.copyfile(vars_t, vars_copy)
    largv = ["--arch", "x86_64", "--out", out,
             "--machine", oc.last(opts, "--machine", "q35"), "-m", oc.last(opts, "-m", "1G")]
    if not oc.last(opts, "--boot-timeout"):
        largv += ["--boot-timeout", "1200"]
    if not oc.last(opts, "--hotplug-timeout"):
        largv += ["--hotplug-timeout", "240"]
    if opts.get("--defaults"):
        largv.append("--defaults")
    for k in sorted(LINUX_OPTS):
        for v in opts.get(k, []):
            largv += [k, v]
    largv += ["--"] + extra + pflash_args(code, vars_copy)
    rc = linux.main(largv)
    shutil.rmtree(tmp, ignore_errors=True)
    path = os.path.join(out, "linux.json")
    with open(path) as f:
        res = json.load(f)
    res["firmware"] = "ovmf"
    res["cpu"] = cpu_arg(extra)
    res["fw_cfg"] = fw_cfg_items(extra)
    res["qemu_argv"] = [a.replace(vars_copy, "$VARS").replace(tmp, "$TMP") for a in res["qemu_argv"]]
    v = res.get("versions", {})
    v.pop("seabios", None)
    v.update(oc.dpkg_versions(["ovmf"]))
    res["ovmf"] = firmware_info(code, vars_t)
    # linux.py's debugcon file stays empty under a RELEASE OVMF; its SeaBIOS parse means nothing here
    res.pop("seabios", None)
    sb = os.path.join(out, "seabios.log")
    if os.path.exists(sb) and os.path.getsize(sb) == 0:
        os.unlink(sb)
    con = os.path.join(out, "console.log")
    if os.path.exists(con):
        with open(con, errors="replace") as f:
            text = clean_serial(f.read())
        with open(con, "w") as f:
            f.write(text)
        res["bds_lines"] = [l for l in text.splitlines() if l.startswith("BdsDxe")]
    oc.dump_json(path, res)
    return rc


def main(argv):
    opts, extra = oc.parse_qemu_args(argv, FLAGS, OPTS | LINUX_OPTS)
    if opts.get("--help") or opts.get("-h"):
        print(__doc__)
        return 0
    if opts.get("--linux"):
        return run_linux(opts, extra, argv)
    return run_firmware(opts, extra)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
