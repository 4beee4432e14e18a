"""
Runner of the novadocker formula: a rolling rollout over a fleet, from the master.

:py:func:`rollout` applies the formula to the image (Glance) nodes first, then publishes the
Docker images into Glance (``novadocker.images`` on the nodes whose pillar enables
``images``), then applies the formula to the compute nodes in batches; after each step it
runs ``novadocker.check`` on the nodes it just changed, and it stops at the first failing
step: the nodes of later batches are left untouched. The result says what was done, what
failed (each node's failed states and check problems) and what was not done.
:py:func:`plan` shows the same batches without changing anything.

The orchestrate SLS ``novadocker.orch.rollout`` calls :py:func:`rollout` with the keys of
pillar ``novadocker:orch`` (the orchestrate pillar, i.e. the master's own pillar or
``pillar=`` on the ``salt-run`` command line), so that::

    salt-run state.orchestrate novadocker.orch.rollout
    salt-run state.orchestrate novadocker.orch.rollout \
        pillar='{"novadocker": {"orch": {"batch_size": 2}}}'

Sync the runner to the master first (``salt-run saltutil.sync_runners``); the orchestrate SLS
does that itself.
"""

import logging
import math

import salt.client
import salt.utils.minions

log = logging.getLogger(__name__)

__virtualname__ = "novadocker"

#: Defaults: targets by pillar (what each node is meant to be), one compute node per batch.
DEFAULTS = {
    "image_target": "I@novadocker:image:enabled:True",
    "compute_target": "I@novadocker:compute:enabled:True",
    "images_target": "I@novadocker:images:enabled:True",
    "tgt_type": "compound",
    "batch_size": 1,
    "sls": "novadocker",
    "saltenv": None,
    "timeout": 120,
    "test": False,
}


def __virtual__():
    return __virtualname__


# ------------------------------------------------------------------------------------------
# Arguments
# ------------------------------------------------------------------------------------------
def _options(kwargs):
    """Merge ``kwargs`` (without Salt's ``__pub_*``/``__*__`` keys) over :py:data:`DEFAULTS`;
    return ``(options, problems)``."""
    opts = dict(DEFAULTS)
    problems = []
    for key, value in kwargs.items():
        if key.startswith("__"):
            continue
        if key not in DEFAULTS:
            problems.append(
                "unknown option {!r} (accepted: {})".format(key, ", ".join(sorted(DEFAULTS)))
            )
            continue
        if value is not None:
            opts[key] = value
    for key in ("image_target", "compute_target", "images_target"):
        if opts[key] in (False, "", []):
            opts[key] = None
        elif not isinstance(opts[key], (str, list)):
            problems.append("{} must be a target expression, got {!r}".format(key, opts[key]))
    if not isinstance(opts["tgt_type"], str):
        problems.append("tgt_type must be a string such as compound, glob, grain, pillar, list")
    try:
        opts["timeout"] = int(opts["timeout"])
        if opts["timeout"] <= 0:
            raise ValueError
    except (TypeError, ValueError):
        problems.append("timeout must be a number of seconds > 0, got {!r}".format(opts["timeout"]))
    if not isinstance(opts["test"], bool):
        problems.append("test must be true or false, got {!r}".format(opts["test"]))
    if not isinstance(opts["sls"], str) or not opts["sls"]:
        problems.append("sls must be the name of an SLS, got {!r}".format(opts["sls"]))
    size = opts["batch_size"]
    if isinstance(size, bool) or not isinstance(size, (int, str)):
        problems.append("batch_size must be a number or a percentage such as '25%'")
    else:
        text = str(size).strip()
        number = text[:-1] if text.endswith("%") else text
        if not number.isdigit() or int(number) < 1 or (text.endswith("%") and int(number) > 100):
            problems.append(
                "batch_size must be a number >= 1 or a percentage in 1%..100%, got {!r}".format(
                    size
                )
            )
    return opts, problems


def _batch_count(size, total):
    """The number of nodes per batch for ``size`` (``3`` or ``'25%'``) out of ``total``."""
    text = str(size).strip()
    if text.endswith("%"):
        return max(1, int(math.ceil(total * int(text[:-1]) / 100.0)))
    return int(text)


# ------------------------------------------------------------------------------------------
# Talking to minions
# ------------------------------------------------------------------------------------------
def _client():
    return salt.client.get_local_client(mopts=__opts__)


def _resolve(client, target, tgt_type, timeout):
    """``(responding, not_responding)``: the minions that answer ``test.ping`` for ``target``,
    sorted, and those the master's cache expects but that did not answer."""
    if not target:
        return [], []
    answered = client.cmd(target, "test.ping", tgt_type=tgt_type, timeout=min(timeout, 30))
    responding = sorted(mid for mid, ret in (answered or {}).items() if ret is True)
    try:
        expected = salt.utils.minions.CkMinions(__opts__).check_minions(
            target, tgt_type, greedy=False
        )["minions"]
    except Exception as exc:  # the cache may be absent or disabled: informational only
        log.debug("novadocker.rollout: cannot read the expected minions: %s", exc)
        expected = []
    return responding, sorted(set(expected) - set(responding))


def _run(client, minions, fun, arg=(), kwarg=None, timeout=120):
    """``{minion: {"ret": ..., "retcode": ...}}`` of ``fun`` on exactly ``minions``."""
    if not minions:
        return {}
    return (
        client.cmd(
            list(minions),
            fun,
            arg=list(arg),
            kwarg=kwarg or {},
            tgt_type="list",
            timeout=timeout,
            full_return=True,
        )
        or {}
    )


def _state_report(ret):
    """One minion's ``state.apply`` return judged: ``ok``, ``changed``, ``failed_states``,
    ``problems``."""
    if ret is None:
        return {"ok": False, "changed": [], "failed_states": {}, "problems": ["did not return"]}
    data, retcode = ret.get("ret"), ret.get("retcode", 0)
    if not isinstance(data, dict):
        lines = data if isinstance(data, list) else [data]
        return {
            "ok": False,
            "changed": [],
            "failed_states": {},
            "problems": ["the state run failed: {}".format(line) for line in lines],
        }
    changed, failed = [], {}
    for chunk in data.values():
        if not isinstance(chunk, dict):
            continue
        sid = chunk.get("__id__") or chunk.get("name")
        if chunk.get("result") is False:
            failed[sid] = chunk.get("comment", "")
        if chunk.get("changes"):
            changed.append(sid)
    # The causes first: a state failing only because a state it requires failed adds nothing.
    causes = {
        sid: comment
        for sid, comment in failed.items()
        if not str(comment).startswith("One or more requisite failed")
    } or failed
    problems = ["state {} failed: {}".format(sid, comment) for sid, comment in causes.items()]
    if not failed and retcode not in (0, None):
        problems.append("the state run returned code {}".format(retcode))
    return {
        "ok": not problems,
        "changed": sorted(changed),
        "failed_states": failed,
        "problems": problems,
    }


def _check_report(ret):
    """One minion's ``novadocker.check`` return judged: ``ok``, ``problems``."""
    if ret is None:
        return {"ok": False, "problems": ["novadocker.check did not return"]}
    data = ret.get("ret")
    if not isinstance(data, dict) or "ok" not in data:
        return {"ok": False, "problems": ["novadocker.check failed: {}".format(data)]}
    return {"ok": bool(data["ok"]), "problems": list(data.get("problems") or [])}


def _apply(client, minions, opts, check=True):
    """Apply the formula to ``minions``, check them (unless ``check`` is false); ``(ok,
    {minion: report})``."""
    kwarg = {"test": opts["test"]}
    if opts["saltenv"]:
        kwarg["saltenv"] = opts["saltenv"]
    applied = _run(client, minions, "state.apply", [opts["sls"]], kwarg, opts["timeout"])
    nodes = {mid: {"state": _state_report(applied.get(mid))} for mid in minions}
    if check and not opts["test"]:
        # The grains (novadocker:compute ...) describe nova.conf: make them current for -G.
        _run(client, minions, "saltutil.refresh_grains", timeout=opts["timeout"])
        checked = _run(client, minions, "novadocker.check", timeout=opts["timeout"])
        for mid in minions:
            nodes[mid]["check"] = _check_report(checked.get(mid))
    for report in nodes.values():
        problems = list(report["state"]["problems"])
        if "check" in report:
            problems += ["check: {}".format(p) for p in report["check"]["problems"]]
            if not report["check"]["ok"] and not report["check"]["problems"]:
                problems.append("check: not ok")
        report["ok"] = not problems
        report["problems"] = problems
    return all(r["ok"] for r in nodes.values()), nodes


def _layout(client, opts):
    """Who is in which phase: ``(image, batches, not_responding)``."""
    image, image_missing = _resolve(client, opts["image_target"], opts["tgt_type"], opts["timeout"])
    compute, compute_missing = _resolve(
        client, opts["compute_target"], opts["tgt_type"], opts["timeout"]
    )
    # A node with both roles gets the whole formula in the image step already.
    compute = [mid for mid in compute if mid not in image]
    size = _batch_count(opts["batch_size"], len(compute)) if compute else 1
    batches = [compute[i : i + size] for i in range(0, len(compute), size)]
    return image, batches, sorted(set(image_missing) | set(compute_missing))


def _publishers(client, opts):
    """The nodes whose pillar enables ``images`` (``images_target``) and those that did not
    answer. Most fleets publish nothing: when the master would send to no minion at all (its
    own greedy match), nobody is asked (LocalClient would print "No minions matched" into
    salt-run's output)."""
    target = opts["images_target"]
    try:
        matcher = salt.utils.minions.CkMinions(__opts__)
        candidates = matcher.check_minions(target, opts["tgt_type"])["minions"]
    except Exception as exc:  # as in _resolve: the cache only saves a question
        log.debug("novadocker.rollout: cannot match %s on the master: %s", target, exc)
        candidates = None
    if not target or candidates == []:
        return [], []
    return _resolve(client, target, opts["tgt_type"], opts["timeout"])


def _publish(client, minions, opts):
    """The publishing step: ``state.apply <formula>.images`` on ``minions``, judged by its
    states alone (a publishing node may be a compute node of a later batch: its check would
    fail until then); ``(ok, {minion: report})``."""
    sls = "{}.images".format(opts["sls"].split(".")[0])
    return _apply(client, minions, dict(opts, sls=sls), check=False)


# ------------------------------------------------------------------------------------------
# Public functions
# ------------------------------------------------------------------------------------------
def plan(**kwargs):
    """
    Show which nodes :py:func:`rollout` would change and in which order, without changing
    anything: the image nodes, then the compute batches. Takes the same options as
    :py:func:`rollout`.

    CLI Example:

    .. code-block:: bash

        salt-run novadocker.plan
        salt-run novadocker.plan compute_target='compute*' tgt_type=glob batch_size=25%
    """
    opts, problems = _options(kwargs)
    if problems:
        __context__["retcode"] = 1
        return {"Error": problems}
    with _client() as client:
        image, batches, missing = _layout(client, opts)
        publishers, silent = _publishers(client, opts)
    return {
        "image": image,
        "images": publishers,
        "compute_batches": batches,
        "not_responding": sorted(set(missing) | set(silent)),
        "batch_size": opts["batch_size"],
    }


def rollout(**kwargs):
    """
    Roll the formula out over the fleet: the image nodes first (all at once), then the
    publishing of the Docker images into Glance (``state.apply novadocker.images`` on the nodes
    whose pillar enables ``images``, when there are any), then the compute nodes in batches.
    Each step applies ``sls`` (``state.apply novadocker``: every role pillar enables on the
    node), refreshes the node's grains and runs ``novadocker.check`` on it; the
    rollout stops at the first step where a node fails a state, fails its check or does not
    return, and the later batches are left untouched.

    image_target / compute_target / images_target
        Target expressions (default ``I@novadocker:image:enabled:True``,
        ``I@novadocker:compute:enabled:True`` and ``I@novadocker:images:enabled:True``: what
        pillar makes of each node). ``''`` skips a phase. A node in both image and compute gets
        the formula once, in the image step; a publishing node also gets its own role(s) in
        their step (its publishing step is judged by its states, without a check).
    tgt_type
        How to read both targets: ``compound`` (default), ``glob``, ``grain``, ``pillar``,
        ``list``...
    batch_size
        Compute nodes per batch: a number (default 1) or a percentage such as ``'25%'``.
    sls
        What to apply (default ``novadocker``).
    saltenv
        The saltenv of the state run (default: the minions' own).
    timeout
        Seconds without any sign of life from a node before it counts as not returning
        (default 120; a node still running its job is waited for).
    test
        ``True``: apply with ``test=True`` and run no checks (a dry run of every step; the
        rollout still stops where a state would fail).

    The result has ``result`` (True when every node was done and checked), ``comment``,
    ``image`` and ``batches`` (each with its nodes' reports: changed and failed states,
    check problems), ``done``, ``failed``, ``not_done`` (the nodes the rollout did not reach)
    and ``not_responding``. A failed rollout also makes ``salt-run`` and the orchestrate
    state fail.

    CLI Example:

    .. code-block:: bash

        salt-run novadocker.rollout
        salt-run novadocker.rollout compute_target='G@os_family:Debian and compute*' batch_size=2
        salt-run novadocker.rollout test=True
    """
    opts, problems = _options(kwargs)
    if problems:
        __context__["retcode"] = 1
        return {"Error": problems}
    summary = {
        "result": True,
        "comment": "",
        "test": opts["test"],
        "sls": opts["sls"],
        "image": {"target": opts["image_target"], "minions": [], "ok": None, "nodes": {}},
        "images": {"target": opts["images_target"], "minions": [], "ok": None, "nodes": {}},
        "batch_size": opts["batch_size"],
        "batches": [],
        "done": [],
        "failed": [],
        "not_done": [],
        "not_responding": [],
    }
    with _client() as client:
        image, batches, missing = _layout(client, opts)
        publishers, silent = _publishers(client, opts)
        missing = sorted(set(missing) | set(silent))
        summary["not_responding"] = missing
        summary["image"]["minions"] = image
        summary["images"]["minions"] = publishers
        everyone = image + [mid for batch in batches for mid in batch]
        everyone += [mid for mid in publishers if mid not in everyone]
        if not everyone:
            summary["comment"] = "No node matched {} nor {}: nothing to do.".format(
                opts["image_target"], opts["compute_target"]
            )
            summary["result"] = not missing
            if missing:
                __context__["retcode"] = 1
            return summary
        # state.apply <sls> does not sync by itself: bring the formula's modules everywhere.
        synced = _run(client, everyone, "saltutil.sync_all", timeout=opts["timeout"])
        unsynced = sorted(mid for mid in everyone if mid not in synced)
        steps = ([("image", image)] if image else []) + (
            [("images", publishers)] * bool(publishers)
        )
        steps += [
            ("batch {}/{}".format(i + 1, len(batches)), batch) for i, batch in enumerate(batches)
        ]
        stopped = None
        for number, (name, minions) in enumerate(steps):
            log.info("novadocker.rollout: %s: %s", name, ", ".join(minions))
            ok, nodes = (_publish if name == "images" else _apply)(client, minions, opts)
            for mid in unsynced:
                if mid in nodes:
                    # Its state run may have used stale modules: it does not count as done.
                    nodes[mid]["problems"].insert(0, "saltutil.sync_all did not return")
                    nodes[mid]["ok"] = ok = False
            if name in ("image", "images"):
                summary[name].update(ok=ok, nodes=nodes)
            else:
                summary["batches"].append(
                    {
                        "batch": len(summary["batches"]) + 1,
                        "minions": minions,
                        "ok": ok,
                        "nodes": nodes,
                    }
                )
            later = {mid for _n, step in steps[number + 1 :] for mid in step}
            summary["done"].extend(mid for mid in minions if nodes[mid]["ok"] and mid not in later)
            summary["failed"].extend(mid for mid in minions if not nodes[mid]["ok"])
            if not ok:
                stopped = name
                summary["not_done"] = [mid for _n, later in steps[number + 1 :] for mid in later]
                break
    if stopped:
        summary["result"] = False
        details = "; ".join(
            "{}: {}".format(mid, " / ".join(report["problems"]) or "failed")
            for step in [summary["image"], summary["images"]] + summary["batches"]
            for mid, report in sorted(step["nodes"].items())
            if not report["ok"]
        )
        summary["comment"] = "Rollout stopped at the {} step: {}. Done: {}. Not done: {}.".format(
            stopped,
            details,
            ", ".join(summary["done"]) or "none",
            ", ".join(summary["not_done"]) or "none",
        )
    else:
        summary["comment"] = "Rollout {}: {} node(s) in {} step(s){}.".format(
            "dry run complete (test=True)" if opts["test"] else "complete",
            len(summary["done"]),
            len(steps),
            "; not responding: {}".format(", ".join(missing)) if missing else "",
        )
        summary["result"] = not missing
    if not summary["result"]:
        __context__["retcode"] = 1
    return summary
