#!/usr/bin/env python3
"""
Speed of the novadocker formula against Salt's own floor, on this machine (``make bench``).

Everything runs here, in this process tree: a real dockerd on a private socket under /tmp
(``--storage-driver=vfs --bridge=none --iptables=false --ip6tables=false``, stopped at the
end), an HTTP server on 127.0.0.1 serving a pbr-packaged stand-in of the driver's git archive
(built with test/fixtures/driver.py's helpers), a real virtualenv standing in for nova's
environment, a real system user and socket group (deleted at the end), and ``salt-call
--local`` with one minion config per run, whose file_roots hold the files FORMULA ships (as
on a real node; the repository itself, with its virtualenvs, would slow every call).

Each run lays a fresh sandbox node (test/testnode.py's ``lay_sandbox``), a fresh nova venv and
a fresh minion (its own cache: the driver is downloaded again), syncs the formula's modules
(not timed: a node does that once), warms up with one floor and one test.ping (not timed), then
times with the same minion config and flags:

  floor            state.apply of an SLS holding one test.succeed_without_changes
  test.ping        the floor of an execution-module call
  first apply      state.apply novadocker on the fresh node (download, pip install, edits)
  re-apply         state.apply novadocker again, nothing to change
  render only      state.show_sls novadocker (the SLS tree rendered, no state run)
  test=True        state.apply novadocker test=True
  novadocker.check / novadocker.validate_daemon
  wheelhouse       state.apply novadocker on a fresh offline node: its nova environment, pip
                   with no configuration file and its index a closed port (pip builds in
                   isolation), driver:wheelhouse (salt://) filled by README's pip wheel command

and, outside Salt, a plain ``<nova venv python> -m pip install`` of the same archive into
another fresh copy of the venv, to report the first apply without the pip install itself.
Bytecode: the salt-calls run without ``PYTHONDONTWRITEBYTECODE`` (dropped from the
environment if the shell sets it), as salt-minion runs on a node: the formula's synced modules
are compiled once into ``extmods/*/__pycache__`` like Salt's own modules were at pip install.
With it set, every call would compile ~130 KB of the formula's Python again (~0.04 s) while
the floor's modules come precompiled.

The table gives medians over the runs, each with its ratio to the floor measured in the same
invocation. A re-apply must start no process: it is run once more under
``strace -f -e trace=execve`` next to the floor (the difference is what the formula started),
and the HTTP server must have seen no request during re-applies, test=True and checks.

Targets are reported PASS/MISS; a miss never fails (this is a benchmark, not a test). A run
that breaks (a state fails, the daemon does not start) exits non-zero: its numbers would mean
nothing.

Usage: scripts/bench.py [--runs 5] [--markdown BENCHMARKS.md]
"""

import argparse
import datetime
import grp
import json
import os
import pathlib
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import salt.utils.yaml

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "test"))

from testnode import lay_sandbox  # noqa: E402
from fixtures.dockerd import Dockerd  # noqa: E402
from fixtures.driver import ArchiveFactory, HTTPServerFixture  # noqa: E402

BIN = pathlib.Path(sys.executable).parent
SALT_CALL = BIN / "salt-call"
DRIVER_VERSION = "0.0.1.dev273"
DRIVER_REF = "stable-mitaka"
#: As the fleet tests install it: pbr is in the nova venv already, nothing to fetch.
PIP_ARGS = ["--no-build-isolation", "--no-deps"]
FLOOR_SLS = "novadocker_bench_floor"
DRIVER_STATE = "novadocker-compute-driver"

TARGETS = {
    # row: (reference row, max ratio)
    "re-apply": ("floor", 1.25),
    "first apply without pip": ("floor", 1.6),
    "novadocker.check": ("test.ping", 1.2),
}


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def run(argv, env=None, check=True, timeout=900):
    proc = subprocess.run(
        [str(a) for a in argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    if check and proc.returncode != 0:
        raise SystemExit(
            "bench: {} failed ({}):\n{}\n{}".format(
                " ".join(str(a) for a in argv), proc.returncode, proc.stdout[-3000:], proc.stderr
            )
        )
    return proc


# -- the world: user and group, dockerd, HTTP server, nova venv template ---------------------


class NovaAccount:
    """A real system user and socket group for the run, deleted at the end."""

    def __init__(self):
        pid = os.getpid()
        self.user, self.group = f"ndbnova{pid}", f"ndbdock{pid}"
        run(["groupadd", "--system", self.group])
        try:
            run(
                [
                    "useradd",
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    self.user,
                ]
            )
        except SystemExit:
            run(["groupdel", self.group], check=False)
            raise

    def delete(self):
        run(["userdel", self.user], check=False)
        run(["groupdel", self.group], check=False)
        try:
            grp.getgrnam(self.user)
        except KeyError:
            pass
        else:
            run(["groupdel", self.user], check=False)


def make_nova_venv(dest):
    """A real nova node's environment: nova 34 (copied from .venv-openstack, its dependencies
    through a .pth), pbr, setuptools, wheel and the docker library, as the tests'
    ``real_nova_venv`` (the load gate proves that nova loads the driver)."""
    run([sys.executable, "-m", "venv", dest])
    python = pathlib.Path(dest) / "bin" / "python"
    rel = pathlib.Path("lib", f"python{sys.version_info[0]}.{sys.version_info[1]}", "site-packages")
    openstack_site = REPO / ".venv-openstack" / rel
    if not (openstack_site / "nova").is_dir():
        sys.exit(f"bench: no nova in {openstack_site}: run `sh scripts/openstack-venv.sh`")
    site = pathlib.Path(dest) / rel
    for entry in openstack_site.iterdir():
        if entry.name == "nova" or re.match(r"^nova-\d.*\.dist-info$", entry.name):
            shutil.copytree(entry, site / entry.name, symlinks=True)
    (site / "zz-openstack-deps.pth").write_text(f"{openstack_site}\n")
    run(
        [python, "-m", "pip", "install", "--no-input", "-q", "pbr", "setuptools", "wheel", "docker"]
    )
    return python


def formula_root(dest):
    """A node's file_roots: the files FORMULA ships (what ``spm local install`` lays out).

    Not the repository itself: Salt's roots fileserver walks every file under file_roots on
    each salt-call (its mtime map), and the repository's virtualenvs hold ~15,000 files each,
    which adds about a second to every call, the floor included.
    """
    formula = salt.utils.yaml.safe_load((REPO / "FORMULA").read_text())
    dest = pathlib.Path(dest)
    dest.mkdir(parents=True)
    for entry in formula["files"]:
        src = REPO / entry
        if src.is_dir():
            shutil.copytree(src, dest / entry, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / entry)
    return dest


def fill_wheelhouse(python, archive, dest):
    """README's ``pip wheel`` command (Offline nodes), run where an index is reachable."""
    env = dict(os.environ, PBR_VERSION=DRIVER_VERSION)
    cmd = [python, "-m", "pip", "wheel", "-q", "--wheel-dir", dest, archive]
    run([*cmd, "setuptools", "wheel", "pbr"], env=env)


def closed_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def copy_venv(template_python, dest):
    shutil.copytree(
        pathlib.Path(template_python).parent.parent, dest, symlinks=True, copy_function=os.link
    )
    return pathlib.Path(dest) / "bin" / "python"


# -- one run: a fresh node and minion --------------------------------------------------------


class Node:
    def __init__(self, base, index, world, offline=False):
        self.dir = pathlib.Path(base) / f"run{index}"
        self.root = self.dir / "node"
        lay_sandbox(self.root)
        #: The environment of its salt-calls (None: this process's).
        self.env = None
        if offline:
            # An offline node: its real nova environment (the load gate needs nova), pip
            # building the driver in an isolated environment from the wheelhouse, and a pip
            # that reaches no index at all (no configuration file, the index a closed port, no
            # retries).
            self.python = copy_venv(world["nova_python"], self.dir / "nova-venv")
            self.env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
            self.env.update(
                PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL=world["dead_index"], PIP_RETRIES="0"
            )
        else:
            self.python = copy_venv(world["nova_python"], self.dir / "nova-venv")
        self.conf = self.dir / "salt"
        pillar_dir = self.dir / "pillar"
        pillar_dir.mkdir(parents=True)
        self.conf.mkdir()
        minion = {
            "id": f"novadocker-bench-{index}",
            "file_client": "local",
            "root_dir": str(self.conf),
            "file_roots": {"base": [str(world["formula"]), str(world["states"])]},
            "pillar_roots": {"base": [str(pillar_dir)]},
            "log_file": str(self.conf / "minion.log"),
        }
        (self.conf / "minion").write_text(json.dumps(minion, indent=2))
        (pillar_dir / "top.sls").write_text("base:\n  '*':\n    - node\n")
        pillar = {
            "novadocker": {
                "root": str(self.root),
                "compute": {
                    "enabled": True,
                    # No init system in a sandbox: nothing to restart.
                    "service": False,
                    "user": world["account"].user,
                    "socket_group": world["account"].group,
                    "docker": {"host_url": world["dockerd"].url},
                },
                "driver": {
                    "python": str(self.python),
                    "source": world["url"],
                    "source_hash": world["archive"].source_hash,
                    "version": DRIVER_VERSION,
                    "pip_args": [] if offline else PIP_ARGS,
                    "wheelhouse": "salt://wheels" if offline else "",
                },
                # No glance-api in a sandbox: no live image schema to read.
                "image": {"enabled": True, "service": False, "api": {"verify": False}},
            }
        }
        (pillar_dir / "node.sls").write_text(json.dumps(pillar, indent=2))

    def argv(self, *args):
        return [SALT_CALL, "--local", "-c", self.conf, "--out=json", *args]

    def call(self, *args, prefix=()):
        """(seconds, parsed output) of one salt-call."""
        argv = [*prefix, *self.argv(*args)]
        start = time.perf_counter()
        proc = run(argv, env=self.env, check=False)
        elapsed = time.perf_counter() - start
        try:
            data = json.loads(proc.stdout)["local"]
        except (ValueError, KeyError):
            raise SystemExit(
                "bench: no JSON from {}:\n{}\n{}".format(args, proc.stdout[-3000:], proc.stderr)
            ) from None
        return elapsed, data, proc.returncode

    def apply(self, *args):
        """(seconds, states by id) of a state run; every state must have passed."""
        elapsed, data, code = self.call("state.apply", *args, "--retcode-passthrough")
        if not isinstance(data, dict):
            raise SystemExit(f"bench: state.apply {args} returned {data!r}")
        states = {v["__id__"]: v for v in data.values() if isinstance(v, dict) and "__id__" in v}
        bad = {k: v.get("comment") for k, v in states.items() if v.get("result") is False}
        if code != 0 or bad:
            raise SystemExit(f"bench: state.apply {' '.join(args)} failed ({code}): {bad}")
        return elapsed, states


def own_time(states):
    """Seconds the states themselves took (sum of their durations; Salt reports ms)."""
    return sum(float(s.get("duration") or 0) for s in states.values()) / 1000.0


def slowest(states):
    sid, state = max(states.items(), key=lambda kv: float(kv[1].get("duration") or 0))
    return sid, float(state.get("duration") or 0) / 1000.0


def pip_plain(world, dest):
    """Seconds of a plain pip install of the same archive into a fresh copy of the nova venv."""
    python = copy_venv(world["nova_python"], dest)
    env = dict(os.environ, PBR_VERSION=DRIVER_VERSION)
    start = time.perf_counter()
    run(
        [python, "-m", "pip", "install", "--no-input", "-q", *PIP_ARGS, world["archive"].path],
        env=env,
    )
    return time.perf_counter() - start


def one_run(index, world, samples, notes):
    node = Node(world["base"], index, world)
    # A fresh node gets the formula's modules once (state.apply does not sync): not timed.
    _, synced, code = node.call("saltutil.sync_all")
    assert code == 0 and "modules.novadocker" in synced["modules"], synced

    # Untimed warm-up: the fresh minion's first calls write caches (grains, bytecode) that every
    # later call reuses; the floor is measured warm, like the formula's re-applies.
    node.apply(FLOOR_SLS)
    node.call("test.ping")

    http = world["http"]
    for _ in range(2):
        samples["floor"].append(node.apply(FLOOR_SLS)[0])
        samples["test.ping"].append(node.call("test.ping")[0])

    http.clear()
    first, states = node.apply("novadocker")
    gets = http.paths()
    if gets != ["/" + world["archive"].path.name]:
        raise SystemExit(f"bench: first apply should download the archive once, saw {gets}")
    changed = sorted(k for k, v in states.items() if v.get("changes"))
    if DRIVER_STATE not in changed:
        raise SystemExit(f"bench: the first apply did not install the driver: {changed}")
    samples["first apply"].append(first)
    samples["first apply: states' own time"].append(own_time(states))
    driver_s = float(states[DRIVER_STATE]["duration"]) / 1000.0
    samples["driver state"].append(driver_s)
    pip_s = pip_plain(world, node.dir / "pip-venv")
    samples["plain pip install"].append(pip_s)
    samples["first apply without pip"].append(first - pip_s)
    samples["first apply without driver state"].append(first - driver_s)

    http.clear()
    for _ in range(2):
        elapsed, states = node.apply("novadocker")
        changes = {k: v["changes"] for k, v in states.items() if v.get("changes")}
        if changes:
            raise SystemExit(f"bench: a re-apply changed something: {changes}")
        samples["re-apply"].append(elapsed)
        samples["re-apply: states' own time"].append(own_time(states))
        notes["re-apply slowest"].append(slowest(states))
    elapsed, shown, code = node.call("state.show_sls", "novadocker")
    if code != 0 or not isinstance(shown, dict) or DRIVER_STATE not in shown:
        raise SystemExit(f"bench: state.show_sls novadocker failed: {shown}")
    samples["render"].append(elapsed)
    elapsed, states = node.apply("novadocker", "test=True")
    pending = {k: v["comment"] for k, v in states.items() if v.get("result") is None}
    if pending:
        raise SystemExit(f"bench: test=True after a re-apply predicts changes: {pending}")
    samples["test=True"].append(elapsed)
    samples["test=True: states' own time"].append(own_time(states))

    elapsed, report, _ = node.call("novadocker.check")
    if not (isinstance(report, dict) and report.get("ok")):
        raise SystemExit(f"bench: novadocker.check is not ok on the applied node: {report}")
    samples["novadocker.check"].append(elapsed)
    elapsed, daemon, _ = node.call("novadocker.validate_daemon")
    if not (isinstance(daemon, dict) and daemon.get("ok")):
        raise SystemExit(f"bench: novadocker.validate_daemon is not ok: {daemon}")
    samples["novadocker.validate_daemon"].append(elapsed)
    for _ in range(2):
        samples["floor"].append(node.apply(FLOOR_SLS)[0])
        samples["test.ping"].append(node.call("test.ping")[0])
    if http.paths():
        raise SystemExit(
            f"bench: re-apply/test=True/checks reached the HTTP server: {http.paths()}"
        )
    offline_run(index, world, samples)
    return node


def offline_run(index, world, samples):
    """The first apply of an offline node: everything pip needs from the wheelhouse (README's
    ``pip wheel`` command filled it), no index reachable."""
    node = Node(world["base"], f"{index}-offline", world, offline=True)
    _, synced, code = node.call("saltutil.sync_all")
    assert code == 0 and "modules.novadocker" in synced["modules"], synced
    node.apply(FLOOR_SLS)
    elapsed, states = node.apply("novadocker")
    if not states[DRIVER_STATE].get("changes"):
        raise SystemExit(f"bench: the offline first apply did not install the driver: {states}")
    samples["first apply, wheelhouse"].append(elapsed)
    samples["driver state, wheelhouse"].append(float(states[DRIVER_STATE]["duration"]) / 1000.0)
    run(["gpasswd", "--delete", world["account"].user, world["account"].group], check=False)


# -- the subprocess check --------------------------------------------------------------------

STRACE_LINE = re.compile(r"^(\d+)\s+(.*)$")
ARGV = re.compile(r"^execve\(\"[^\"]*\", \[(.*?)\], ")


def execs(node, args, base):
    """Programs a salt-call started (successful execve, salt-call itself excluded).

    strace splits an execve that another process interrupts into ``execve(...) <unfinished
    ...>`` and ``<... execve resumed>) = 0`` lines: both halves are matched by pid.
    """
    out = pathlib.Path(base) / "strace-{}.txt".format("-".join(args).replace("/", "_"))
    strace = ["strace", "-f", "-qq", "-s", "256", "-e", "trace=execve", "-o", out]
    node.call(*args, prefix=strace)
    found, pending = [], {}
    for line in out.read_text().splitlines():
        match = STRACE_LINE.match(line)
        if not match:
            continue
        pid, rest = match.groups()
        rest = rest.rstrip()
        if rest.startswith("execve("):
            argv = ARGV.match(rest)
            argv = argv.group(1)[:160] if argv else rest[:160]
            if rest.endswith("<unfinished ...>"):
                pending[pid] = argv
            elif rest.endswith("= 0"):
                found.append(argv)
        elif rest.startswith("<... execve resumed>"):
            argv = pending.pop(pid, None)
            if argv is not None and rest.endswith("= 0"):
                found.append(argv)
    return found[1:]  # the first is salt-call itself


def _minus(found, floor):
    extra = list(found)
    for cmd in floor:
        if cmd in extra:
            extra.remove(cmd)
    return extra


def subprocess_check(node, base):
    """(ok, detail) for "a re-apply starts no process", and what novadocker.check starts."""
    if shutil.which("strace") is None:
        return None, "strace not installed (apt-get install strace): not checked", ""
    floor = execs(node, ("state.apply", FLOOR_SLS), base)
    reapply = execs(node, ("state.apply", "novadocker"), base)
    extra = _minus(reapply, floor)
    detail = "floor starts {} process(es) (grains), re-apply {}; beyond the floor: {}".format(
        len(floor), len(reapply), "; ".join(extra) or "none"
    )
    ping = execs(node, ("test.ping",), base)
    check = _minus(execs(node, ("novadocker.check",), base), ping)
    check_detail = "novadocker.check starts beyond test.ping: {}".format("; ".join(check) or "none")
    return not extra, detail, check_detail


# -- report ----------------------------------------------------------------------------------


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    salt = run([SALT_CALL, "--version"]).stdout.strip()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "salt": salt,
        "os": platform.platform(),
    }


def render(samples, notes, runs, info, subproc):
    med = {k: statistics.median(v) for k, v in samples.items() if v}
    ref = {"floor": med["floor"], "test.ping": med["test.ping"]}
    rows = [
        ("floor: state.apply of one test.succeed_without_changes", "floor", "floor", ""),
        ("floor: test.ping", "test.ping", "test.ping", ""),
        (
            "first apply, fresh node (download over HTTP, pip install, edits)",
            "first apply",
            "floor",
            "first apply: states' own time",
        ),
        ("  plain `python -m pip install` of the same archive", "plain pip install", None, ""),
        ("  novadocker-compute-driver state (download, hash, pip)", "driver state", None, ""),
        ("first apply without pip", "first apply without pip", "floor", ""),
        ("first apply without the driver state", "first apply without driver state", "floor", ""),
        (
            "first apply from a wheelhouse, no index reachable (pip builds in isolation)",
            "first apply, wheelhouse",
            "floor",
            "",
        ),
        (
            "  novadocker-compute-driver state (download, hash, wheelhouse cached, pip)",
            "driver state, wheelhouse",
            None,
            "",
        ),
        ("re-apply, nothing to change", "re-apply", "floor", "re-apply: states' own time"),
        ("  render only: state.show_sls novadocker", "render", "floor", ""),
        ("test=True", "test=True", "floor", "test=True: states' own time"),
        ("novadocker.check", "novadocker.check", "test.ping", ""),
        ("novadocker.validate_daemon", "novadocker.validate_daemon", "test.ping", ""),
    ]
    lines = [
        "| row | median s | min-max s | ratio | states' own s | target | |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    verdicts = []
    for label, key, against, own in rows:
        ratio = "{:.2f}x {}".format(med[key] / ref[against], against) if against else ""
        target = verdict = ""
        if key in TARGETS:
            tref, limit = TARGETS[key]
            target = "<= {}x {}".format(limit, tref)
            ok = med[key] / ref[tref] <= limit
            verdict = "PASS" if ok else "MISS"
            verdicts.append((label, verdict, "{:.2f}x".format(med[key] / ref[tref]), target))
        own_s = "{:.2f}".format(med[own]) if own else ""
        spread = "{:.2f}-{:.2f}".format(min(samples[key]), max(samples[key]))
        lines.append(
            "| {} | {:.2f} | {} | {} | {} | {} | {} |".format(
                label, med[key], spread, ratio, own_s, target, verdict
            )
        )
    ok, detail, check_detail = subproc
    sub_verdict = "PASS" if ok else ("MISS" if ok is False else "NOT CHECKED")
    lines.append(
        "| re-apply starts no subprocess (strace -f -e trace=execve; no HTTP request) "
        "| | | | | none | {} |".format(sub_verdict)
    )
    verdicts.append(("re-apply starts no subprocess", sub_verdict, detail, "none"))
    slow = notes["re-apply slowest"]
    slow_id = statistics.mode(s[0] for s in slow)
    slow_s = statistics.median(s[1] for s in slow if s[0] == slow_id)
    head = [
        "Machine: {} CPU(s), {}; Python {}; {}; {}.".format(
            info["nproc"], info["cpu"], info["python"], info["salt"], info["os"]
        ),
        "Date: {}. Medians over {} runs (floor and test.ping: {} samples each).".format(
            info["date"], runs, len(samples["floor"])
        ),
        "Load average (1 min) at start and end: {:.2f}, {:.2f} (other work on the machine "
        "shows in the spread).".format(info["load_start"], os.getloadavg()[0]),
        "Bytecode as on a node: {} (the formula's modules compile once into "
        "extmods/*/__pycache__).".format(info["bytecode"]),
        "",
    ]
    tail = [
        "",
        "Re-apply's slowest state: {} ({:.3f} s median).".format(slow_id, slow_s),
        "Subprocess check: {}.".format(detail),
        "{}.".format(check_detail),
    ]
    return head + lines + tail, verdicts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--markdown", help="also write the table to this file (BENCHMARKS.md)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench: run as root (it creates a system user and runs dockerd)")

    load_start = os.getloadavg()[0]
    # As on a node (see the docstring): Python may cache the compiled formula modules.
    bytecode_env = os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    base = pathlib.Path(tempfile.mkdtemp(prefix="ndbench", dir="/tmp"))
    world = {"base": base}
    samples = {
        k: []
        for k in (
            "floor",
            "test.ping",
            "first apply",
            "first apply: states' own time",
            "driver state",
            "plain pip install",
            "first apply without pip",
            "first apply without driver state",
            "first apply, wheelhouse",
            "driver state, wheelhouse",
            "re-apply",
            "re-apply: states' own time",
            "render",
            "test=True",
            "test=True: states' own time",
            "novadocker.check",
            "novadocker.validate_daemon",
        )
    }
    notes = {"re-apply slowest": []}
    account = dockerd = http = None
    try:
        states = base / "states"
        states.mkdir()
        (states / f"{FLOOR_SLS}.sls").write_text(
            "bench-floor:\n  test.succeed_without_changes: []\n"
        )
        world["states"] = states
        world["formula"] = formula_root(base / "formula")
        log("system user and socket group")
        account = world["account"] = NovaAccount()
        log("dockerd on a private socket")
        dockerd = world["dockerd"] = Dockerd(group=account.group)
        dockerd.start()
        log("driver archive and HTTP server on 127.0.0.1")
        archive = world["archive"] = ArchiveFactory(base / "archives")(DRIVER_REF)
        http = world["http"] = HTTPServerFixture(base / "www")
        world["url"] = http.publish(archive)
        log("nova venv template (nova 34, pbr, setuptools, wheel, docker)")
        world["nova_python"] = make_nova_venv(base / "nova-template")
        log("wheelhouse (README's pip wheel command) and a dead index")
        fill_wheelhouse(world["nova_python"], archive.path, states / "wheels")
        world["dead_index"] = "http://127.0.0.1:{}/simple".format(closed_port())
        node = None
        for index in range(args.runs):
            log(f"run {index + 1}/{args.runs}")
            node = one_run(index, world, samples, notes)
            # The node leaves the socket group again, so that the next fresh node's first apply
            # adds it again like a real first apply.
            run(["gpasswd", "--delete", account.user, account.group], check=False)
        # The last node is in its applied state but out of the group again: put it back.
        run(["gpasswd", "--add", account.user, account.group])
        log("subprocess check (strace)")
        subproc = subprocess_check(node, base)
        info = machine()
        info["load_start"] = load_start
        info["bytecode"] = (
            "PYTHONDONTWRITEBYTECODE={} dropped for the salt-calls".format(bytecode_env)
            if bytecode_env is not None
            else "PYTHONDONTWRITEBYTECODE unset"
        )
    finally:
        if http is not None:
            http.stop()
        if dockerd is not None:
            dockerd.cleanup()
        if account is not None:
            account.delete()
        shutil.rmtree(base, ignore_errors=True)

    lines, verdicts = render(samples, notes, args.runs, info, subproc)
    text = "\n".join(lines)
    print(text)
    print()
    for label, verdict, value, target in verdicts:
        print(f"{verdict}: {label}: {value} (target {target})")
    if args.markdown:
        out = pathlib.Path(args.markdown)
        out.write_text(
            "# Benchmarks\n\n"
            "`make bench` (scripts/bench.py): the formula's runs through `salt-call --local` "
            "against Salt's own floor, measured in the same invocation on the same machine, "
            "with file_roots holding what FORMULA ships (as on a node). See the script's "
            "docstring for what each row does. Targets: re-apply <= 1.25x the floor, first "
            "apply without pip <= 1.6x, novadocker.check <= 1.2x test.ping, and a re-apply "
            "starts no process; a MISS is reported, never fatal.\n\n" + text + "\n"
        )
        log(f"table written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
