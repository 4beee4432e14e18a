"""
The state contract of the novadocker formula, written once for its state modules.

Every state of the formula follows Salt's contract, check -> test -> change -> ``{old, new}``,
and builds its return here:

* :py:func:`ret`: a fresh return (``result`` False until the state decides);
* :py:func:`warn` and :py:func:`finish`: warnings are collected in ``ret["warnings"]`` and
  listed under the comment, one ``WARNING:`` line each;
* :py:func:`owe_restart`: a change the role's service reads records the restart it owes in
  the role's marker (``novadocker_records``) BEFORE it is made, so that a run killed at any
  point, or failing later, still leaves it owed (a change that then did not happen costs one
  extra restart at most, never a lost one); :py:func:`not_done` takes it back when the change
  verifiably did not happen;
* :py:func:`restart`: the one restart trigger, used by ``novadocker.service_restarted``: the
  service is restarted while its marker says a restart is owed, and the marker is removed once
  the restart succeeded;
* :py:func:`grains_changed`: a change the ``novadocker`` grain reports (nova.conf's driver
  and daemon, the driver's version) makes the running salt-minion reload its grains, so that
  ``salt -G 'novadocker:...'`` is right right after the run.
* :py:func:`config_missing`: why a config file a role edits cannot be edited (missing, or not
  a regular file: a FIFO is never opened);
* :py:func:`redact`: a return with every credential of ``novadocker_secrets`` hidden, in its
  comment, warnings and changes (Salt logs a failed state's comment at ERROR).

Pure: no Salt dunders (the caller passes ``test`` and the function that restarts).
"""

import logging
import os
import sys

from salt.exceptions import CommandExecutionError, SaltInvocationError

# Sibling utils are imported fresh on every (re)load of this module (see README, Architecture).
for _name in ("novadocker_files", "novadocker_records", "novadocker_secrets"):
    sys.modules.pop(_name, None)
import novadocker_files as files  # noqa: E402
import novadocker_records as records  # noqa: E402
import novadocker_secrets as secrets  # noqa: E402

log = logging.getLogger(__name__)


def ret(name, result=False):
    """A state return for ``name`` with no changes and an empty comment."""
    return {"name": name, "result": result, "changes": {}, "comment": ""}


def warn(ret_, text):
    """Add the warning ``text`` to ``ret_`` (shown by :py:func:`finish`)."""
    ret_.setdefault("warnings", [])
    if text not in ret_["warnings"]:
        ret_["warnings"].append(text)
    return ret_


def finish(ret_, warnings=()):
    """Add ``warnings`` to ``ret_`` and list every warning under its comment; return it."""
    for text in warnings:
        warn(ret_, text)
    if ret_.get("warnings"):
        lines = [ret_["comment"]] if ret_["comment"] else []
        lines += ["WARNING: " + text for text in ret_["warnings"]]
        ret_["comment"] = "\n".join(lines)
    return ret_


def config_missing(path, message=None):
    """Why the config file ``path`` a role edits cannot be edited, or ``None`` when it is a
    regular file: missing (``message`` with ``{path}`` replaced; the formula never creates
    one), or not a regular file ("<path> is a FIFO (named pipe), not a regular file"). Only
    ``stat`` is used: a FIFO is never opened."""
    try:
        files.regular_stat(path)
    except FileNotFoundError:
        return (message or "{path} not found").replace("{path}", path)
    except files.NotRegularFile as exc:
        return "{}: nothing was changed".format(exc.strerror)
    except OSError as exc:
        return "cannot read {}: {}: nothing was changed".format(path, exc.strerror or exc)
    return None


def redact(ret_, known=()):
    """``ret_`` with the credentials in it hidden (``novadocker_secrets``): URLs' userinfo and
    query values, and each of ``known``, in its comment, warnings and changes."""
    for key in ("comment", "warnings", "changes"):
        if key in ret_:
            ret_[key] = secrets.redact_data(ret_[key], known)
    return ret_


def read_record(ret_, path, kind):
    """``(record, True)`` for the ``kind`` record at ``path`` (``None`` when there is none);
    ``(None, False)`` with ``ret_`` failed and its comment naming what is wrong when the record
    cannot be read or is damaged."""
    try:
        return records.read(path, kind), True
    except CommandExecutionError as exc:
        ret_["result"] = False
        ret_["comment"] = str(exc)
        return None, False


def owe_restart(marker, reason):
    """Record in ``marker``, before making a change, that its service must be restarted because
    of ``reason`` (no marker: the role restarts nothing). Raises ``CommandExecutionError`` when
    the marker cannot be written: the state must then fail without making the change. Returns
    a token for :py:func:`not_done` (``None`` when the reason was owed already)."""
    if not marker:
        return None
    before = records.owed(marker)
    records.owe(marker, reason)
    return None if before and str(reason) in before["reasons"] else str(reason)


def not_done(marker, token):
    """The change :py:func:`owe_restart` recorded ``token`` for verifiably did not happen:
    take the restart back (best effort: an extra restart is the worst case)."""
    if not marker or not token:
        return
    try:
        records.forgive(marker, token)
    except CommandExecutionError:
        pass


def atomic_change(ret_, marker, reason, change):
    """Make an all-or-nothing ``change()`` (an atomic file write: when it raises, nothing
    changed) that owes its service a restart: the restart is owed first (``reason`` in
    ``marker``), taken back if the change raised. Returns ``(True, change's result)``, or
    ``(False, None)`` with ``ret_``'s comment saying why (the marker could not be written:
    nothing was changed; or the change's error)."""
    try:
        owed = owe_restart(marker, reason)
    except CommandExecutionError as exc:
        ret_["comment"] = "{}: nothing was changed".format(exc)
        return False, None
    try:
        return True, change()
    except (CommandExecutionError, SaltInvocationError) as exc:
        not_done(marker, owed)
        ret_["comment"] = str(exc)
        return False, None


def restart(name, marker, test, restart_fn):
    """The return of ``novadocker.service_restarted`` for service ``name``: restarted with
    ``restart_fn(name)`` (``True`` on success) while ``marker`` owes a restart; the marker is
    removed once it succeeded and kept when it failed, so the next run retries. Nothing owed:
    nothing done. ``test``: say what would be done."""
    out = ret(name, True)
    owed = records.owed(marker) if marker else None
    if not owed:
        out["comment"] = "No restart of {} is owed".format(name)
        return out
    why = "; ".join(owed["reasons"])
    changes = {"old": "restart owed: {}".format(why), "new": "{} restarted".format(name)}
    if test:
        out["result"] = None
        out["changes"] = changes
        out["comment"] = "{} would be restarted ({})".format(name, why)
        return out
    try:
        done = restart_fn(name)
    except CommandExecutionError as exc:
        done, why_not = False, str(exc)
    else:
        why_not = "service.restart returned {!r}".format(done)
    if done is not True:
        out["result"] = False
        out["comment"] = (
            "Could not restart {} ({}); the restart stays owed in {} and the next run "
            "retries it".format(name, why_not, marker)
        )
        return out
    try:
        records.paid(marker)
    except CommandExecutionError as exc:
        warn(out, str(exc))
    out["changes"] = changes
    out["comment"] = "Restarted {} ({})".format(name, why)
    return finish(out)


def _minion_running(opts):
    """True when a salt-minion daemon of this minion's configuration runs (its pidfile names a
    live process): the job runs inside it, or a ``salt-call`` runs beside it."""
    try:
        with open(opts["pidfile"], encoding="ascii") as handle:
            pid = int(handle.read().strip())
        os.kill(pid, 0)
    except (KeyError, TypeError, ValueError, OSError):
        return False
    return True


def grains_changed(opts, refresh_fn):
    """A state changed what the ``novadocker`` grain reports: have the minion reload its grains
    with ``refresh_fn`` (``saltutil.refresh_grains``: an event to the minion daemon, which
    reloads them and sends them to the master with its next pillar request, so that targeting
    by grain from the master is right at once). Only when a salt-minion daemon runs to hear it
    (``opts``' pidfile): a ``salt-call --local`` computes its grains afresh on every call, and
    firing at a minion that is not there costs seconds. Never fails the state: ``True`` when
    the refresh was asked for."""
    if not _minion_running(opts):
        return False
    try:
        refresh_fn()
    except Exception as exc:  # pylint: disable=broad-except
        log.warning("novadocker: could not refresh the grains after a change: %s", exc)
        return False
    return True
