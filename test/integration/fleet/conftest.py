"""
Fleet fixtures: a real salt-master and real salt-minions on this machine.

``fleet`` (session) starts one master (pytest-salt-factories) whose ``file_roots`` and
``pillar_roots`` are README's (``fixtures.readme.master_layout``, with ``/srv`` under a test
folder): ``<tmp>/states`` (``top.sls`` and the driver archive under ``novadocker-dist/``,
served as ``salt://``), then ``<tmp>/formulas/novadocker``, README's folder of links to the
formula's shipped parts; ``<tmp>/pillar`` is a pillar tree rewritten by the tests (one
``nodes/<id>.sls`` per minion and a ``top.sls`` naming each). Five minions connect to it:

``compute-1``, ``compute-2``, ``compute-3``
    compute nodes; a test makes them docker compute nodes with :py:meth:`Fleet.docker_pillar`
    (the session's real ``dockerd``, the real nova user and socket group, the driver zip from the
    master, a nova virtualenv of their own) or leaves them plain.
``compute-plain``
    a compute node whose toggle stays off.
``glance-1``
    an image (Glance) node.

Every minion has its own sandbox root (pillar ``novadocker:root``, laid by the root
``testnode.lay_sandbox``) and the suite's test-only ``service`` provider (there is no init
system here), which logs service calls to ``<tmp>/services/<id>.log``.

The master also runs the beacon reactor of README's "From a master" section (the reactor SLS is
read from README itself, see :py:func:`readme_block`).
"""

import contextlib
import json
import os
import pathlib
import shutil
import subprocess
import time

import novadocker_settings
import pytest
from fixtures.readme import master_layout, readme_block
from testnode import lay_sandbox
from testpaths import REPO, TEST_SALT

README = REPO / "README.md"

MASTER_ID = "nd-master"
DOCKER_NODES = ("compute-1", "compute-2", "compute-3")
PLAIN_NODE = "compute-plain"
IMAGE_NODE = "glance-1"
FLEET = DOCKER_NODES + (PLAIN_NODE, IMAGE_NODE)

#: The pbr version stamped on the driver archive and expected installed.
DRIVER_VERSION = "0.0.1.dev273"
DRIVER_ZIP = "nova-docker-stable-mitaka.zip"
#: No build isolation (nothing to fetch for the build) and no dependencies: the stand-in
#: driver's only requirement, pbr, is in the nova virtualenv already.
PIP_ARGS = ["--no-build-isolation", "--no-deps"]

#: Where the reactor SLS sits in README's example (the master config maps the beacon's tags
#: to this file).
REACTOR_MARK = "# /srv/reactor/novadocker-daemon.sls"


class Fleet:
    """The master, its minions, and what each node looks like.

    ``master`` is the salt-factories master, ``minions`` maps id -> minion factory,
    ``roots`` id -> the node's current sandbox root, ``pythons`` id -> the interpreter of the
    node's own nova virtualenv, ``archive`` the driver zip served as ``salt://``.
    """

    def __init__(self, base, master, archive, nova_venv, nova_user, dockerd):
        self.base = pathlib.Path(base)
        self.master = master
        self.minions = {}
        self.archive = archive
        self.nova_venv = nova_venv
        self.nova_user = nova_user
        self.dockerd = dockerd
        self.roots = {}
        self.pythons = {}
        self.pillars = {}
        self.master_pillar = None
        self._generation = 0
        self.pillar_dir = self.base / "pillar"
        self.service_dir = self.base / "services"
        self.dead_socket = self.base / "nodaemon.sock"

    # -- CLIs ---------------------------------------------------------------------------------
    def salt(self, tgt, *args, tgt_type=None, timeout=300, **kwargs):
        """``salt [-L|-G|-C|-I] <tgt> <args> [key=value...]`` from the master; the ProcessResult
        (``.data``: per minion, or the lone minion's return)."""
        cli = self.master.salt_cli(timeout=timeout)
        if tgt_type is not None:
            flag = {"list": "-L", "grain": "-G", "compound": "-C", "pillar": "-I"}[tgt_type]
            # salt-factories puts minion_tgt first: make it the flag, the target follows.
            return cli.run(tgt, *args, minion_tgt=flag, _timeout=timeout + 60, **kwargs)
        return cli.run(*args, minion_tgt=tgt, _timeout=timeout + 60, **kwargs)

    def salt_run(self, *args, timeout=600, **kwargs):
        """``salt-run <args>`` on the master."""
        cli = self.master.salt_run_cli(timeout=timeout)
        return cli.run(*args, _timeout=timeout + 60, **kwargs)

    # -- nodes --------------------------------------------------------------------------------
    def service_log(self, mid):
        return self.service_dir / f"{mid}.log"

    def service_calls(self, mid):
        """``[(action, service), ...]`` recorded by the test service provider on ``mid``."""
        path = self.service_log(mid)
        if not path.exists():
            return []
        return [tuple(line.split()[:2]) for line in path.read_text().splitlines() if line]

    def path(self, mid, abs_path):
        """The file of node ``mid`` at node path ``abs_path`` (inside its sandbox root)."""
        return self.roots[mid] / abs_path.lstrip("/")

    def fresh(self, *mids):
        """New sandbox roots (a freshly installed node) and new nova virtualenvs (no driver)
        for ``mids``; clears their service logs and the node view the formula's last state run
        kept in the minion cache (a fresh node has none: its grain reports nothing, instead of
        judging the previous test's root)."""
        self._generation += 1
        for mid in mids:
            if mid in self.minions:
                cachedir = self.minions[mid].config["cachedir"]
                pathlib.Path(novadocker_settings.view_path(cachedir)).unlink(missing_ok=True)
            root = self.base / "roots" / f"{mid}.{self._generation}"
            lay_sandbox(root)
            self.roots[mid] = root
            venv = self.base / "venvs" / f"{mid}.{self._generation}"
            shutil.copytree(
                pathlib.Path(self.nova_venv).parent.parent,
                venv,
                symlinks=True,
                copy_function=os.link,
            )
            self.pythons[mid] = str(venv / "bin" / "python")
            if self.service_log(mid).exists():
                self.service_log(mid).unlink()

    def installed_driver(self, mid):
        """The nova-docker version importable in node ``mid``'s nova virtualenv, asked of the
        interpreter itself (``None``: not installed)."""
        proc = subprocess.run(
            [
                self.pythons[mid],
                "-c",
                "import importlib.metadata as m; print(m.version('nova-docker'))",
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd="/",
        )
        return proc.stdout.strip() if proc.returncode == 0 else None

    def plain_pillar(self, mid):
        return {"novadocker": {"root": str(self.roots[mid])}}

    def image_pillar(self, mid, **image):
        """An image node; no glance-api runs behind the test service provider, so no live
        schema to prove unless ``image`` says where one is (``api``)."""
        conf = {"enabled": True, "api": {"verify": False}}
        conf.update(image)
        return {"novadocker": {"root": str(self.roots[mid]), "image": conf}}

    def docker_pillar(self, mid, host_url=None):
        """A docker compute node: the real daemon (or ``host_url``), the real nova user and
        socket group, the driver zip from the master into the node's own nova virtualenv."""
        return {
            "novadocker": {
                "root": str(self.roots[mid]),
                "compute": {
                    "enabled": True,
                    "user": self.nova_user.user,
                    "socket_group": self.nova_user.socket_group,
                    "docker": {"host_url": host_url or self.dockerd.url},
                },
                "driver": {
                    "source": f"salt://novadocker-dist/{DRIVER_ZIP}",
                    "source_hash": self.archive.source_hash,
                    "version": DRIVER_VERSION,
                    "python": self.pythons[mid],
                    "pip_args": PIP_ARGS,
                },
            }
        }

    def fleet_pillars(self, dead_host_url):
        """The whole fleet's pillars, compute-2's daemon not there (``dead_host_url``): three
        docker compute nodes, a plain one, an image node."""
        return {
            "compute-1": self.docker_pillar("compute-1"),
            "compute-2": self.docker_pillar("compute-2", host_url=dead_host_url),
            "compute-3": self.docker_pillar("compute-3"),
            "compute-plain": self.plain_pillar("compute-plain"),
            "glance-1": self.image_pillar("glance-1"),
        }

    def set_pillars(self, pillars, master_pillar=None, refresh=True):
        """Write the pillar tree: ``pillars`` maps minion id -> its whole pillar;
        ``master_pillar`` is the orchestrate pillar (the master's own minion id). Then make
        every minion re-read its pillar."""
        self.pillars.update(pillars)
        self.master_pillar = master_pillar
        nodes = self.pillar_dir / "nodes"
        nodes.mkdir(parents=True, exist_ok=True)
        top = ["base:"]
        for mid, data in sorted(self.pillars.items()):
            (nodes / f"{mid}.sls").write_text(json.dumps(data, indent=2))
            top += [f"  '{mid}':", f"    - nodes.{mid}"]
        if master_pillar is not None:
            (self.pillar_dir / "orch.sls").write_text(json.dumps(master_pillar, indent=2))
            top += [f"  '{MASTER_ID}':", "    - orch"]
        (self.pillar_dir / "top.sls").write_text("\n".join(top) + "\n")
        if refresh:
            targets = sorted(m for m in pillars if m in self.minions)
            ret = self.salt(
                ",".join(targets), "saltutil.refresh_pillar", "wait=True", tgt_type="list"
            )
            assert ret.returncode == 0, ret
            data = ret.data if len(targets) > 1 else {targets[0]: ret.data}
            assert data == {mid: True for mid in targets}, ret

    @contextlib.contextmanager
    def extra_minion(self, mid, pillar, environ=None, **overrides):
        """Start one more minion ``mid`` (its pillar: ``pillar``; ``overrides`` added to its
        config; ``environ``: its environment, ``None`` values removed) for the ``with`` block;
        then stop it and delete its key and pillar, so that ``salt '*'`` does not wait for it
        afterwards."""
        self.set_pillars({mid: pillar}, refresh=False)
        minion = self.master.salt_minion_daemon(
            mid, overrides=minion_overrides(self.base, mid, **overrides)
        )
        for key, value in (environ or {}).items():
            if value is None:
                minion.environ.pop(key, None)
            else:
                minion.environ[key] = value
        try:
            with minion.started():
                self.minions[mid] = minion
                yield minion
        finally:
            self.minions.pop(mid, None)
            self.pillars.pop(mid, None)
            self.set_pillars({}, refresh=False)
            self.master.salt_key_cli().run("-y", "-d", mid)

    def wait_for(self, mid, fun, arg, expected, timeout=60):
        """Wait until ``salt <mid> <fun> <arg>`` returns ``expected``; return it."""
        deadline = time.monotonic() + timeout
        while True:
            ret = self.salt(mid, fun, arg, timeout=30)
            if ret.returncode == 0 and ret.data == expected:
                return ret.data
            if time.monotonic() > deadline:
                raise AssertionError(f"{fun} {arg} on {mid} is not {expected!r}: {ret}")
            time.sleep(0.5)

    def wait_for_grain(self, mids, key, expected, timeout=60):
        """Wait until ``grains.get key`` on each of ``mids`` is ``expected``."""
        for mid in mids:
            self.wait_for(mid, "grains.get", key, expected, timeout=timeout)


def minion_overrides(fleet_base, mid, **extra):
    """The minion config of a fleet node: the test-only service provider (no init system
    here), its log, short loops."""
    overrides = {
        "module_dirs": [str(TEST_SALT / "_modules")],
        "providers": {"service": "novadocker_testservice"},
        "novadocker_testservice_log": str(pathlib.Path(fleet_base) / "services" / f"{mid}.log"),
        "loop_interval": 1,
        "log_level_logfile": "info",
    }
    overrides.update(extra)
    return overrides


@pytest.fixture(scope="session")
def fleet(
    salt_factories,
    tmp_path_factory,
    real_nova_venv,
    nova_user,
    dockerd,
):
    """The master and its five minions (see the module's documentation), started once."""
    from fixtures.driver import ArchiveFactory

    base = tmp_path_factory.mktemp("fleet")
    states = base / "states"
    (states / "novadocker-dist").mkdir(parents=True)
    (states / "top.sls").write_text("base:\n  '*':\n    - novadocker\n")
    archive = ArchiveFactory(base / "archives")("stable-mitaka", filename=DRIVER_ZIP)
    shutil.copyfile(archive.path, states / "novadocker-dist" / DRIVER_ZIP)
    (base / "services").mkdir()
    (base / "pillar").mkdir()
    (base / "pillar" / "top.sls").write_text("base: {}\n")
    reactor = base / "reactor" / "novadocker-daemon.sls"
    reactor.parent.mkdir()
    reactor.write_text(readme_block(REACTOR_MARK))

    master = salt_factories.salt_master_daemon(
        MASTER_ID,
        overrides={
            # README's layout: file_roots and pillar_roots of its master config, the formula
            # served from a folder of links to its shipped parts (laid by README's loop).
            **master_layout(base),
            "reactor": [{"salt/beacon/*/novadocker_daemon/*": [str(reactor)]}],
            "fileserver_list_cache_time": 300,
            "log_level_logfile": "info",
        },
    )
    fleet = Fleet(base, master, archive, real_nova_venv, nova_user, dockerd)
    fleet.fresh(*FLEET)
    fleet.set_pillars({mid: fleet.plain_pillar(mid) for mid in FLEET}, refresh=False)
    with contextlib.ExitStack() as stack:
        stack.enter_context(master.started())
        for mid in FLEET:
            minion = master.salt_minion_daemon(mid, overrides=minion_overrides(base, mid))
            stack.enter_context(minion.started())
            fleet.minions[mid] = minion
        try:
            yield fleet
        finally:
            # The session's nova user starts outside the socket group (fixtures/dockerd.py).
            nova_user.reset()


@pytest.fixture(autouse=True)
def _nova_user_back_out(request):
    """After a fleet test, take the session's nova user out of the socket group again: other
    suites in the same session expect it outside (fixtures/dockerd.py), and the fleet lives on."""
    yield
    if "fleet" in request.fixturenames:
        request.getfixturevalue("nova_user").reset()


@pytest.fixture
def dead_socket_url(fleet):
    """A ``unix://`` URL where no daemon listens (the socket file does not exist)."""
    return f"unix://{fleet.dead_socket}"
