"""
Glance's API for the novadocker formula: Docker images published into Glance, and the live
proof that a running glance-api accepts the formula's container formats.

Two callers share it: the ``novadocker_images`` modules (publishing, on the node whose Docker
daemon holds the images) and the image role's check (``novadocker_glance``, on a glance-api
node).

* **Credentials** are openstacksdk's: a ``cloud`` of clouds.yaml, or keystoneauth options
  inline (``auth``: ``auth_type`` password, v3applicationcredential, none with ``endpoint``
  ...). Keystone is never spoken to by hand: openstacksdk builds the keystoneauth session,
  and Glance's REST API (``/v2/images``, ``/v2/schemas/image``) is called through it.
  openstacksdk is imported only when credentials are used (:py:func:`missing_sdk`): the
  schema of a Glance without Keystone is read with the standard library.
* **Secrets** (every ``auth`` value whose key is not in :py:data:`PUBLIC_AUTH_KEYS`, and those
  of the clouds.yaml entry) never reach a message: every error text goes through
  :py:func:`scrub`, and :py:func:`redact` hides them in a settings dump.
* **Publishing** (:py:func:`publish`): ``docker save`` from the daemon
  (``novadocker_docker``, the formula's one Docker client) streamed into ``PUT
  /v2/images/<id>/file`` (never the whole image in memory, never a copy on disk), as
  ``container_format=docker``, ``disk_format=raw``, with the Docker image ID in the property
  :py:data:`PROPERTY`. An image the formula published before with the same ID uploads nothing;
  a new ID is uploaded first, verified (status, size, hash), and only then are the older ones
  deleted, so that a spawn never finds none. A failed upload deletes the image it created.

Pure: no Salt dunders; errors are ``CommandExecutionError`` with a one-line message.
"""

import hashlib
import importlib
import json
import logging
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from salt.exceptions import CommandExecutionError

# Sibling utils are imported fresh on every (re)load of this module (see README, Architecture).
sys.modules.pop("novadocker_docker", None)
import novadocker_docker as docker  # noqa: E402

log = logging.getLogger(__name__)

#: The Glance image property holding the Docker image ID the image data was saved from.
PROPERTY = "docker_image_id"
#: What replaces a secret in a message or a settings dump.
REDACTED = "<redacted>"
#: keystoneauth options that are not secrets: shown as they are. Any other ``auth`` value is a
#: secret (password, application_credential_secret, token, passcode, ...).
PUBLIC_AUTH_KEYS = frozenset(
    (
        "auth_type",
        "auth_url",
        "endpoint",
        "username",
        "user_id",
        "user_domain_name",
        "user_domain_id",
        "project_name",
        "project_id",
        "project_domain_name",
        "project_domain_id",
        "domain_name",
        "domain_id",
        "default_domain_name",
        "default_domain_id",
        "tenant_name",
        "tenant_id",
        "system_scope",
        "trust_id",
        "application_credential_id",
        "application_credential_name",
    )
)
#: Image attributes Glance owns or the formula sets itself: not settable as properties.
RESERVED_PROPERTIES = frozenset(
    (
        PROPERTY,
        "id",
        "name",
        "status",
        "visibility",
        "container_format",
        "disk_format",
        "owner",
        "size",
        "virtual_size",
        "checksum",
        "os_hash_algo",
        "os_hash_value",
        "os_hidden",
        "protected",
        "min_ram",
        "min_disk",
        "tags",
        "created_at",
        "updated_at",
        "file",
        "self",
        "schema",
        "locations",
        "direct_url",
        "stores",
    )
)
#: Seconds between two progress lines of an upload in the minion log.
PROGRESS_EVERY = 5.0
#: Bytes per HTTP chunk of an upload: python-glanceclient's size. uWSGI refuses a chunk past
#: its chunked-input-limit (1 MiB by default) with glance-api under it ("unable to receive
#: chunked part", HTTP 500).
CHUNK = 64 * 1024
_JSON_PATCH = "application/openstack-images-v2.1-json-patch"


# -- secrets -----------------------------------------------------------------------------------
def secret_values(auth):
    """The secret values of ``auth`` (keystoneauth options), as strings, longest first."""
    if not isinstance(auth, dict):
        return [str(auth)] if auth not in (None, "", {}) else []
    found = {
        str(value)
        for key, value in auth.items()
        if key not in PUBLIC_AUTH_KEYS and value not in (None, "") and len(str(value)) >= 3
    }
    return sorted(found, key=len, reverse=True)


def scrub(text, secrets):
    """``text`` with every one of ``secrets`` replaced by :py:data:`REDACTED`."""
    text = str(text)
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def redact(auth):
    """A copy of ``auth`` whose secret values read :py:data:`REDACTED` (for a settings dump)."""
    if not isinstance(auth, dict):
        return auth if auth in (None, "", {}) else REDACTED
    return {
        key: value if key in PUBLIC_AUTH_KEYS or value in (None, "") else REDACTED
        for key, value in auth.items()
    }


def missing_sdk():
    """``None`` when openstacksdk can be imported by Salt's Python, else why not."""
    try:
        importlib.import_module("openstack.config")
        importlib.import_module("openstack.connection")
    except ImportError as exc:
        return "needs openstacksdk in Salt's Python (salt-pip install openstacksdk): {}".format(exc)
    return None


def uses_credentials(access):
    """Whether ``access`` names a cloud or gives keystoneauth options."""
    return bool(access.get("cloud") or access.get("auth"))


# -- openstacksdk ------------------------------------------------------------------------------
class _Glance:
    """An openstacksdk connection and what to keep out of messages."""

    def __init__(self, access, where):
        self.where = where
        self.secrets = secret_values(access.get("auth"))
        why = missing_sdk()
        if why:
            raise CommandExecutionError("{}: {}".format(where, why))
        import openstack.config  # noqa: PLC0415 - optional dependency, checked above
        import openstack.connection  # noqa: PLC0415

        auth = dict(access.get("auth") or {})
        kwargs = {"api_timeout": float(access.get("timeout") or 60)}
        auth_type = auth.pop("auth_type", None)
        if auth_type:
            kwargs["auth_type"] = auth_type
        if auth:
            kwargs["auth"] = auth
        for key, option in (("region", "region_name"), ("interface", "interface")):
            if access.get(key):
                kwargs[option] = access[key]
        files = {"load_envvars": False, "load_yaml_config": bool(access.get("cloud"))}
        if access.get("clouds_yaml"):
            files["config_files"] = [access["clouds_yaml"]]
            files["vendor_files"] = []
        try:
            config = openstack.config.OpenStackConfig(**files)
            region = config.get_one(cloud=access.get("cloud") or None, **kwargs)
            self.secrets = sorted(
                set(self.secrets) | set(secret_values(region.config.get("auth"))),
                key=len,
                reverse=True,
            )
            self.conn = openstack.connection.Connection(config=region)
        except Exception as exc:  # openstacksdk's config errors have no common base
            raise self.error("cannot use the credentials", exc) from None

    def error(self, doing, exc):
        """A ``CommandExecutionError`` for ``exc`` raised while ``doing``, secrets scrubbed."""
        status = getattr(exc, "http_status", None) or getattr(exc, "status_code", None)
        text = " ".join(str(exc).split()) or type(exc).__name__
        if status == 401:
            text = "Keystone or Glance refused the credentials (HTTP 401): " + text
        message = "{}: {} ({}: {})".format(self.where, doing, type(exc).__name__, text)
        return CommandExecutionError(scrub(message, self.secrets))

    def project_id(self):
        """The project the credentials are scoped to (``None`` without Keystone); proves the
        credentials before anything is created."""
        try:
            return self.conn.session.get_project_id()
        except Exception as exc:  # keystoneauth's errors
            raise self.error("cannot authenticate", exc) from None

    def token(self):
        try:
            return self.conn.session.get_token()
        except Exception as exc:
            raise self.error("cannot get a token", exc) from None

    def endpoint(self):
        """Where the image API is (the catalog's URL, or ``endpoint`` without Keystone)."""
        config = self.conn.config
        try:
            return self.conn.session.get_endpoint(
                service_type="image",
                interface=config.get_interface("image"),
                region_name=config.get_region_name("image"),
            )
        except Exception:  # no catalog entry, Keystone down: said by the error itself
            return None

    def call(self, method, path, doing, ok=(200,), **kwargs):
        """``method path`` on the image API (``/images...``, below ``/v2``); the response, or
        ``CommandExecutionError`` naming ``doing`` with Glance's message."""
        try:
            resp = self.conn.image.request(path, method, raise_exc=False, **kwargs)
        except Exception as exc:  # keystoneauth's connection errors, our stream's errors
            where = self.endpoint()
            if where:
                doing = "{}: Glance at {} did not answer".format(doing, where)
            raise self.error(doing, exc) from None
        if resp.status_code not in ok:
            text = " ".join(resp.text.split())[:300] if resp.text else resp.reason
            raise CommandExecutionError(
                scrub(
                    "{}: {}: Glance answered HTTP {}: {}".format(
                        self.where, doing, resp.status_code, text
                    ),
                    self.secrets,
                )
            )
        return resp


# -- the live schema ---------------------------------------------------------------------------
def _get_json(url, token, timeout):
    headers = {"Accept": "application/json"}
    if token:
        headers["X-Auth-Token"] = token
    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - http(s) checked
        return json.loads(resp.read(4 * 1024 * 1024).decode("utf-8"))


def schema_container_formats(url, access=None, timeout=10, where="glance-api"):
    """The ``container_format`` enum of ``GET <url>/v2/schemas/image`` (``null`` left out).

    ``access``: credentials for a token (:py:func:`uses_credentials`), or none for a Glance
    without Keystone. Raises ``CommandExecutionError``; its message starts with ``where``."""
    access = access or {}
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise CommandExecutionError("{}: {!r} is not an http(s) URL".format(where, url))
    glance = _Glance(access, where) if uses_credentials(access) else None
    token = glance.token() if glance else None
    target = url.rstrip("/") + "/v2/schemas/image"
    try:
        doc = _get_json(target, token, timeout)
        enum = doc["properties"]["container_format"]["enum"]
    except urllib.error.HTTPError as exc:
        hint = ""
        if exc.code in (401, 403) and not glance:
            hint = ": it wants a token: give the formula credentials ({0}:cloud or {0}:auth)"
            hint = hint.format(where)
        raise CommandExecutionError(
            "{}: GET {} answered HTTP {}{}".format(where, target, exc.code, hint)
        ) from None
    except (urllib.error.URLError, OSError, socket.timeout) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise CommandExecutionError(
            "{}: no answer from {}: {}".format(where, target, reason)
        ) from None
    except (ValueError, KeyError, TypeError):
        raise CommandExecutionError(
            "{}: {} is not Glance's image schema (no container_format enum)".format(where, target)
        ) from None
    return [value for value in enum if value is not None]


def live_formats(url, formats, access=None, wait=0, timeout=10, where="glance-api"):
    """Whether the glance-api at ``url`` accepts every one of ``formats`` now: its live image
    schema is read (:py:func:`schema_container_formats`), again every second for up to ``wait``
    seconds while it does not answer or does not list them yet (a service coming back from its
    restart). Never raises: ``{"ok", "url", "container_formats", "missing", "problems"}``."""
    report = {"ok": False, "url": url, "container_formats": None, "missing": None, "problems": []}
    deadline = time.monotonic() + max(0.0, float(wait or 0))
    while True:
        try:
            enum = schema_container_formats(url, access, timeout, where)
        except CommandExecutionError as exc:
            problem = str(exc)
            final = "credentials" in problem or "token" in problem or "openstacksdk" in problem
        else:
            missing = [fmt for fmt in formats if fmt not in enum]
            report.update(container_formats=enum, missing=missing)
            if not missing:
                report["ok"] = True
                return report
            problem = (
                "{}: the running glance-api at {} does not accept {} (its image schema lists "
                "{}): it was not restarted since glance-api.conf changed, or it reads another "
                "file".format(where, url, ", ".join(missing), ", ".join(enum) or "nothing")
            )
            final = False
        left = deadline - time.monotonic()
        if final or left <= 0:
            report["problems"] = [problem]
            return report
        time.sleep(min(1.0, left))


# -- publishing --------------------------------------------------------------------------------
def _save_name(name):
    """What ``docker save`` gets for ``name``: a repository alone would save all its tags, so
    an untagged name means its ``:latest``, as Docker resolves it everywhere else."""
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else name + ":latest"


def _docker_path(name, what):
    return "/images/{}/{}".format(urllib.parse.quote(name, safe="/:@"), what)


def docker_image_id(docker_url, name, budget):
    """``(Id, Size)`` of the Docker image ``name`` in the daemon at ``docker_url``."""
    where = "Docker image {} in the daemon at {}".format(name, docker_url)
    try:
        info = docker.get_json(docker.endpoint(docker_url), _docker_path(name, "json"), budget)
    except docker.DockerError as exc:
        if exc.status == 404:
            raise CommandExecutionError("{}: not found ({})".format(where, exc)) from None
        raise CommandExecutionError("{}: {}".format(where, exc)) from None
    if not isinstance(info, dict) or not info.get("Id"):
        raise CommandExecutionError("{}: the daemon gave no image ID".format(where))
    return str(info["Id"]), info.get("Size")


def _size(count):
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return "{:.1f} {}".format(count, unit) if unit != "bytes" else "{} bytes".format(count)
        count /= 1024.0
    return str(count)  # not reached


class _Stream:
    """``docker save`` of an image as an iterator of chunks, counted and hashed, logging its
    progress at most every :py:data:`PROGRESS_EVERY` seconds."""

    def __init__(self, docker_url, name, budget):
        self.name, self.sent, self.failed = name, 0, None
        self.sha512, self.md5 = hashlib.sha512(), hashlib.md5(usedforsecurity=False)
        ep = docker.endpoint(docker_url)
        self.resp = docker.open_stream(ep, _docker_path(_save_name(name), "get"), budget)
        self.started = self.last = time.monotonic()

    def __iter__(self):
        try:
            yield from self._chunks()
        except docker.DockerError as exc:
            self.failed = exc
            raise
        finally:
            self.resp.close()

    def _chunks(self):
        for chunk in self.resp.chunks(CHUNK):
            self.sent += len(chunk)
            self.sha512.update(chunk)
            self.md5.update(chunk)
            now = time.monotonic()
            if now - self.last >= PROGRESS_EVERY:
                self.last = now
                log.info(
                    "novadocker: publishing %s to Glance: %s sent (%s/s)",
                    self.name,
                    _size(self.sent),
                    _size(self.sent / max(now - self.started, 1e-6)),
                )
            yield chunk


def _images_named(glance, name):
    """Every image named ``name`` this user sees (all visibilities, all statuses)."""
    found, path = (
        [],
        "/images?" + urllib.parse.urlencode({"name": name, "visibility": "all", "limit": 100}),
    )
    while path:
        doc = glance.call("GET", path, "cannot list the images named {}".format(name)).json()
        found.extend(doc.get("images") or [])
        nxt = doc.get("next")
        path = nxt[len("/v2") :] if nxt and nxt.startswith("/v2/") else None
    return found


def _brief(image):
    return {key: image.get(key) for key in ("id", "status", PROPERTY, "visibility", "size")}


def _metadata_changes(image, visibility, properties):
    """``{attribute: {"old", "new"}}`` to make ``image`` carry ``visibility`` and
    ``properties`` (properties it has and pillar does not name stay)."""
    changes = {}
    if image.get("visibility") != visibility:
        changes["visibility"] = {"old": image.get("visibility"), "new": visibility}
    for key, value in sorted(properties.items()):
        if image.get(key) != value:
            changes[key] = {"old": image.get(key), "new": value}
    return changes


def _delete(glance, image_id, why):
    glance.call("DELETE", "/images/{}".format(image_id), why, ok=(204, 404))


def _upload(glance, docker_url, name, create, budget, image_id):
    """Create the image, stream ``docker save`` into it and verify what Glance stored; the
    new image's document. The image is deleted again when anything fails."""
    new = glance.call(
        "POST", "/images", "cannot create the image {}".format(name), (201,), json=create
    )
    new_id = new.json()["id"]
    stream = None
    try:
        stream = _Stream(docker_url, name, budget)
        log.info("novadocker: publishing %s to Glance as image %s", name, new_id)
        glance.call(
            "PUT",
            "/images/{}/file".format(new_id),
            "cannot upload the data of {} (docker save)".format(name),
            (204,),
            data=iter(stream),
            headers={"Content-Type": "application/octet-stream"},
        )
        stored = glance.call("GET", "/images/{}".format(new_id), "cannot read image back").json()
        problem = None
        if stored.get("status") != "active":
            problem = "Glance left it {}".format(stored.get("status"))
        elif stored.get("size") != stream.sent:
            problem = "Glance stored {} bytes, docker save gave {}".format(
                stored.get("size"), stream.sent
            )
        elif stored.get("os_hash_algo") == "sha512" and (
            stored.get("os_hash_value") != stream.sha512.hexdigest()
        ):
            problem = "Glance's sha512 differs from the data docker save gave"
        elif stored.get("checksum") and stored["checksum"] != stream.md5.hexdigest():
            problem = "Glance's checksum differs from the data docker save gave"
        elif docker_image_id(docker_url, name, 30)[0] != image_id:
            problem = "the Docker image {} changed during the upload: run again".format(name)
        if problem:
            raise CommandExecutionError("{}: {}: {}".format(glance.where, name, problem))
    except BaseException as exc:
        undo = None
        try:
            _delete(glance, new_id, "cannot delete the incomplete image {}".format(new_id))
        except CommandExecutionError as failed:
            undo = failed
            log.error("novadocker: %s", failed)
        if not isinstance(exc, (CommandExecutionError, docker.DockerError)):
            raise
        text = str(exc)
        failed = exc if isinstance(exc, docker.DockerError) else stream and stream.failed
        if failed:
            text = "{}: docker save of {} failed: {}".format(glance.where, name, failed)
        raise CommandExecutionError(
            "{}; {}".format(text, undo or "nothing was left in Glance")
        ) from None
    log.info("novadocker: published %s (%s) as Glance image %s", name, _size(stream.sent), new_id)
    return stored


def publish(docker_url, name, visibility, properties, access, test=False, budget=3600):
    """
    Make Glance hold the Docker image ``name`` of the daemon at ``docker_url`` as the formula
    publishes it: a ``container_format=docker``, ``disk_format=raw`` image of that name and
    ``visibility``, with ``properties`` and the Docker image ID in :py:data:`PROPERTY`.

    The formula's images of that name are those owned by the credentials' project that carry
    :py:data:`PROPERTY`. One of them active with the daemon's image ID: nothing is uploaded
    (its visibility and properties are brought in line when they differ). Otherwise a new
    image is uploaded (see :py:func:`_upload`). Either way, the formula's other images of
    that name (older IDs, leftovers of an interrupted run) are deleted afterwards, never
    before. Other images of that name (another project's, or without the property) are left
    alone, with a warning.

    ``test``: read only (the daemon, Keystone and Glance are still asked, so that the
    prediction fails where the real run would).

    Returns ``{"name", "docker_image_id", "glance_id", "uploaded", "bytes", "updated",
    "deleted", "kept", "warnings", "comment"}``; raises ``CommandExecutionError``.
    """
    where = "publishing {} to Glance".format(name)
    timeout = float(access.get("timeout") or 60)
    image_id, size = docker_image_id(docker_url, name, timeout)
    glance = _Glance(access, where)
    project = glance.project_id()
    named = _images_named(glance, name)
    ours = [i for i in named if i.get(PROPERTY) and i.get("owner") == project]
    others = [i["id"] for i in named if i not in ours]
    current = [i for i in ours if i[PROPERTY] == image_id and i.get("status") == "active"]
    keep = current[0] if current else None
    stale = [i for i in ours if i is not keep]
    out = {
        "name": name,
        "docker_image_id": image_id,
        "glance_id": keep["id"] if keep else None,
        "uploaded": False,
        "bytes": None,
        "updated": _metadata_changes(keep, visibility, properties) if keep else {},
        "deleted": [_brief(i) for i in stale],
        "kept": keep and _brief(keep),
        "warnings": [
            "Glance also holds image(s) named {} that are not the formula's with these "
            "credentials (left alone): {}".format(name, ", ".join(others))
        ]
        if others
        else [],
    }
    if test:
        out["uploaded"] = keep is None
        out["bytes"] = size
        return out
    if keep is None:
        create = dict(properties)
        create.update(
            name=name,
            container_format="docker",
            disk_format="raw",
            visibility=visibility,
            **{PROPERTY: image_id},
        )
        stored = _upload(glance, docker_url, name, create, budget, image_id)
        out.update(glance_id=stored["id"], uploaded=True, bytes=stored.get("size"))
    elif out["updated"]:
        ops = [
            {"op": "replace" if key in keep else "add", "path": "/" + key, "value": chg["new"]}
            for key, chg in out["updated"].items()
        ]
        glance.call(
            "PATCH",
            "/images/{}".format(keep["id"]),
            "cannot update the image {}".format(keep["id"]),
            json=ops,
            headers={"Content-Type": _JSON_PATCH},
        )
    for image in stale:
        _delete(glance, image["id"], "cannot delete the replaced image {}".format(image["id"]))
    return out
