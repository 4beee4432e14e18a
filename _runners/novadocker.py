"""
Runner of the novadocker formula: a rolling rollout over a fleet, and a report on it, from the
master.

:py:func:`rollout` applies the formula to the image (Glance) nodes first, then publishes the
Docker images into Glance (``novadocker.images`` on the nodes whose pillar enables
``images``), then applies the formula to the compute nodes in batches; after each step it
runs ``novadocker.check`` on the nodes it just changed, and it stops at the first failing
step: the nodes of later batches are left untouched. The result says what was done, what
failed (each node's failed states and check problems) and what was not done.
:py:func:`plan` shows the same steps without changing anything, and :py:func:`report` one
row per node: role, switched or not, driver, daemon, restarts owed, problems.

All three take their options from one place: the orchestrate pillar ``novadocker:orch`` (the
master's own pillar, i.e. of its id ``<hostname>_master``; ``pillar=`` on the command line
overrides it, as for ``state.orchestrate``) merged with the keyword arguments, which win. The
orchestrate SLS ``novadocker.orch.rollout`` passes that pillar's keys on, so that::

    salt-run state.orchestrate novadocker.orch.rollout
    salt-run novadocker.rollout
    salt-run novadocker.plan

use the same batches and targets.

Before anything else the targeted nodes are asked once (one publication, answered within
``ping_timeout``): a node the master's cache expects that does not answer stops the rollout
before its first batch, unless ``allow_missing`` is true.

Sync the runner to the master first (``salt-run saltutil.sync_runners``); the orchestrate SLS
does that itself.
"""

import copy
import logging
import math

import salt.client
import salt.loader
import salt.pillar
import salt.utils.minions

log = logging.getLogger(__name__)

__virtualname__ = "novadocker"

#: Defaults: targets by pillar (what each node is meant to be), one compute node per batch;
#: ``ping_timeout``: seconds the targeted nodes have to answer at the start (not salt-run's
#: ``--timeout``, which is how long a whole run may take).
DEFAULTS = {
    "image_target": "I@novadocker:image:enabled:True",
    "compute_target": "I@novadocker:compute:enabled:True",
    "images_target": "I@novadocker:images:enabled:True",
    "tgt_type": "compound",
    "batch_size": 1,
    "sls": "novadocker",
    "saltenv": None,
    "timeout": 120,
    "ping_timeout": 5,
    "allow_missing": False,
    "test": False,
}

#: The compound-target prefix of each ``tgt_type`` (glob has none).
_PREFIX = {
    "glob": "",
    "pcre": "E@",
    "list": "L@",
    "grain": "G@",
    "grain_pcre": "P@",
    "pillar": "I@",
    "pillar_pcre": "J@",
    "ipcidr": "S@",
    "range": "R@",
}


def __virtual__():
    return __virtualname__


# ------------------------------------------------------------------------------------------
# Options: the orchestrate pillar novadocker:orch < keyword arguments
# ------------------------------------------------------------------------------------------
def _orch_pillar(override=None):
    """``novadocker:orch`` of the orchestrate pillar: the master's own pillar (its id, its
    grains), as ``state.orchestrate`` compiles it, with ``override`` (``pillar=``) over it."""
    grains = salt.loader.grains(__opts__)
    pillar = salt.pillar.get_pillar(
        __opts__,
        grains,
        __opts__["id"],
        saltenv=__opts__.get("saltenv"),
        pillar_override=override,
        pillarenv=__opts__.get("pillarenv"),
    ).compile_pillar()
    orch = (pillar.get("novadocker") or {}).get("orch") if isinstance(pillar, dict) else None
    return orch


def _options(kwargs):
    """The options: :py:data:`DEFAULTS` < the orchestrate pillar ``novadocker:orch`` < the
    keyword arguments (without Salt's ``__pub_*``/``__*__`` keys); ``(options, problems)``."""
    given = {key: value for key, value in kwargs.items() if not key.startswith("__")}
    override = given.pop("pillar", None)
    problems = []
    if override is not None and not isinstance(override, dict):
        problems.append("pillar must be a mapping, got {!r}".format(override))
        override = None
    orch = _orch_pillar(override)
    if orch is None:
        orch = {}
    elif not isinstance(orch, dict):
        problems.append("pillar novadocker:orch must be a mapping, got {!r}".format(orch))
        orch = {}
    opts = dict(DEFAULTS)
    # The orchestrate SLS passes the pillar's keys on: each key is judged once.
    for key, value in dict(orch, **given).items():
        if key not in DEFAULTS:
            problems.append(
                "unknown option {!r} (accepted: {})".format(key, ", ".join(sorted(DEFAULTS)))
            )
            continue
        if value is not None:
            opts[key] = value
    return opts, problems + _problems(opts)


def _seconds(opts, key):
    """Problems of a number of seconds > 0 (made an int in ``opts``)."""
    try:
        opts[key] = int(opts[key])
        if opts[key] <= 0:
            raise ValueError
    except (TypeError, ValueError):
        return ["{} must be a number of seconds > 0, got {!r}".format(key, opts[key])]
    return []


def _problems(opts):
    """What is wrong with the merged options (``opts`` normalised in place)."""
    problems = []
    for key in ("image_target", "compute_target", "images_target"):
        if opts[key] in (False, "", []):
            opts[key] = None
        elif not isinstance(opts[key], (str, list)):
            problems.append("{} must be a target expression, got {!r}".format(key, opts[key]))
    if opts["tgt_type"] not in _PREFIX and opts["tgt_type"] not in ("compound", "nodegroup"):
        problems.append(
            "tgt_type must be one of compound, nodegroup, {}; got {!r}".format(
                ", ".join(_PREFIX), opts["tgt_type"]
            )
        )
    problems += _seconds(opts, "timeout") + _seconds(opts, "ping_timeout")
    for key in ("test", "allow_missing"):
        if not isinstance(opts[key], bool):
            problems.append("{} must be true or false, got {!r}".format(key, opts[key]))
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
    return problems


def _failed(ret):
    """``ret`` of a refused or failed call: the orchestrate state fails (``__context__``) and
    so does ``salt-run`` (its exit code is the return's ``retcode``)."""
    __context__["retcode"] = 1
    ret["retcode"] = 1
    return ret


def _refused(problems):
    return _failed({"Error": problems})


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


def _compound(target, tgt_type):
    """``target`` of ``tgt_type`` as one compound expression (``None`` for no target), so that
    both phases' targets can be asked in one publication."""
    if not target:
        return None
    if tgt_type == "compound":
        return target if isinstance(target, str) else " or ".join(target)
    if tgt_type == "nodegroup":
        expanded = salt.utils.minions.nodegroup_comp(target, __opts__.get("nodegroups") or {})
        return " ".join(expanded) if isinstance(expanded, list) else str(expanded)
    if tgt_type == "list" and not isinstance(target, str):
        target = ",".join(target)
    return _PREFIX[tgt_type] + target


def _union(*expressions):
    parts = [expr for expr in expressions if expr]
    if len(parts) < 2:
        return parts[0] if parts else None
    return " or ".join("( {} )".format(expr) for expr in parts)


def _expected(target):
    """The minions the master's cache says ``target`` (compound) matches; ``[]`` when the
    cache cannot tell."""
    try:
        return salt.utils.minions.CkMinions(__opts__).check_minions(
            target, "compound", greedy=False
        )["minions"]
    except Exception as exc:  # the cache may be absent or disabled: informational only
        log.debug("novadocker runner: cannot read the expected minions: %s", exc)
        return []


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


#: The option naming each step's target: the image nodes, the publishers, the compute nodes.
_TARGETS = (("image", "image_target"), ("images", "images_target"), ("compute", "compute_target"))


def _ask(client, opts, fun, arg=(), roles=("image", "compute")):
    """Ask every node the targets of ``roles`` match at once: ``(answers, not_responding)``;
    ``answers`` maps each node that answered to ``fun``'s return. Nodes the master's cache
    expects that did not answer within ``ping_timeout`` (a dead node costs that once, not
    once per node or per target) are ``not_responding``."""
    target = _union(
        *(_compound(opts[key], opts["tgt_type"]) for role, key in _TARGETS if role in roles)
    )
    if not target:
        return {}, []
    raw = (
        client.cmd(
            target,
            fun,
            arg=list(arg),
            tgt_type="compound",
            timeout=opts["ping_timeout"],
            gather_job_timeout=opts["ping_timeout"],
            full_return=True,
        )
        or {}
    )
    # LocalClient marks a node it expected but that did not return with a bare False or a
    # "no_return" placeholder.
    answers = {
        mid: data.get("ret")
        for mid, data in raw.items()
        if isinstance(data, dict) and not data.get("failed") and data.get("out") != "no_return"
    }
    missing = sorted(set(_expected(target)) - set(answers))
    return answers, missing


def _layout(client, opts):
    """Who is in which step: ``(image, publishers, batches, not_responding)``. One
    publication: each node a target matches says which targets (``match.search_by``). A node
    in both image and compute gets the whole formula in the image step; a publisher is also in
    the step of its role(s)."""
    lookup = {}
    for role, key in _TARGETS:
        expression = _compound(opts[key], opts["tgt_type"])
        if expression:
            lookup[role] = [expression]
    answers, missing = _ask(client, opts, "match.search_by", [lookup], roles=tuple(lookup))
    roles = {mid: ret for mid, ret in answers.items() if isinstance(ret, list)}
    image = sorted(mid for mid, ret in roles.items() if "image" in ret)
    publishers = sorted(mid for mid, ret in roles.items() if "images" in ret)
    compute = sorted(mid for mid, ret in roles.items() if "compute" in ret and "image" not in ret)
    # A node that answered with an error (a module missing...) counts as not responding.
    missing = sorted(set(missing) | (set(answers) - set(roles)))
    size = _batch_count(opts["batch_size"], len(compute)) if compute else 1
    batches = [compute[i : i + size] for i in range(0, len(compute), size)]
    return image, publishers, batches, missing


def _state_report(ret):
    """One minion's ``state.apply`` return judged: ``ok``, ``changed``, ``failed_states``,
    ``problems``."""
    if not isinstance(ret, dict):  # None, or LocalClient's False for a node that did not return
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
    if not isinstance(ret, dict):
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
        # The state run refreshes the grains when it changes what they report; a node whose
        # formula predates that (or a run killed half-way) gets it here.
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


# ------------------------------------------------------------------------------------------
# The report: one row a node
# ------------------------------------------------------------------------------------------
_COLUMNS = (
    ("node", "NODE"),
    ("role", "ROLE"),
    ("switched", "SWITCHED"),
    ("driver", "DRIVER"),
    ("docker", "DOCKER"),
    ("api", "API"),
    ("restart_owed", "RESTART OWED"),
    ("problems", "PROBLEMS"),
)


def _row(check):
    """One node's row from its answer to ``novadocker.check``."""
    row = {
        "answered": True,
        "role": [],
        "switched": None,
        "compute_driver": None,
        "driver": None,
        "docker": None,
        "api": None,
        "restart_owed": [],
        "problems": [],
    }
    if not isinstance(check, dict) or "ok" not in check:
        row["problems"].append("novadocker.check failed: {}".format(check))
        return row
    row["role"] = list(check.get("roles") or [])
    row["switched"] = check.get("switched")
    row["compute_driver"] = check.get("compute_driver")
    row["driver"] = (check.get("driver") or {}).get("version")
    daemon = check.get("daemon") or {}
    row["docker"] = daemon.get("server_version")
    row["api"] = daemon.get("api_version")
    for role in ("compute", "image"):
        part = check.get("{}_restart".format(role)) or {}
        if part.get("owed"):
            row["restart_owed"].append(part.get("service"))
    row["problems"].extend(check.get("problems") or [])
    return row


def _cell(key, value):
    if key == "role":
        return "+".join(value) or "-"
    if key == "switched":
        return {True: "yes", False: "no"}.get(value, "?")
    if key == "restart_owed":
        return ", ".join(value) or "-"
    if key == "problems":
        return str(len(value)) if value else "-"
    return "-" if value in (None, "") else str(value)


def _table(nodes):
    """The report as a plain text table, then each node's problems."""
    rows = [[title for _key, title in _COLUMNS]]
    for mid, row in sorted(nodes.items()):
        if not row["answered"]:
            rows.append([mid, "did not answer"] + [""] * (len(_COLUMNS) - 2))
            continue
        rows.append([mid] + [_cell(key, row[key]) for key, _title in _COLUMNS[1:]])
    widths = [max(len(r[i]) for r in rows) for i in range(len(_COLUMNS))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows]
    details = [
        "{}: {}".format(mid, problem)
        for mid, row in sorted(nodes.items())
        for problem in row["problems"]
        if row["answered"]
    ]
    if details:
        lines += ["", "Problems:"] + ["  " + line for line in details]
    return "\n".join(lines)


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
    anything: the image nodes, the publishers (``images``), then the compute batches, and the
    targeted nodes that do not answer. Takes the same options as :py:func:`rollout`, from the
    same place (the orchestrate pillar ``novadocker:orch``, then the keyword arguments).

    CLI Example:

    .. code-block:: bash

        salt-run novadocker.plan
        salt-run novadocker.plan compute_target='compute*' tgt_type=glob batch_size=25%
        salt-run novadocker.plan pillar='{"novadocker": {"orch": {"batch_size": 2}}}'
    """
    opts, problems = _options(kwargs)
    if problems:
        return _refused(problems)
    with _client() as client:
        image, publishers, batches, missing = _layout(client, opts)
    return {
        "image": image,
        "images": publishers,
        "compute_batches": batches,
        "not_responding": missing,
        "batch_size": opts["batch_size"],
        "allow_missing": opts["allow_missing"],
    }


def _summary(opts):
    return {
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
        "allow_missing": opts["allow_missing"],
    }


def _stopped_comment(summary, stopped):
    details = "; ".join(
        "{}: {}".format(mid, " / ".join(report["problems"]) or "failed")
        for step in [summary["image"], summary["images"]] + summary["batches"]
        for mid, report in sorted(step["nodes"].items())
        if not report["ok"]
    )
    return "Rollout stopped at the {} step: {}. Done: {}. Not done: {}.".format(
        stopped,
        details,
        ", ".join(summary["done"]) or "none",
        ", ".join(summary["not_done"]) or "none",
    )


def rollout(**kwargs):
    """
    Roll the formula out over the fleet: the image nodes first (all at once), then the
    publishing of the Docker images into Glance (``state.apply novadocker.images`` on the nodes
    whose pillar enables ``images``, when there are any), then the compute nodes in batches.
    Each step applies ``sls`` (``state.apply novadocker``: every role pillar enables on the
    node), refreshes the node's grains and runs ``novadocker.check`` on it; the
    rollout stops at the first step where a node fails a state, fails its check or does not
    return, and the later batches are left untouched.

    Options come from the orchestrate pillar ``novadocker:orch`` (``pillar=`` overrides it),
    then from the keyword arguments, which win:

    image_target / compute_target / images_target
        Target expressions (default ``I@novadocker:image:enabled:True``,
        ``I@novadocker:compute:enabled:True`` and ``I@novadocker:images:enabled:True``: what
        pillar makes of each node). ``''`` skips a phase. A node in both image and compute gets
        the formula once, in the image step; a publishing node also gets its own role(s) in
        their step (its publishing step is judged by its states, without a check).
    tgt_type
        How to read the targets: ``compound`` (default), ``glob``, ``grain``, ``pillar``,
        ``list``, ``pcre``, ``nodegroup``...
    batch_size
        Compute nodes per batch: a number (default 1) or a percentage such as ``'25%'``.
    sls
        What to apply (default ``novadocker``).
    saltenv
        The saltenv of the state run (default: the minions' own).
    timeout
        Seconds without any sign of life from a node before it counts as not returning
        (default 120; a node still running its job is waited for).
    ping_timeout
        Seconds the targeted nodes have to answer before the first step (default 5). They
        are asked once, all together.
    allow_missing
        ``False`` (default): a targeted node the master's cache knows that does not answer
        stops the rollout before its first step, nothing changed. ``True``: go on without it
        (it is named in ``not_responding`` and in the comment).
    test
        ``True``: apply with ``test=True`` and run no checks (a dry run of every step that
        stops where the real run would: the readiness gates check for real in test mode).

    The result has ``result`` (True when every node was done and checked), ``comment``,
    ``image``, ``images`` and ``batches`` (each with its nodes' reports: changed and failed states,
    check problems), ``done``, ``failed``, ``not_done`` (the nodes the rollout did not reach)
    and ``not_responding``. A failed rollout also makes ``salt-run`` and the orchestrate
    state fail.

    CLI Example:

    .. code-block:: bash

        salt-run novadocker.rollout
        salt-run novadocker.rollout compute_target='G@os_family:Debian and compute*' batch_size=2
        salt-run novadocker.rollout test=True
        salt-run novadocker.rollout allow_missing=True
    """
    opts, problems = _options(kwargs)
    if problems:
        return _refused(problems)
    summary = _summary(opts)
    with _client() as client:
        image, publishers, batches, missing = _layout(client, opts)
        summary["not_responding"] = missing
        summary["image"]["minions"] = image
        summary["images"]["minions"] = publishers
        everyone = image + [mid for batch in batches for mid in batch]
        everyone += [mid for mid in publishers if mid not in everyone]
        if missing and not opts["allow_missing"]:
            summary["result"] = False
            summary["not_done"] = everyone
            summary["comment"] = (
                "Rollout not started: {nodes} did not answer within {secs} s; nothing was "
                "changed. Start {it}, take {it} out of the targets, or pass "
                "allow_missing=True to go on without {it}.".format(
                    nodes=", ".join(missing),
                    secs=opts["ping_timeout"],
                    it="it" if len(missing) == 1 else "them",
                )
            )
            return _failed(summary)
        if not everyone:
            summary["comment"] = "No node matched {}: nothing to do.".format(
                " nor ".join(str(opts[key]) for _role, key in _TARGETS if opts[key])
            )
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
        summary["comment"] = _stopped_comment(summary, stopped)
        _failed(summary)
    else:
        summary["comment"] = "Rollout {}: {} node(s) in {} step(s){}.".format(
            "dry run complete (test=True)" if opts["test"] else "complete",
            len(summary["done"]),
            len(steps),
            "; went on without {} (allow_missing), which did not answer".format(", ".join(missing))
            if missing
            else "",
        )
    return summary


def report(**kwargs):
    """
    Report on the fleet, one row a node: its role(s), whether it is switched (the
    ``compute_driver`` nova-compute reads names nova-docker's driver), the driver version in
    nova's environment, the Docker daemon's server and API versions, the restarts owed to
    nova-compute or glance-api, and the node's problems (``novadocker.check``); the targeted
    nodes that do not answer are listed as such. Changes nothing.

    The nodes are those :py:func:`rollout` targets, with the same options from the same place
    (``image_target``, ``compute_target``, ``tgt_type``, ``ping_timeout``; the orchestrate
    pillar ``novadocker:orch``, then the keyword arguments). They are asked once, all
    together.

    A plain table by default and with ``--out=txt`` (problems listed under it); ``--out=json``
    (or another outputter) gives the data: ``{"ok", "nodes": {id: {"answered", "role", "switched",
    "compute_driver", "driver", "docker", "api", "restart_owed", "problems"}},
    "not_responding"}``; ``ok`` is true only when every node answered and is ok (an
    orchestrate state calling the report fails otherwise).

    CLI Example:

    .. code-block:: bash

        salt-run novadocker.report
        salt-run novadocker.report --out=json
        salt-run novadocker.report compute_target='compute*' tgt_type=glob
    """
    opts, problems = _options(kwargs)
    if problems:
        return _refused(problems)
    with _client() as client:
        answers, missing = _ask(client, opts, "novadocker.check")
    nodes = {mid: _row(answer) for mid, answer in answers.items()}
    for mid in missing:
        nodes[mid] = dict(_row({"ok": None}), answered=False, problems=["did not answer"])
    data = {
        "ok": bool(nodes) and all(r["answered"] and not r["problems"] for r in nodes.values()),
        "nodes": nodes,
        "not_responding": missing,
    }
    if not data["ok"]:
        __context__["retcode"] = 1
    if __opts__.get("output") not in (None, "", "txt", "text"):
        return data
    # No --out: a person reads it. Salt's txt outputter prints the table as it is.
    return {"outputter": "txt", "data": _table(copy.deepcopy(nodes)) if nodes else "No node."}
