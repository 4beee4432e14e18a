"""
The records and markers the novadocker formula keeps on a node, and their one API.

Everything the formula must remember between runs lives in ``state_dir`` (pillar
``novadocker:state_dir``, root-prefixed, mode 0700), one JSON file per thing, mode 0600,
written atomically (``novadocker_files.atomic_write``). No record holds a secret: config
records hold the formula's own keys only, never another line of the file.

=================  ==========================  ================================================
file               kind                        format
=================  ==========================  ================================================
nova.conf.json     ``conf``                    ``{"version": 1, "path", "keys": {section: {key:
glance-api.conf                                {"present", "line", "value"}}}, "sections":
.json                                          [{"name", "separator"}], "final_newline"}``: what
                                               each key was before the formula first changed it
driver.json        ``driver``                  ``{"python", "previous_version"}``: the driver
                                               version before the formula's first install
socket-access      ``socket``                  ``{"user", "group", "added": true}``: the formula
.json                                          added the nova user to the socket's group
rootwrap.json      ``file``                    ``{"path", "created": true}``: the formula created
                                               the rootwrap filter
nova-shim.json     ``file``                    the formula created the shim package
                                               ``nova/virt/docker/`` in nova's tree
nova-chain/*.json  ``conf``                    like nova.conf.json, for each other file of
                                               nova-compute's config chain the formula edited
compute-restart-   ``restart``                 ``{"reasons": [...], "since": "<UTC>"}``: a
owed.json, image-                              restart owed to nova-compute (glance-api)
restart-owed.json
=================  ==========================  ================================================

Reading: :py:func:`read` returns ``None`` for a missing record and raises
:py:class:`RecordError` (a ``CommandExecutionError`` naming the file and what is wrong) for one
that cannot be read or is not of its kind. Writing: :py:func:`write` checks the shape first.
Restart markers: :py:func:`owe`, :py:func:`owed`, :py:func:`paid`.

Pure: no Salt dunders; imported by its sibling utils and reached as ``__utils__``.
"""

import datetime
import os
import re
import sys

from salt.exceptions import CommandExecutionError

# Sibling utils are imported fresh on every (re)load of this module (see README, Architecture).
sys.modules.pop("novadocker_files", None)
import novadocker_files as files  # noqa: E402

#: Version of the ``conf`` record layout.
CONF_RECORD_VERSION = 1

#: Each record of the formula: its file name in state_dir and its kind.
NAMES = {
    "nova_conf": ("nova.conf.json", "conf"),
    "glance_api_conf": ("glance-api.conf.json", "conf"),
    "driver": ("driver.json", "driver"),
    "socket_access": ("socket-access.json", "socket"),
    "rootwrap": ("rootwrap.json", "file"),
    "nova_shim": ("nova-shim.json", "file"),
    "compute_restart": ("compute-restart-owed.json", "restart"),
    "image_restart": ("image-restart-owed.json", "restart"),
}

#: The keys each kind must hold, with their types.
_SHAPES = {
    "conf": {"version": int, "path": str, "keys": dict, "sections": list},
    "driver": {"python": str, "previous_version": (str, type(None))},
    "socket": {"user": str, "group": str, "added": bool},
    "file": {"path": str, "created": bool},
    "restart": {"reasons": list},
}


class RecordError(CommandExecutionError):
    """A record that exists but cannot be read, or is not of its kind; ``why`` says what is
    wrong without the path."""

    def __init__(self, message, why=None):
        super().__init__(message)
        self.why = why or message


#: Revert records (``conf`` kind) of the files of nova's config chain other than
#: ``compute:nova_conf`` (whose record is ``nova.conf.json``), one per file, named after it.
CHAIN_DIR = "nova-chain"


def paths(state_dir):
    """``{name: path}`` of every record and marker under ``state_dir`` (see the table), and
    ``nova_chain``: the folder of the chain files' revert records."""
    found = {name: os.path.join(state_dir, fname) for name, (fname, _kind) in NAMES.items()}
    found["nova_chain"] = os.path.join(state_dir, CHAIN_DIR)
    return found


def chain_record(state_dir, path):
    """The revert record of ``path``, a file of nova's config chain other than
    ``compute:nova_conf``: ``<state_dir>/nova-chain/<path with / as _>.json``."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", path.strip("/"))
    return os.path.join(state_dir, CHAIN_DIR, slug + ".json")


def chain_records(state_dir):
    """The chain files' revert records kept under ``state_dir``, sorted."""
    folder = os.path.join(state_dir, CHAIN_DIR)
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
    except OSError:
        return []
    return [os.path.join(folder, n) for n in names]


def _shape_problem(data, kind):
    if kind not in _SHAPES:
        raise ValueError("unknown record kind {!r}".format(kind))
    if not isinstance(data, dict):
        return "not a JSON object"
    for key, types in _SHAPES[kind].items():
        if key not in data:
            return "no {!r}".format(key)
        if not isinstance(data[key], types) or (types is int and isinstance(data[key], bool)):
            return "{!r} is {!r}".format(key, data[key])
    if kind == "conf" and data["version"] != CONF_RECORD_VERSION:
        return "version {!r}, not {}".format(data["version"], CONF_RECORD_VERSION)
    return None


def read(path, kind):
    """The record at ``path`` (a dict of ``kind``), ``None`` when there is none; raises
    :py:class:`RecordError` when it cannot be read or is not a ``kind`` record."""
    try:
        data = files.read_json(path)
    except OSError as exc:
        why = "cannot be read: {}".format(exc.strerror or exc)
        raise RecordError("record {} {}".format(path, why), why) from None
    except ValueError:
        raise RecordError("record {} is not valid JSON".format(path), "not valid JSON") from None
    if data is None:
        return None
    problem = _shape_problem(data, kind)
    if problem:
        why = "not a {} record ({})".format(kind, problem)
        raise RecordError("{} is {}".format(path, why), why)
    return data


def write(path, kind, data):
    """Write the ``kind`` record ``data`` to ``path`` (atomically, 0600, directory 0700).
    ``data`` may also be the bytes of a record read earlier (to put it back as it was)."""
    if not isinstance(data, bytes):
        problem = _shape_problem(data, kind)
        if problem:
            raise ValueError("not a {} record: {}".format(kind, problem))
    try:
        files.write_private_json(path, data)
    except OSError as exc:
        raise CommandExecutionError(
            "cannot write record {}: {}".format(path, exc.strerror or exc)
        ) from None


def raw(path):
    """The bytes of the record at ``path``, ``None`` when there is none."""
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise RecordError("cannot read record {}: {}".format(path, exc.strerror)) from None


def remove(path):
    """Remove the record at ``path``; ``True`` when there was one."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise CommandExecutionError(
            "cannot remove record {}: {}".format(path, exc.strerror)
        ) from None
    return True


# -- restart markers ---------------------------------------------------------------------------


def owed(marker):
    """The restart owed in ``marker`` (``{"reasons": [...], "since": <UTC or None>}``), or
    ``None`` when none is. A marker that cannot be read still owes the restart (a lost restart
    is worse than an extra one)."""
    try:
        data = read(marker, "restart")
    except RecordError as exc:
        return {"reasons": ["marker {} is damaged: {}".format(marker, exc.why)], "since": None}
    if data is None:
        return None
    return {"reasons": [str(r) for r in data["reasons"]], "since": data.get("since")}


def owe(marker, reason):
    """Record in ``marker`` that its service must be restarted because of ``reason`` (reasons
    owed already are kept, each once); return what is owed now. Raises
    ``CommandExecutionError`` when the marker cannot be written."""
    now = owed(marker) or {
        "reasons": [],
        "since": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if str(reason) not in now["reasons"]:
        now["reasons"].append(str(reason))
        write(marker, "restart", now)
    return now


def forgive(marker, reason):
    """Take ``reason`` back out of ``marker`` (the change it was owed for did not happen);
    the marker goes when no reason is left."""
    now = owed(marker)
    if not now or str(reason) not in now["reasons"]:
        return now
    now["reasons"].remove(str(reason))
    if not now["reasons"]:
        remove(marker)
        return None
    write(marker, "restart", now)
    return now


def paid(marker):
    """The restart owed in ``marker`` was made: remove the marker."""
    return remove(marker)
