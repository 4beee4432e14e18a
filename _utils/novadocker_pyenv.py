"""
nova's Python environment, as the novadocker formula sees it: where its distributions are, which
nova-docker it holds, and asking its interpreter when the disk does not tell.

* :py:func:`site_dirs`: the site-packages/dist-packages directories of an interpreter's
  environment, found on disk (a venv, Debian's and RedHat's system layouts);
* :py:func:`installed_version`: the nova-docker version from the distribution's metadata on
  disk (``nova_docker-*.dist-info/METADATA``, ``*.egg-info/PKG-INFO``), starting no process
  when the disk is conclusive, else asking the interpreter (Python 2.7 and 3.x alike);
* :py:func:`run`: run nova's interpreter (never a shell, from ``/``, so that a ``novadocker``
  folder in the current directory is never imported by mistake);
* :py:func:`import_key`: what a proved import depends on (for the import cache).

Pure: no Salt dunders. Used by the driver execution module and the grain.
"""

import glob
import json
import logging
import os
import re
import subprocess

from salt.exceptions import CommandExecutionError, SaltInvocationError

try:
    from packaging.version import InvalidVersion, Version
except ImportError:  # pragma: no cover - salt depends on packaging
    Version = None
    InvalidVersion = ValueError

log = logging.getLogger(__name__)

#: The distribution's name (setup.cfg ``[metadata] name``) and its import package.
DIST_NAME = "nova-docker"
IMPORT_NAME = "novadocker"

#: Seconds an interpreter query may take (an import of nova's world on a slow node).
QUERY_TIMEOUT = 300

_VERSION_SCRIPT = """\
import sys
try:
    from importlib.metadata import version as _v, PackageNotFoundError as _nf
except ImportError:
    _v = None
if _v is not None:
    try:
        found = _v('nova-docker')
    except _nf:
        found = ''
else:
    import pkg_resources
    try:
        found = pkg_resources.get_distribution('nova-docker').version
    except pkg_resources.DistributionNotFound:
        found = ''
sys.stdout.write('NOVADOCKER_VERSION=' + (found or '') + '\\n')
"""


def norm_name(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_version(text):
    if Version is None:
        return None
    try:
        return Version(str(text))
    except InvalidVersion:
        return None


def same_version(installed, wanted):
    """True when ``installed`` is ``wanted`` (PEP 440 equality, so ``1.0 == 1.0.0``)."""
    if installed is None or not wanted:
        return False
    left, right = parse_version(installed), parse_version(wanted)
    if left is not None and right is not None:
        return left == right
    return str(installed).strip() == str(wanted).strip()


def _python_version_hint(python, venv_cfg):
    """``"3.11"``, ``"3"`` or ``None``: which ``lib/pythonX.Y`` directories belong to it."""
    if venv_cfg:
        for key in ("version_info", "version"):
            match = re.match(r"(\d+)\.(\d+)", venv_cfg.get(key, ""))
            if match:
                return f"{match.group(1)}.{match.group(2)}"
    for candidate in (python, os.path.realpath(python)):
        match = re.match(r"^python(\d+\.\d+)", os.path.basename(candidate))
        if match:
            return match.group(1)
    for candidate in (python, os.path.realpath(python)):
        match = re.match(r"^python(\d+)$", os.path.basename(candidate))
        if match:
            return match.group(1)
    return None


def _read_venv_cfg(prefix):
    path = os.path.join(prefix, "pyvenv.cfg")
    if not os.path.isfile(path):
        return None
    cfg = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if "=" in line:
                    key, _, value = line.partition("=")
                    cfg[key.strip().lower()] = value.strip()
    except OSError:
        return None
    return cfg


def site_dirs(python):
    """The site-packages/dist-packages directories of ``python``'s environment, found on disk.

    A venv (``<prefix>/pyvenv.cfg``) has ``<prefix>/lib/pythonX.Y/site-packages``; a system
    interpreter has Debian's ``/usr/lib/python3/dist-packages`` and
    ``/usr/local/lib/pythonX.Y/dist-packages`` or a plain ``<prefix>/lib/pythonX.Y/site-packages``.
    """
    prefix = os.path.dirname(os.path.dirname(os.path.abspath(python)))
    venv_cfg = _read_venv_cfg(prefix)
    hint = _python_version_hint(python, venv_cfg)
    if hint is None:
        pattern = "python[0-9]*"
    elif "." in hint:
        pattern = f"python{hint}"
    else:
        pattern = f"python{hint}*"
    dirs = []
    if venv_cfg is not None:
        prefixes = [prefix]
        kinds = ("site-packages",)
    else:
        real_prefix = os.path.dirname(os.path.dirname(os.path.realpath(python)))
        prefixes = [prefix, real_prefix]
        kinds = ("site-packages", "dist-packages")
        if {prefix, real_prefix} & {"/usr", "/usr/local"}:
            # Debian/Ubuntu's interpreter: pip's /usr/local/lib/pythonX.Y/dist-packages and
            # the distribution's /usr/lib/python3/dist-packages (python2.7 for 2.x).
            prefixes += ["/usr/local", "/usr"]
            major = hint.split(".")[0] if hint else "[0-9]"
            dirs.extend(glob.glob(f"/usr/lib/python{major}/dist-packages"))
    for pre in dict.fromkeys(prefixes):
        for lib in ("lib", "lib64"):
            for kind in kinds:
                dirs.extend(sorted(glob.glob(os.path.join(pre, lib, pattern, kind))))
    seen = []
    for path in dirs:
        real = os.path.realpath(path)
        if os.path.isdir(real) and real not in seen:
            seen.append(real)
    return seen


def _read_headers(path):
    """``Name``/``Version`` of a METADATA or PKG-INFO file."""
    found = {}
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if not line.strip():
                break
            key, sep, value = line.partition(":")
            if sep and key in ("Name", "Version") and key not in found:
                found[key] = value.strip()
    return found


def versions_on_disk(sites, dist=DIST_NAME):
    """Versions of the distribution ``dist`` (nova-docker by default) found in the metadata
    under the site dirs ``sites``."""
    prefix = re.compile("^" + re.escape(dist).replace("\\-", "[-_.]") + "-")
    versions = []
    for site in sites:
        try:
            entries = os.listdir(site)
        except OSError:
            continue
        for entry in entries:
            lower = entry.lower()
            if not prefix.match(lower):
                continue
            path = os.path.join(site, entry)
            if lower.endswith(".dist-info"):
                meta = os.path.join(path, "METADATA")
            elif lower.endswith(".egg-info"):
                meta = os.path.join(path, "PKG-INFO") if os.path.isdir(path) else path
            else:
                continue
            try:
                headers = _read_headers(meta)
            except OSError:
                continue
            if norm_name(headers.get("Name", "")) == dist and headers.get("Version"):
                versions.append(headers["Version"])
    return versions


def sees_only_its_site_dir(python, dirs):
    """True when ``python`` is a virtualenv's interpreter whose ``sys.path`` holds no
    distributions outside ``dirs``, the one site-packages directory :py:func:`_site_dirs` found:
    ``pyvenv.cfg`` says ``include-system-site-packages = false`` (a missing key means true, as
    in CPython's site.py) and no ``.pth`` file there adds a directory. Then the absence of
    nova-docker's metadata on disk is proof enough, and no interpreter needs to be started."""
    prefix = os.path.dirname(os.path.dirname(os.path.abspath(python)))
    cfg = _read_venv_cfg(prefix)
    if cfg is None or cfg.get("include-system-site-packages", "true").lower() != "false":
        return False
    if len(dirs) != 1:
        return False
    try:
        pth_files = [e for e in os.listdir(dirs[0]) if e.endswith(".pth")]
        for name in pth_files:
            with open(os.path.join(dirs[0], name), encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    line = line.strip()
                    if line and not line.startswith(("#", "import ", "import\t")):
                        return False
    except OSError:
        return False
    return True


def check_python(python):
    """Raise unless ``python`` is an absolute path to an executable file."""
    if not python or not isinstance(python, str):
        raise SaltInvocationError(
            "No Python interpreter given: set pillar novadocker:driver:python to the "
            "interpreter nova-compute runs with (e.g. /usr/bin/python3)"
        )
    if not os.path.isabs(python):
        raise SaltInvocationError(
            f"Python interpreter {python!r} is not an absolute path: set pillar "
            "novadocker:driver:python to the full path of nova-compute's interpreter"
        )
    if not os.path.isfile(python) or not os.access(python, os.X_OK):
        raise CommandExecutionError(
            f"Python interpreter {python} does not exist or is not an executable file: set "
            "pillar novadocker:driver:python to the interpreter nova-compute runs with "
            "(install nova first if it is not there yet)"
        )


def last_line(text):
    """The last non-blank line of ``text``, stripped."""
    rows = [row.strip() for row in (text or "").splitlines() if row.strip()]
    return rows[-1] if rows else ""


def run(cmd, env=None, cwd="/", timeout=None):
    """Run ``cmd`` (a list, never a shell) from ``cwd``; ``{"retcode", "stdout", "stderr"}``.
    ``env`` adds to the minion's environment. A command that cannot start gives retcode 127
    and the reason in stderr; one over ``timeout`` seconds is killed (retcode -9)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    try:
        proc = subprocess.run(
            cmd,
            cwd=cwd,
            env=full_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        return {
            "retcode": -9,
            "stdout": exc.stdout if isinstance(exc.stdout, str) else "",
            "stderr": "killed after {} s".format(timeout),
        }
    except OSError as exc:
        return {"retcode": 127, "stdout": "", "stderr": "{}: {}".format(cmd[0], exc.strerror)}
    log.debug("novadocker: %s exited %s", cmd[:3], proc.returncode)
    return {"retcode": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}


def version_from_interpreter(python):
    """The nova-docker version ``python`` reports (``None``: not installed); raises
    ``CommandExecutionError`` when the interpreter cannot be asked."""
    res = run([python, "-c", _VERSION_SCRIPT], timeout=QUERY_TIMEOUT)
    for line in (res.get("stdout") or "").splitlines():
        if line.startswith("NOVADOCKER_VERSION="):
            return line.split("=", 1)[1].strip() or None
    raise CommandExecutionError(
        f"Could not ask {python} which nova-docker version it has (exit code "
        f"{res.get('retcode')}): {last_line(res.get('stderr')) or last_line(res.get('stdout'))}"
    )


def installed_version(python, sites=None):
    """The nova-docker version installed in ``python``'s environment, ``None`` when it is
    not there. Read from the metadata on disk; the interpreter is asked only when that is not
    conclusive (no metadata for an interpreter that may see other directories, or several
    versions found). ``sites``: :py:func:`site_dirs` when the caller has them already."""
    check_python(python)
    sites = site_dirs(python) if sites is None else sites
    found = sorted(set(versions_on_disk(sites)))
    if len(found) == 1:
        return found[0]
    if found:
        log.debug("Several nova-docker versions on disk for %s (%s): asking it", python, found)
    elif sees_only_its_site_dir(python, sites):
        return None
    return version_from_interpreter(python)


def disk_version(python):
    """The nova-docker version found on disk for ``python`` (the first, if several), ``None``
    when none is found or ``python`` is no file. Never starts a process, never raises: for the
    grain."""
    if not python or not isinstance(python, str) or not os.path.isfile(python):
        return None
    found = versions_on_disk(site_dirs(python))
    return found[0] if found else None


def importable(python, module=IMPORT_NAME):
    """``(True, message)`` when ``import <module>`` works with ``python`` (in a subprocess),
    else ``(False, message)`` quoting the last line of the import error."""
    check_python(python)
    res = run([python, "-c", f"import {module}"], timeout=QUERY_TIMEOUT)
    if res.get("retcode") == 0:
        return True, f"import {module} works with {python}"
    error = last_line(res.get("stderr")) or last_line(res.get("stdout")) or "no output"
    return False, f"import {module} fails with {python}: {error}"


def import_key(python, installed):
    """What a successful import depends on: the interpreter, the installed version and the
    mtime of each of its site directories (pip adds or removes a top-level entry there on every
    install and uninstall); ``None`` when they cannot be read."""
    try:
        stamps = [[d, os.stat(d).st_mtime_ns] for d in site_dirs(python)]
        stamps.append([python, os.stat(python).st_mtime_ns])
    except OSError:
        return None
    return {"version": installed, "stamps": stamps}


#: Run in nova's interpreter (Python 2.7 and 3.x): is it nova's (does ``nova`` import), how does
#: its ``load_compute_driver`` load a driver (read from its source: ``import_object_ns`` up to
#: mitaka, ``'nova.virt.%s'`` after), where is its ``nova/virt``, and does the class ``argv[1]``
#: load the way that nova loads it: oslo.utils' ``import_class`` (``__import__`` of the module,
#: then the attribute; a missing one is an ImportError) on ``nova.virt.<name>``, then on
#: ``<name>`` where nova uses ``import_object_ns``, and a ``ComputeDriver``. Prints one JSON
#: line after ``NOVADOCKER_LOAD=``.
_LOAD_SCRIPT = r"""
import json, sys


def import_class(path):
    mod, _, cls = path.rpartition(".")
    __import__(mod)
    try:
        return getattr(sys.modules[mod], cls)
    except AttributeError:
        raise ImportError("Class %s cannot be found" % cls)


out = {"nova": False}
try:
    import nova
    import nova.virt
    out["nova"] = True
    out["nova_virt_dir"] = list(nova.virt.__path__)[0]
    try:
        from nova import version as _nv
        out["nova_version"] = _nv.version_string()
    except Exception:
        out["nova_version"] = None
    from nova.virt import driver as _vd
    try:
        import inspect
        src = inspect.getsource(_vd.load_compute_driver)
        out["rule"] = "ns" if "import_object_ns" in src else "nova.virt"
    except Exception:
        out["rule"] = None
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    if name:
        rule = out["rule"] or "nova.virt"
        tries = ["nova.virt." + name] + ([name] if rule == "ns" else [])
        if len(sys.argv) > 2 and sys.argv[2] == "direct":
            tries = [name]
        for path in tries:
            try:
                cls = import_class(path)
            except ImportError:
                err = sys.exc_info()[1]
                out["error"] = "%s: %s" % (type(err).__name__, err)
                continue
            if isinstance(cls, type) and issubclass(cls, _vd.ComputeDriver):
                out.pop("error", None)
                out["loaded"] = path
            else:
                out["error"] = "%s is not a nova.virt.driver.ComputeDriver" % path
            break
except Exception:
    err = sys.exc_info()[1]
    out["error"] = "%s: %s" % (type(err).__name__, err)
sys.stdout.write("NOVADOCKER_LOAD=" + json.dumps(out) + "\n")
"""


def nova_version_on_disk(python):
    """nova's version from its metadata in ``python``'s environment (no process); ``None``
    when it is not found there."""
    if not python or not isinstance(python, str) or not os.path.isfile(python):
        return None
    found = versions_on_disk(site_dirs(python), "nova")
    return found[0] if len(set(found)) == 1 else None


def load_as_nova(python, compute_driver="", direct=False):
    """Ask ``python`` whether it is nova's interpreter and whether ``compute_driver`` loads
    there the way nova loads it (``direct``: by that import path alone, whatever nova's rule).
    Returns ``{"nova": bool, "nova_version", "nova_virt_dir", "rule", "loaded" (the import path
    that gave the class), "error"}``; raises ``CommandExecutionError`` when the interpreter
    cannot be run at all."""
    check_python(python)
    cmd = [python, "-c", _LOAD_SCRIPT, compute_driver or ""] + (["direct"] if direct else [])
    res = run(cmd, timeout=QUERY_TIMEOUT)
    for line in (res.get("stdout") or "").splitlines():
        if line.startswith("NOVADOCKER_LOAD="):
            return json.loads(line.split("=", 1)[1])
    raise CommandExecutionError(
        f"Could not ask {python} whether nova loads the driver (exit code "
        f"{res.get('retcode')}): {last_line(res.get('stderr')) or last_line(res.get('stdout'))}"
    )


#: The formula's shim package ``nova/virt/docker/__init__.py`` in nova's tree: nova 14
#: (newton) and later load drivers only from ``nova.virt``; this re-exports nova-docker's class
#: as ``nova.virt.docker.DockerDriver`` (``compute_driver = docker.DockerDriver``), as SUSE's
#: packages and nova-lxd did in 2016.
SHIM_SOURCE = """\
# Installed by the novadocker formula; novadocker.clean removes it.
# nova 14 (newton) and later load compute drivers only from nova.virt: with this package,
# compute_driver = docker.DockerDriver loads nova-docker's driver.
from novadocker.virt.docker import driver

DockerDriver = driver.DockerDriver
"""


def shim_source():
    """The text of the formula's shim (:py:data:`SHIM_SOURCE`)."""
    return SHIM_SOURCE


def nova_virt_dir(python):
    """nova's ``nova/virt`` directory in ``python``'s environment, found on disk (no process);
    ``None`` when there is none or more than one."""
    found = [
        os.path.join(site, "nova", "virt")
        for site in site_dirs(python)
        if os.path.isfile(os.path.join(site, "nova", "virt", "__init__.py"))
    ]
    return found[0] if len(found) == 1 else None


def shim_file(virt_dir):
    """The shim's ``__init__.py`` under nova's ``nova/virt`` directory ``virt_dir``."""
    return os.path.join(virt_dir, "docker", "__init__.py")


def shim_state(path):
    """``"ours"`` (the formula's shim, as it writes it), ``"absent"``, or ``"foreign"`` (a
    ``nova/virt/docker`` that is not the formula's: never touched)."""
    folder = os.path.dirname(path)
    if not os.path.lexists(folder):
        return "absent"
    if os.path.islink(folder) or not os.path.isdir(folder):
        return "foreign"
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        left = [e for e in os.listdir(folder) if e != "__pycache__"]
        return "foreign" if left else "absent"
    except OSError:
        return "foreign"
    return "ours" if text == SHIM_SOURCE else "foreign"
