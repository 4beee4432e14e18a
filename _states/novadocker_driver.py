"""
States for the nova-docker driver in nova's Python environment.

.. code-block:: yaml

    novadocker-driver:
      novadocker_driver.installed:
        - name: /usr/bin/python3                      # novadocker:driver:python
        - source: https://example.org/nova-docker-stable-mitaka.zip
        - source_hash: sha256=<hex digest of the zip>
        - version: 1.0.0
        - pip_args: []
        - record: /var/lib/novadocker/driver.json

    novadocker-driver-clean:
      novadocker_driver.removed:
        - name: /usr/bin/python3
        - record: /var/lib/novadocker/driver.json

The check of ``installed`` reads the installed version from the environment's metadata on
disk, so a re-apply with the wanted version in place downloads nothing and starts no process.

The optional ``record`` is a JSON file ``{"python": <interpreter>, "previous_version":
<version or null>, "added": [<distribution>, ...]}`` written before the formula's first
install (``added``: what each install added to the environment, read on disk before and
after), so that ``removed`` undoes exactly what the formula did: it uninstalls the driver and
the dependencies its installs brought only when the formula brought the driver, never a
distribution that was there before.
"""

import logging

from salt.exceptions import CommandExecutionError, SaltInvocationError

log = logging.getLogger(__name__)

__virtualname__ = "novadocker_driver"

_SETUP_HINT = (
    "set novadocker:driver:source (a zip archive of nova-docker's git tree), "
    "novadocker:driver:source_hash and novadocker:driver:version to install it"
)


def __virtual__():
    if "novadocker_driver.version" in __salt__:
        return __virtualname__
    return (False, "the novadocker_driver execution module is not available")


def _same_version(installed, wanted):
    return __utils__["novadocker_pyenv.same_version"](installed, wanted)


def _describe(current):
    return "not installed" if current is None else f"at {current}"


def installed(
    name,
    source="",
    source_hash="",
    version="",
    pip_args=None,
    unsafe_skip_source_hash=False,
    skip_unready=False,
    record=None,
    restart_marker=None,
    wheelhouse="",
    download_timeout=300,
    source_username=None,
    source_password_pillar=None,
):
    """
    Ensure nova-docker ``version`` is installed in the environment of interpreter ``name``.

    name
        Path of nova's Python interpreter (pillar ``novadocker:driver:python``).

    source
        ``https://``, ``http://``, ``salt://`` or ``file://`` URL (or absolute path) of a zip
        archive of nova-docker's git tree (pillar ``novadocker:driver:source``).

    source_hash
        ``sha256=<hex digest>`` of the zip (pillar ``novadocker:driver:source_hash``).

    version
        The version to install (pillar ``novadocker:driver:version``); pbr is told it through
        ``PBR_VERSION`` as the archive has no git metadata.

    pip_args
        Extra ``pip install`` options (pillar ``novadocker:driver:pip_args``), e.g. for an
        internal index or an offline node.

    unsafe_skip_source_hash
        Install without checking the hash (pillar
        ``novadocker:driver:unsafe_skip_source_hash``); the state warns.

    skip_unready
        When ``source`` is empty and the driver is not there at ``version``, succeed with a
        ``SKIPPED:`` comment instead of failing.

    record
        Path of a JSON file recording, before the first install, the version that was there
        before the formula (for :py:func:`removed`).

    restart_marker
        Marker of the restart owed to nova-compute (``novadocker.owe_restart``), written before
        pip runs: nova-compute runs the new code only once restarted, even if the run is killed
        or a later step fails. A failed install that left nova's environment as it was owes
        nothing (the code in memory is the one that worked).

    wheelhouse
        A directory of wheels (``salt://`` or a path on the minion; pillar
        ``novadocker:driver:wheelhouse``) everything pip needs comes from, with no index.

    In test mode nothing is downloaded or written, but what can be known without that is
    checked for real (``novadocker_driver.verify``: the interpreter, pip and PEP 668, the
    source's presence and hash, the wheelhouse): the state fails where the real run would.
    A run that changed nova's environment refreshes the minion's grains (the ``novadocker``
    grain reports the driver's version).

    download_timeout
        Seconds the whole download of an http(s) ``source`` may take (pillar
        ``novadocker:driver:download_timeout``).

    source_username, source_password_pillar
        HTTP Basic credentials for an http(s) ``source``: the user (pillar
        ``novadocker:driver:source_username``) and the pillar key holding the password
        (``novadocker:driver:source_password``), read at run time so that the password is no
        argument of the state (Salt keeps those in its cache of compiled states).

    The archive is downloaded (and its hash checked) before anything is recorded or owed: a
    download that fails changes nothing. No comment or change ever shows a credential.
    """
    password = _pillar_value(source_password_pillar)
    known = __utils__["novadocker_secrets.known"](source, password, pip_args or ())
    ret = _installed(
        name,
        source or "",
        source_hash,
        str(version or "").strip(),
        pip_args,
        unsafe_skip_source_hash,
        skip_unready,
        record,
        restart_marker,
        {"timeout": download_timeout, "username": source_username, "password": password},
        wheelhouse,
    )
    return _st("redact")(ret, known)


def _pillar_value(key):
    """The pillar value at ``key`` (``a:b:c``), ``""`` when unset. Read from ``__pillar__``
    itself: Salt 3008's ``pillar.get`` masks values outside of template rendering."""
    if not key:
        return ""
    first, *rest = key.split(":")
    value = __pillar__.get(first)  # (a loader context, not a dict)
    for part in rest:
        value = value.get(part) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


def _installed(
    name,
    source,
    source_hash,
    version,
    pip_args,
    unsafe_skip_source_hash,
    skip_unready,
    record,
    restart_marker,
    download,
    wheelhouse,
):
    ret = _st("ret")(name)
    warnings = []
    shown = __utils__["novadocker_secrets.redact_url"](source)
    try:
        current = __salt__["novadocker_driver.version"](name)
        interp_error = None
    except (CommandExecutionError, SaltInvocationError) as exc:
        current = None
        interp_error = str(exc)

    if interp_error is None and version and _same_version(current, version):
        ret["result"] = True
        ret["comment"] = f"nova-docker {current} is already installed in {name}"
        return ret

    if not source:
        why = f"nova-docker is {_describe(current)} in {name}" + (
            f" (wanted: {version})" if version else ""
        )
        if interp_error:
            why = interp_error
        why += " and pillar novadocker:driver:source is empty"
        if skip_unready:
            ret["result"] = True
            ret["comment"] = f"SKIPPED: {why}; {_SETUP_HINT}."
            return ret
        ret["comment"] = f"{why}: {_SETUP_HINT}."
        return ret

    if not version:
        ret["comment"] = (
            "pillar novadocker:driver:version is empty: set it to the version of the archive "
            "to install (the archive has no git metadata, so pbr needs it as PBR_VERSION)"
        )
        return ret

    if interp_error:
        ret["comment"] = interp_error
        return ret

    if not source_hash:
        if not unsafe_skip_source_hash:
            ret["comment"] = (
                "pillar novadocker:driver:source_hash is empty: set it to sha256=<hex digest> "
                f"of {shown} (or, unsafe, set novadocker:driver:unsafe_skip_source_hash: "
                "true to install without checking it)"
            )
            return ret
        warnings.append(
            f"novadocker:driver:unsafe_skip_source_hash is set: {shown} is installed "
            "without checking its hash"
        )
    if download["username"] and source.lower().startswith("http://"):
        warnings.append(
            f"{shown} is a plain http:// URL: the credentials of "
            "novadocker:driver:source_username cross the network in clear; prefer https://"
        )

    # How to fetch and install, the same for the dry run's checks and for the install.
    how = {
        "source_hash": source_hash,
        "pip_args": pip_args,
        "wheelhouse": wheelhouse,
        "skip_hash": bool(unsafe_skip_source_hash and not source_hash),
    }
    if __opts__["test"]:
        problems = __salt__["novadocker_driver.verify"](
            name,
            source,
            source_username=download["username"],
            source_password=download["password"],
            **how,
        )
        if problems:
            ret["comment"] = "nova-docker {} could not be installed into {}: {}".format(
                version, name, "; ".join(problems)
            )
            return _st("finish")(ret, warnings)
        ret["result"] = None
        ret["changes"] = {"old": current, "new": version}
        ret["comment"] = (
            f"nova-docker {version} would be installed into {name} from {shown} (now "
            f"{_describe(current)})"
        )
        return _st("finish")(ret, warnings)

    try:
        # Downloaded and checked before anything is recorded or owed.
        fetched = __salt__["novadocker_driver.fetch"](
            source,
            source_hash=source_hash,
            skip_hash=how["skip_hash"],
            download_timeout=download["timeout"],
            source_username=download["username"],
            source_password=download["password"],
        )
    except (CommandExecutionError, SaltInvocationError) as exc:
        ret["comment"] = f"{exc}; nothing was changed"
        return _st("finish")(ret, warnings)

    kept = None
    if record:
        try:
            # Written once: the original is what was there before the formula ever installed.
            kept = __utils__["novadocker_records.read"](record, "driver")
            if kept is None:
                kept = {"python": name, "previous_version": current, "added": []}
                __utils__["novadocker_records.write"](record, "driver", kept)
                log.info("Recorded nova-docker %s in %s before installing", current, record)
        except CommandExecutionError as exc:
            ret["comment"] = f"{exc}; nothing was installed"
            return _st("finish")(ret, warnings)

    # Owed before pip touches nova's environment; taken back below if the install failed
    # without changing it (an archive error, pip refusing at once).
    stamp = __utils__["novadocker_pyenv.import_key"](name, current)
    try:
        owed = _st("owe_restart")(restart_marker, f"nova-docker {current or 'none'} -> {version}")
    except CommandExecutionError as exc:
        ret["comment"] = f"{exc}: nothing was installed"
        return _st("finish")(ret, warnings)
    try:
        changes = __salt__["novadocker_driver.install"](
            name,
            source,
            version=version,
            source_password=download["password"],
            fetched=fetched,
            **how,
        )
    except (CommandExecutionError, SaltInvocationError) as exc:
        ret["comment"] = str(exc)
        try:
            after = __salt__["novadocker_driver.version"](name)
        except (CommandExecutionError, SaltInvocationError):
            after = current
        if after != current:
            ret["changes"] = {"old": current, "new": after}
            _st("grains_changed")(__opts__, __salt__["saltutil.refresh_grains"])
        elif stamp is not None and stamp == __utils__["novadocker_pyenv.import_key"](name, after):
            _st("not_done")(restart_marker, owed)
        return _st("finish")(ret, warnings)

    added = changes.get("added", [])
    if kept is not None and set(added) - set(kept.get("added") or []):
        # What the formula's installs added, for clean: never what was there before them.
        kept["added"] = sorted(set(kept.get("added") or []) | set(added))
        try:
            __utils__["novadocker_records.write"](record, "driver", kept)
        except CommandExecutionError as exc:
            warnings.append(f"{exc}: novadocker.clean will leave {', '.join(added)} in place")
    ret["result"] = True
    ret["changes"] = changes
    ret["comment"] = (
        f"Installed nova-docker {changes['new']} into {name} from {shown} (was "
        f"{_describe(changes['old'])})"
    ) + (f" with the dependencies it needs: {', '.join(added)}" if added else "")
    _st("grains_changed")(__opts__, __salt__["saltutil.refresh_grains"])
    return _st("finish")(ret, warnings)


def removed(name, record=None, restart_marker=None):
    """
    Ensure nova-docker is not installed in the environment of interpreter ``name``, or, with
    ``record``, undo what the formula did.

    name
        Path of nova's Python interpreter (pillar ``novadocker:driver:python``).

    record
        The record written by :py:func:`installed`. When given, the driver is uninstalled only
        if the formula installed it (``previous_version`` null), with the distributions its
        installs added to the environment (``added``: never one that was there before), and
        the record is deleted; a driver that was there before the formula is left in place,
        with its dependencies. No record: nothing to do.

    restart_marker
        Marker of the restart owed to nova-compute, written when the driver is uninstalled
        (the code nova-compute has loaded is gone).
    """
    ret = _st("ret")(name)
    if record:
        return _removed_by_record(ret, name, record, restart_marker)
    return _removed(ret, name, restart_marker)


def _removed(ret, name, restart_marker):
    try:
        current = __salt__["novadocker_driver.version"](name)
    except CommandExecutionError as exc:
        ret["result"] = True
        ret["comment"] = f"Nothing to remove: {exc}"
        return ret
    if current is None:
        ret["result"] = True
        ret["comment"] = f"nova-docker is not installed in {name}"
        return ret
    return _uninstall(ret, name, current, restart_marker)


def _uninstall(ret, python, current, restart_marker, extra="", also=()):
    """Uninstall nova-docker (``current``: its version, ``None`` when only ``also`` is left)
    and the distributions of ``also`` still in ``python``'s environment."""
    try:
        present = __salt__["novadocker_driver.distributions"](python)
    except (CommandExecutionError, SaltInvocationError):
        present = {}
    deps = sorted(set(also) & set(present) - {"nova-docker"})
    what = f"nova-docker {current}" if current is not None else ""
    if deps:
        what += "{}the dependencies its install added ({})".format(
            " and " if what else "", ", ".join(deps)
        )
    if __opts__["test"]:
        ret["result"] = None
        ret["changes"] = {"old": current, "new": None}
        if deps:
            ret["changes"]["removed"] = deps
        ret["comment"] = f"{what} would be uninstalled from {python}{extra}"
        return ret
    try:
        _st("owe_restart")(restart_marker, f"{what} uninstalled")
        changes = __salt__["novadocker_driver.remove"](python, also=deps)
    except (CommandExecutionError, SaltInvocationError) as exc:
        ret["comment"] = str(exc)
        return ret
    ret["result"] = True
    ret["changes"] = changes
    ret["comment"] = f"Uninstalled {what} from {python}{extra}"
    _st("grains_changed")(__opts__, __salt__["saltutil.refresh_grains"])
    return ret


def _removed_by_record(ret, name, record, restart_marker):
    try:
        data = __utils__["novadocker_records.read"](record, "driver")
    except CommandExecutionError as exc:
        ret["comment"] = f"{exc}: check it, or delete it to leave the driver as it is"
        return ret
    if data is None:
        ret["result"] = True
        ret["comment"] = (
            f"No record at {record}: the formula did not install nova-docker, nothing to do"
        )
        return ret
    python = data.get("python") or name
    previous = data.get("previous_version")
    # Records of formula 0.1 have no "added": only the driver itself is known to be its own.
    added = [] if previous is not None else list(data.get("added") or [])
    try:
        current = __salt__["novadocker_driver.version"](python)
        present = set(__salt__["novadocker_driver.distributions"](python))
    except CommandExecutionError as exc:
        current, present = None, set()
        log.info("No interpreter for the record %s: %s", record, exc)

    if previous is not None or (current is None and not set(added) & present):
        if previous is not None:
            what = (
                f"nova-docker {previous} was installed in {python} before the formula: "
                f"leaving the driver (now {_describe(current)}) and its dependencies in place"
            )
            if current is not None and not _same_version(current, previous):
                what += f"; reinstall {previous} by hand to undo the formula's upgrade"
        else:
            what = f"nova-docker is not installed in {python}"
        if __opts__["test"]:
            ret["result"] = None
            ret["changes"] = {"record": {"old": record, "new": None}}
            ret["comment"] = f"{what}; the record {record} would be deleted"
            return ret
        __utils__["novadocker_records.remove"](record)
        ret["result"] = True
        ret["changes"] = {"record": {"old": record, "new": None}}
        ret["comment"] = f"{what}; deleted the record {record}"
        return ret

    extra = f" (the formula installed it, record {record})"
    ret = _uninstall(ret, python, current, restart_marker, extra, also=added)
    if ret["result"] is True:
        __utils__["novadocker_records.remove"](record)
        ret["changes"]["record"] = {"old": record, "new": None}
        ret["comment"] += f"; deleted the record {record}"
    elif ret["result"] is None:
        ret["changes"]["record"] = {"old": record, "new": None}
    return ret


# -- the formula's shared code (_utils), through the loader --------------------


def _st(name):
    return __utils__["novadocker_state.{}".format(name)]
