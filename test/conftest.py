"""
Shared fixtures for the novadocker suite.

Everything here is real: salt-call --local through pytest-salt-factories, with the formula's
repository as file_roots, its _modules/_states synced by saltutil.sync_all, and a sandbox node
root per test (pillar ``novadocker:root``) so that no test touches the machine's /etc.
"""

import json
import os
import pathlib
import shutil

import pytest
import salt.utils.yaml

from testpaths import DATA, REPO, TEST_SALT, formula_root  # noqa: F401 (DATA: re-exported)

pytest_plugins = [
    "fixtures.dockerd",
    "fixtures.dockerd_tls",
    "fixtures.driver",
    "fixtures.openstack",
]


@pytest.fixture(scope="session")
def salt_factories_config(tmp_path_factory):
    """Keep every factory file under this run's own temporary folder, never shared /tmp paths."""
    return {
        "root_dir": str(tmp_path_factory.mktemp("salt-factories")),
        "start_timeout": 120,
    }


class LocalNode:
    """One sandbox node driven with ``salt-call --local``.

    ``root`` is the node's file-system prefix (pillar ``novadocker:root``); ``pillar_dir`` is the
    minion's pillar_roots, rewritten by :py:meth:`set_pillar` before each run.
    """

    def __init__(self, cli, pillar_dir, root, service_log, log_file=None, file_root=None):
        self.log_file = pathlib.Path(log_file) if log_file else None
        #: the minion's file root (salt://): symlinks to the formula's shipped folders
        self.file_root = pathlib.Path(file_root) if file_root else None
        self.cli = cli
        self.pillar_dir = pathlib.Path(pillar_dir)
        self.root = pathlib.Path(root)
        self.service_log = pathlib.Path(service_log)

    # -- pillar -----------------------------------------------------------------------------
    def set_pillar(self, data):
        """Write ``data`` (the whole pillar, e.g. ``{"novadocker": {...}}``) for the next runs."""
        self.pillar_dir.mkdir(parents=True, exist_ok=True)
        (self.pillar_dir / "top.sls").write_text("base:\n  '*':\n    - node\n")
        (self.pillar_dir / "node.sls").write_text(json.dumps(data, indent=2))

    # -- runs -------------------------------------------------------------------------------
    def call(self, *args, **kwargs):
        """Run ``salt-call --local <args>``; return the saltfactories ProcessResult."""
        return self.cli.run("--local", *args, **kwargs)

    def apply(self, sls="novadocker", test=False, extra=()):
        """Apply ``sls``; return ``(result, states)`` where states maps state id -> its return."""
        args = ["state.apply", sls]
        if test:
            args.append("test=True")
        args.extend(extra)
        ret = self.call(*args, _timeout=600)
        states = {}
        if isinstance(ret.data, dict):
            for value in ret.data.values():
                if isinstance(value, dict) and "__id__" in value:
                    states[value["__id__"]] = value
        return ret, states

    def apply_failing_restart(self, service, **kwargs):
        """:py:meth:`apply` while the test service provider fails every restart of ``service``
        (as a unit that does not come back would)."""
        fail = pathlib.Path(str(self.service_log) + ".fail")
        fail.write_text(service + "\n")
        try:
            return self.apply(**kwargs)
        finally:
            fail.unlink()

    def restarts(self):
        """Service restarts recorded by the test service provider (see test/salt/_modules)."""
        if not self.service_log.exists():
            return []
        return [line.split() for line in self.service_log.read_text().splitlines() if line]

    # -- files ------------------------------------------------------------------------------
    def path(self, abs_path):
        """The sandbox path for a node path such as ``/etc/nova/nova.conf``."""
        return self.root / abs_path.lstrip("/")


@pytest.fixture(scope="session")
def local_minion_factory(salt_factories, tmp_path_factory):
    """A minion config for ``salt-call --local`` with the formula's repo as file_roots."""
    base = tmp_path_factory.mktemp("local-minion")
    pillar_dir = base / "pillar"
    pillar_dir.mkdir()
    service_log = base / "service.log"
    file_root = formula_root(base / "formula")
    overrides = {
        "file_client": "local",
        "file_roots": {"base": [str(file_root)]},
        "pillar_roots": {"base": [str(pillar_dir)]},
        # Test-only: there is no init system (PID 1 is not systemd) in this sandbox, so the
        # ``service`` virtual module is provided by test/salt/_modules/novadocker_testservice.py,
        # which records restarts in a file instead of calling systemctl.
        "module_dirs": [str(TEST_SALT / "_modules")],
        "providers": {"service": "novadocker_testservice"},
        "novadocker_testservice_log": str(service_log),
        "state_output_diff": True,
        "log_level_logfile": "info",
    }
    factory = salt_factories.salt_minion_daemon("local-node", overrides=overrides)
    cli = factory.salt_call_cli(timeout=600)
    ret = cli.run("--local", "saltutil.sync_all")
    assert ret.returncode == 0, ret
    factory._novadocker = (cli, pillar_dir, service_log, factory.config["log_file"], file_root)
    return factory


@pytest.fixture
def node(local_minion_factory, tmp_path):
    """A fresh sandbox node: ``<tmp>/node`` holding etc/nova/nova.conf and glance-api.conf."""
    cli, pillar_dir, service_log, log_file, file_root = local_minion_factory._novadocker
    if service_log.exists():
        service_log.unlink()
    root = tmp_path / "node"
    lay_sandbox(root)
    n = LocalNode(cli, pillar_dir, root, service_log, log_file, file_root)
    n.set_pillar({"novadocker": {"root": str(root)}})
    return n


class FormulaLoader:
    """The formula's modules loaded in this process by Salt's real loader: ``mods`` (execution
    modules), ``states``, ``utils``, over the repository's ``_modules``, ``_states`` and
    ``_utils``; ``opts`` are the minion options they see (``opts["test"]`` switches the states
    to test mode). :py:meth:`ns` gives a module's functions as attributes."""

    def __init__(self, base):
        import salt.config
        import salt.loader

        opts = salt.config.minion_config(None, minion_id="novadocker-loader-test")
        opts.update(
            {
                "file_client": "local",
                "file_roots": {"base": [str(formula_root(base / "formula"))]},
                "module_dirs": [str(REPO / "_modules")],
                "states_dirs": [str(REPO / "_states")],
                "utils_dirs": [str(REPO / "_utils")],
                "grains_dirs": [str(REPO / "_grains")],
                "beacons_dirs": [str(REPO / "_beacons")],
                "pillar": {},
                "extension_modules": str(base / "extmods"),
                "cachedir": str(base / "cache"),
                "pki_dir": str(base / "pki"),
                "sock_dir": str(base / "sock"),
                "log_file": str(base / "minion.log"),
                "test": False,
            }
        )
        opts["grains"] = salt.loader.grains(opts)
        self.opts = opts
        self.utils = salt.loader.utils(opts)
        self.mods = salt.loader.minion_mods(opts, utils=self.utils)
        self.states = salt.loader.states(opts, self.mods, self.utils, {})

    def grain(self):
        """The ``novadocker`` grain as the minion computes it now (its grain module through
        Salt's grains loader, given the core grains)."""
        import salt.loader

        funcs = salt.loader.grain_funcs(self.opts)
        return funcs["novadocker.novadocker"](grains=self.opts["grains"])["novadocker"]

    def beacons(self):
        """The beacon modules, through Salt's beacons loader (``__salt__``: :py:attr:`mods`)."""
        import salt.loader

        return salt.loader.beacons(self.opts, self.mods)

    def set_pillar(self, data):
        """Make ``data`` the pillar every loaded module sees (the same dict, changed in
        place)."""
        for loader in (self.opts, self.mods.opts):
            loader["pillar"].clear()
            loader["pillar"].update(data)
        self.mods.pack["__pillar__"] = self.mods.opts["pillar"]
        # Salt 3006.29's minion_mods packs an inner loader as the modules' __salt__, with a
        # copy of the pack: cross-module calls (__salt__["novadocker.settings"]) run there.
        inner = self.mods.pack.get("__salt__")
        if inner is not None and inner is not self.mods:
            inner.pack["__pillar__"] = self.mods.opts["pillar"]

    @property
    def test_opts(self):
        """The options the states see: set ``["test"]`` to run them in test mode."""
        return self.states.opts

    def ns(self, module, kind="mods"):
        loader = getattr(self, kind)

        class _Namespace:
            def __getattr__(self, name):
                return loader["{}.{}".format(module, name)]

        return _Namespace()


@pytest.fixture(scope="session")
def formula_loader(tmp_path_factory):
    """A :py:class:`FormulaLoader` for the session (its cache in a temporary folder)."""
    return FormulaLoader(tmp_path_factory.mktemp("loader"))


@pytest.fixture(scope="session")
def loader_mods(formula_loader):
    """The execution modules of :py:class:`FormulaLoader` (cross-module ``__salt__`` and
    ``__utils__`` calls are real)."""
    return formula_loader.mods


@pytest.fixture
def compute_node(node, nova_user, dockerd, nova_python, driver_archive, http_server):
    """A sandbox docker compute node with every part real: a driver archive (pbr stand-in)
    published over HTTP on 127.0.0.1, a fresh venv standing in for nova's, the session's
    dockerd, the test nova user (out of the socket group at the start), nova.conf root:nova
    0640. ``pillar(compute=..., driver=..., **top)`` writes the node's pillar over the good
    defaults."""
    import grp
    import types

    nova_user.reset()
    archive = driver_archive("stable-mitaka")
    nova_gid = grp.getgrnam(nova_user.user).gr_gid
    nova_conf = node.path("/etc/nova/nova.conf")
    os.chown(nova_conf, 0, nova_gid)
    os.chmod(nova_conf, 0o640)
    c = types.SimpleNamespace(
        node=node,
        user=nova_user,
        dockerd=dockerd,
        python=nova_python,
        http=http_server,
        archives=driver_archive,
        archive=archive,
        url=http_server.publish(archive),
        nova_gid=nova_gid,
    )

    def pillar(compute=None, driver=None, **top):
        compute_conf = {
            "enabled": True,
            "user": nova_user.user,
            "socket_group": nova_user.socket_group,
            "docker": {"host_url": dockerd.url},
            "service": "nova-compute",
        }
        compute_conf.update(compute or {})
        driver_conf = {
            "source": c.url,
            "source_hash": archive.source_hash,
            "version": "1.0.0",
            "python": nova_python,
            "pip_args": ["--no-build-isolation", "--no-deps"],
        }
        driver_conf.update(driver or {})
        data = {"root": str(node.root), "compute": compute_conf, "driver": driver_conf}
        data.update(top)
        node.set_pillar({"novadocker": data})

    c.pillar = pillar
    yield c
    nova_user.reset()


def lay_sandbox(root):
    """Lay a node like a freshly installed one: nova.conf 0640, glance-api.conf 0640."""
    for rel, src in (
        ("etc/nova/nova.conf", DATA / "nova.conf"),
        ("etc/glance/glance-api.conf", DATA / "glance-api.conf"),
    ):
        dest = pathlib.Path(root) / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        os.chmod(dest, 0o640)
    (pathlib.Path(root) / "etc/nova/rootwrap.d").mkdir(parents=True, exist_ok=True)


def yaml_dump(data):
    return salt.utils.yaml.safe_dump(data, default_flow_style=False)


def pytest_sessionfinish(session, exitstatus):
    """Drop the records Salt's DeferredStreamHandler buffered in this process.

    Importing Salt installs a temporary handler that queues log records and flushes them to
    sys.stderr at exit; under pytest that stream is closed by then, which printed a spurious
    "Logging error ... I/O operation on closed file" after every run. The records are test
    harness chatter (pytest's own log capture already showed what matters).
    """
    import logging

    from salt._logging.handlers import DeferredStreamHandler

    for handler in list(logging.root.handlers):
        if isinstance(handler, DeferredStreamHandler):
            handler.sync_with_handlers([])
