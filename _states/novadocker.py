"""
States of the novadocker formula that guard a run and pay what it owes: the pillar is valid
(the TOFS sources too), the run holds the node's lock (and clears what a killed run left), the
config file a role edits exists and oslo.config reads it, a file the formula installs from the
file server is written atomically and recorded once created (and removed by clean only if the
formula created it), and a restart owed to a role's service is made.

The editing states live in ``novadocker_conf``, the driver in ``novadocker_driver``, the daemon
and socket access in ``novadocker_daemon``. Every state builds its return with the formula's
state contract (``_utils/novadocker_state.py``).
"""

import grp
import hashlib
import os
import pwd

from salt.exceptions import CommandExecutionError

__virtualname__ = "novadocker"


def __virtual__():
    if "novadocker.validate_pillar" in __salt__:
        return __virtualname__
    return (False, "the novadocker execution module is not loaded: run saltutil.sync_all")


def pillar_valid(name="novadocker", sources=None):
    """
    Pass only when the whole ``novadocker`` pillar is valid; otherwise fail with every problem
    found, each naming the key path, the bad value and what is accepted. Every other state of
    the formula requires this one, so a bad pillar changes nothing on the node (in test mode
    too: a bad pillar is an error, not a prediction).

    sources
        ``{state id: [file server URLs]}``: the TOFS source lists of the files the run will
        install; each must resolve (one of its URLs exists), so that an override that does not
        resolve fails here, before anything is written.

    .. code-block:: yaml

        novadocker-pillar-valid:
          novadocker.pillar_valid
    """
    ret = _st("ret")(name, True)
    problems = __salt__["novadocker.validate_pillar"]()
    if not problems:
        for sid, urls in sorted((sources or {}).items()):
            if not __salt__["novadocker.resolve_source"](urls):
                problems.append(
                    "novadocker:tofs: none of the sources of {} exists on the file server: "
                    "{}; check pillar novadocker:tofs (path_prefix, files_switch, "
                    "source_files)".format(sid, ", ".join(urls or []))
                )
    if problems:
        ret["result"] = False
        ret["comment"] = "Invalid pillar, nothing was changed:\n" + "\n".join(
            "- {}".format(p) for p in problems
        )
        return ret
    ret["comment"] = "pillar novadocker is valid"
    return ret


def locked(name, timeout=120, strays=()):
    """
    Take the node's lock for this run (``<name>/run.lock``, ``name`` being the formula's
    ``state_dir``) and keep it until the process ends, so that two runs of the formula on one
    node (an apply and a clean, two minion configs) never interleave. Another run holding it:
    wait up to ``timeout`` seconds (pillar ``novadocker:lock_timeout``), then fail naming its
    pid. Holding it, remove the temporary files a killed run left beside ``strays`` (the
    config files, the rootwrap filter, the records). In test mode nothing is written: the
    state waits for a run in progress and says what it would remove.

    .. code-block:: yaml

        novadocker-run-lock:
          novadocker.locked:
            - name: /var/lib/novadocker
            - timeout: 120
    """
    ret = _st("ret")(name, True)
    lock = __utils__["novadocker_lock.path_in"](name)
    try:
        got = __utils__["novadocker_lock.acquire"](name, timeout, readonly=__opts__["test"])
    except OSError as exc:
        ret["result"] = False
        if getattr(exc, "waited", None) is not None:
            who = "pid {}".format(exc.pid) if exc.pid else "a process whose pid is unknown"
            ret["comment"] = (
                "another run of the novadocker formula ({}) holds the lock {}: waited {:g} s "
                "(pillar novadocker:lock_timeout); nothing was changed".format(who, lock, timeout)
            )
        else:
            ret["comment"] = "cannot take the lock {}: {}".format(lock, exc.strerror or exc)
        return ret
    left = __utils__["novadocker_files.strays"](*strays)
    waited = " after waiting {:g} s".format(got["waited"]) if got["waited"] >= 0.5 else ""
    ret["comment"] = "{} {}{}".format(
        "holding the lock" if got["held"] else "no run holds the lock", lock, waited
    )
    if left:
        if __opts__["test"]:
            ret["result"] = None
            ret["changes"] = {"removed": left}
            ret["comment"] += "; would remove what a killed run left: " + ", ".join(left)
            return ret
        removed = __utils__["novadocker_files.remove_strays"](*strays)
        ret["changes"] = {"removed": removed}
        ret["comment"] += "; removed what a killed run left: " + ", ".join(removed)
    return ret


def config_present(name, message=None):
    """
    Fail, without creating anything, when the config file ``name`` a role edits is missing,
    is not a regular file (a FIFO is never opened), or is a file oslo.config refuses (a byte
    order mark, an option before the first section...: the line is named): the formula
    configures an installed service, it never invents its config file, and never edits one
    the service cannot read.

    message
        The failure text for a missing file; ``{path}`` is replaced by ``name``.

    .. code-block:: yaml

        novadocker-compute-nova-conf-present:
          novadocker.config_present:
            - name: /etc/nova/nova.conf
            - message: "nova.conf not found at {path}: is nova-compute installed?"
    """
    ret = _st("ret")(name, True)
    problem = _st("config_missing")(name, message)
    if problem is None:
        try:
            problem = __salt__["novadocker_conf.oslo_refusal"](name)
        except CommandExecutionError as exc:
            problem = str(exc)
    ret["result"] = problem is None
    ret["comment"] = problem or "{} exists and oslo.config reads it".format(name)
    return ret


def _sha(path, algo="sha256"):
    """The ``algo`` hex digest of the regular file ``path``; ``None`` when it cannot be read."""
    try:
        data = __utils__["novadocker_files.read_regular"](path)[2]
    except OSError:
        return None
    return hashlib.new(algo, data).hexdigest()


def file_installed(name, sources, record=None, user="root", group="root", mode="0644"):
    """
    Install the file ``name`` from the first of ``sources`` (file server URLs: a TOFS list)
    that exists, owned by ``user``:``group`` with ``mode``, written atomically through a
    temporary file whose name starts with a dot (a directory such as rootwrap.d, whose every
    other file is loaded, never holds a partial or temporary one).

    record
        When the formula creates ``name``, a ``file`` record says so (for
        :py:func:`recorded_file_absent`): ``created: false`` with the content's sha256 just
        before the write, ``created: true`` once the file exists. A file that was there
        before is not recorded (clean leaves it).

    .. code-block:: yaml

        novadocker-compute-rootwrap-filter:
          novadocker.file_installed:
            - name: /etc/nova/rootwrap.d/docker.filters
            - sources: [salt://novadocker/files/default/docker.filters]
            - record: /var/lib/novadocker/rootwrap.json
    """
    ret = _st("ret")(name)
    found = __salt__["novadocker.resolve_source"](sources)
    if not found:
        ret["comment"] = (
            "none of the sources of {} exists on the file server: {}; check pillar "
            "novadocker:tofs".format(name, ", ".join(sources or []))
        )
        return ret
    try:
        uid, gid = pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid
    except KeyError as exc:
        ret["comment"] = "no such user or group: {}".format(exc)
        return ret
    want_mode = int(str(mode), 8)
    if record and not __opts__["test"]:
        try:
            _settle_file(record, name)
        except CommandExecutionError as exc:
            ret["comment"] = str(exc)
            return ret
    exists = os.path.lexists(name)
    if exists and not os.path.isfile(name):
        ret["comment"] = _st("config_missing")(name)
        return ret
    changes = {}
    if not exists:
        changes["created"] = found["source"]
    else:
        st = os.stat(name)
        if _sha(name, found["hash_type"]) != found["hsum"]:
            changes["content"] = found["source"]
        if (st.st_uid, st.st_gid) != (uid, gid):
            changes["owner"] = "{}:{}".format(user, group)
        if st.st_mode & 0o7777 != want_mode:
            changes["mode"] = "{:04o}".format(want_mode)
    if not changes:
        ret["result"] = True
        ret["comment"] = "{} is as {} has it ({}:{} {})".format(
            name, found["source"], user, group, mode
        )
        return ret
    if __opts__["test"]:
        ret["result"] = None
        ret["changes"] = changes
        ret["comment"] = "{} would be {} from {}".format(
            name, "created" if not exists else "updated", found["source"]
        )
        return ret
    try:
        _write_file(name, found, changes, uid, gid, want_mode, record if not exists else None)
    except (OSError, CommandExecutionError) as exc:
        ret["comment"] = "could not write {}: {}".format(
            name, getattr(exc, "strerror", None) or exc
        )
        return ret
    ret["result"] = True
    ret["changes"] = changes
    ret["comment"] = "{} {} from {}".format(
        name, "created" if not exists else "updated", found["source"]
    )
    if record and not exists:
        ret["comment"] += "; recorded in {}".format(record)
    return ret


def _write_file(name, found, changes, uid, gid, mode, record):
    """Write ``name`` as ``changes`` say; with ``record``, an intent before and the record
    after (the file is new)."""
    if set(changes) <= {"owner", "mode"}:
        os.chown(name, uid, gid)
        os.chmod(name, mode)
        return
    cached = __salt__["cp.cache_file"](found["source"])
    if not cached:
        raise CommandExecutionError("{} could not be fetched".format(found["source"]))
    with open(cached, "rb") as fh:
        data = fh.read()
    if hashlib.new(found["hash_type"], data).hexdigest() != found["hsum"]:
        raise CommandExecutionError("{} changed while it was fetched".format(found["source"]))
    entry = {"path": name, "created": False, "sha256": hashlib.sha256(data).hexdigest()}
    if record:
        _records("write")(record, "file", entry)
    __utils__["novadocker_files.atomic_write"](name, data, mode, uid, gid)
    if record:
        _records("write")(record, "file", dict(entry, created=True))


def _settle_file(record, name):
    """Settle the intent a killed run left in ``record``: the formula created ``name`` when
    the file is there with the content it was about to write."""
    return _records("settle")(
        record,
        "file",
        "created",
        lambda rec: rec["path"] == name and rec.get("sha256") == _sha(name),
    )


def recorded_file_absent(name, record):
    """
    Remove ``name`` if, and only if, the JSON ``record`` says the formula created it; then
    remove the record. No record: nothing to do (a file the operator had stays).

    .. code-block:: yaml

        novadocker-compute-clean-rootwrap-filter:
          novadocker.recorded_file_absent:
            - name: /etc/nova/rootwrap.d/docker.filters
            - record: /var/lib/novadocker/rootwrap.json
    """
    ret = _st("ret")(name, True)
    data, readable = _st("read_record")(ret, record, "file")
    if not readable:
        return ret
    if data is not None and data["created"] is not True:
        # The intent of a run killed around the write: the formula created the file when it
        # is there with the content that run was writing.
        created = data["path"] == name and data.get("sha256") == _sha(name)
        data = dict(data, created=created)
    if data is None:
        ret["comment"] = "no record in {}: the formula did not create {}".format(record, name)
        return ret
    created = data["created"] is True and data["path"] == name
    changes = {"record": {"old": record, "new": None}}
    if created and os.path.exists(name):
        changes["removed"] = name
    what = " and ".join(([name] if "removed" in changes else []) + [record])
    if __opts__["test"]:
        ret["result"] = None
        ret["changes"] = changes
        ret["comment"] = "would remove {}".format(what)
        return ret
    try:
        if "removed" in changes:
            os.unlink(name)
        _records("remove")(record)
    except (OSError, CommandExecutionError) as exc:
        ret["result"] = False
        ret["comment"] = "could not remove {}: {}".format(name, exc)
        return ret
    ret["changes"] = changes
    ret["comment"] = "removed {}".format(what)
    return ret


def service_restarted(name, marker=None):
    """
    Restart the service ``name`` when a restart is owed to it, and only then: while its marker
    file exists. Every state of the formula that changes something the service reads records
    the restart there (``novadocker.owe_restart``) as it makes the change, so this is the one
    restart trigger: a run that fails after a change, or a failed restart, leaves the restart
    owed and the next run pays it, once. The marker is removed once the restart succeeded.
    Nothing owed: no restart, no changes. With ``test=True`` it says whether it would restart.

    .. code-block:: yaml

        novadocker-compute-service-restart:
          novadocker.service_restarted:
            - name: nova-compute
            - marker: /var/lib/novadocker/compute-restart-owed.json
            - require:
              - novadocker_conf: novadocker-compute-nova-conf
    """
    return _st("restart")(name, marker, __opts__["test"], __salt__["service.restart"])


# -- the formula's shared code (_utils), through the loader --------------------


def _st(name):
    return __utils__["novadocker_state.{}".format(name)]


def _records(name):
    return __utils__["novadocker_records.{}".format(name)]
