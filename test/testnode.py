"""
A sandbox node for the tests that run the formula through ``salt-call --local``.

:py:func:`lay_sandbox` lays a node's file-system prefix as a freshly installed node;
:py:class:`LocalNode` drives one such node (the ``node`` and ``compute_node`` fixtures of
test/conftest.py make them). A plain module, importable from any test or script
(``from testnode import lay_sandbox``; pytest.ini puts test/ on sys.path).
"""

import json
import os
import pathlib
import shutil

from testpaths import DATA, TEST_SALT


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


def local_minion_overrides(file_root, pillar_dir, service_log):
    """The config of a minion for ``salt-call --local`` on a sandbox node: the formula at
    ``file_root``, pillar from ``pillar_dir``, restarts recorded in ``service_log``.

    Test-only: there is no init system (PID 1 is not systemd) in this sandbox, so the
    ``service`` virtual module is provided by test/salt/_modules/novadocker_testservice.py,
    which records restarts in a file instead of calling systemctl."""
    return {
        "file_client": "local",
        "file_roots": {"base": [str(file_root)]},
        "pillar_roots": {"base": [str(pillar_dir)]},
        "module_dirs": [str(TEST_SALT / "_modules")],
        "providers": {"service": "novadocker_testservice"},
        "novadocker_testservice_log": str(service_log),
        "state_output_diff": True,
        "log_level_logfile": "info",
    }
