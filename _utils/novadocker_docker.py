"""
The one Docker API client of the novadocker formula.

Used by the daemon gate and reports (``novadocker_daemon``), the grain and, through the
execution module, the beacon: every request to a Docker daemon goes through here, so that a
new kind of endpoint is taught once. It speaks HTTP/1.1 with ``http.client`` over

* a unix socket (``unix:///var/run/docker.sock``),
* TCP (``tcp://host:port``, ``http://``), and
* TCP with TLS (``https://``, or ``tcp://`` with TLS settings), given as
  :py:func:`tls_settings` builds them.

Every call has a **time budget**: the total time it may take, connecting, sending and reading
included (a hung daemon costs the budget, never more). Nothing is started, no SDK is imported:
the grain can afford it.

Errors are :py:class:`DockerError` with a ``kind`` (``unreachable``, ``timeout``, ``tls``,
``http``, ``protocol``) and a one-line message an operator can act on.

Pure: no Salt dunders.
"""

import http.client
import json
import socket
import ssl
import time
import urllib.parse

#: The largest JSON answer read (``/version`` and ``/info`` are a few KiB).
_MAX_JSON = 4 * 1024 * 1024


class DockerError(Exception):
    """A request that did not get an answer, or got an error answer.

    ``kind``: ``unreachable`` (no connection), ``timeout`` (the budget ran out), ``tls`` (the
    TLS handshake failed: certificate verification, a refused client certificate),
    ``http`` (the daemon answered with an error status: ``status`` is set), ``protocol`` (not
    an HTTP or JSON answer)."""

    def __init__(self, kind, message, status=None):
        super().__init__(message)
        self.kind = kind
        self.status = status


class Endpoint:
    """Where a daemon is: ``url`` as nova.conf gives it, ``scheme`` (``unix``, ``tcp``),
    ``path`` (unix), ``host``/``port`` (tcp), ``tls`` (``None`` or a :py:func:`tls_settings`
    mapping)."""

    __slots__ = ("url", "scheme", "path", "host", "port", "tls")

    def __init__(self, url, tls=None):
        if not isinstance(url, str) or "://" not in url:
            raise DockerError("protocol", "{!r} is not a Docker URL (unix://, tcp://)".format(url))
        parsed = urllib.parse.urlparse(url)
        scheme = parsed.scheme.lower()
        self.url, self.tls, self.path, self.host, self.port = url, tls, None, None, None
        if scheme == "unix":
            self.scheme = "unix"
            path = url[len("unix://") :]
            self.path = path if path.startswith("/") else "/" + path
        elif scheme in ("tcp", "http", "https"):
            self.scheme = "tcp"
            if not parsed.hostname:
                raise DockerError("protocol", "{} names no host".format(url))
            self.host = parsed.hostname
            try:
                port = parsed.port
            except ValueError:
                raise DockerError("protocol", "{} has a bad port".format(url)) from None
            if scheme == "https" and tls is None:
                self.tls = tls_settings(verify=True)
            self.port = port or (2376 if self.tls else 2375)
        else:
            raise DockerError(
                "protocol",
                "{}: only unix://, tcp://, http:// and https:// are Docker URLs".format(url),
            )

    def __repr__(self):
        return "<Endpoint {}{}>".format(self.url, " tls" if self.tls else "")


def tls_settings(verify, ca_file=None, cert_file=None, key_file=None):
    """TLS settings for :py:class:`Endpoint`: ``verify`` the daemon's certificate (against
    ``ca_file``, or the system's CAs without one) and present ``cert_file``/``key_file``."""
    return {
        "verify": bool(verify),
        "ca_file": ca_file,
        "cert_file": cert_file,
        "key_file": key_file,
    }


def endpoint(url, tls=None):
    """The :py:class:`Endpoint` of ``url``; raises :py:class:`DockerError` for a bad URL."""
    return Endpoint(url, tls)


def _ssl_context(tls):
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=tls.get("ca_file") or None)
    if not tls.get("verify"):
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if tls.get("cert_file"):
        ctx.load_cert_chain(tls["cert_file"], tls.get("key_file") or None)
    return ctx


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def _connection(ep, timeout):
    if ep.scheme == "unix":
        return _UnixConnection(ep.path, timeout)
    if ep.tls:
        try:
            ctx = _ssl_context(ep.tls)
        except (OSError, ssl.SSLError) as exc:
            raise DockerError(
                "tls", "cannot load the TLS files for {}: {}".format(ep.url, _oserror_text(exc))
            ) from None
        return http.client.HTTPSConnection(ep.host, ep.port, timeout=timeout, context=ctx)
    return http.client.HTTPConnection(ep.host, ep.port, timeout=timeout)


def _oserror_text(exc):
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "certificate verification failed: {}".format(exc.verify_message or exc.reason)
    if isinstance(exc, ssl.SSLError):
        return "{} ({})".format(exc.reason or "TLS error", " ".join(str(exc).split()))
    return exc.strerror or str(exc) or type(exc).__name__


class _Deadline:
    def __init__(self, budget):
        self.budget = float(budget)
        self.end = time.monotonic() + self.budget

    def left(self):
        left = self.end - time.monotonic()
        if left <= 0:
            raise socket.timeout("timed out")
        return left


class Response:
    """An answer being read: ``status``, ``reason``, ``headers`` and :py:meth:`read` /
    :py:meth:`chunks` bounded by what is left of the budget. Close it (or use ``with``)."""

    def __init__(self, ep, conn, resp, deadline):
        self.endpoint, self._conn, self._resp, self._deadline = ep, conn, resp, deadline
        self.status, self.reason, self.headers = resp.status, resp.reason, resp.headers

    def _guard(self, func, *args):
        try:
            if self._conn.sock is not None:
                self._conn.sock.settimeout(self._deadline.left())
            return func(*args)
        except (OSError, http.client.HTTPException) as exc:
            raise _translate(self.endpoint, exc, self._deadline) from None

    def read(self, limit=_MAX_JSON):
        data = b""
        while len(data) <= limit:
            chunk = self._guard(self._resp.read, 65536)
            if not chunk:
                return data
            data += chunk
        raise DockerError(
            "protocol", "{}: answer larger than {} bytes".format(self.endpoint.url, limit)
        )

    def chunks(self, size=1024 * 1024):
        """Yield the body in pieces of at most ``size`` bytes (for streams such as ``docker
        save``); each piece is bounded by the budget left."""
        while True:
            chunk = self._guard(self._resp.read, size)
            if not chunk:
                return
            yield chunk

    def close(self):
        self._conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _translate(ep, exc, deadline):
    """A :py:class:`DockerError` for an exception raised talking to ``ep``."""
    if isinstance(exc, DockerError):
        return exc
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return DockerError(
            "timeout", "no answer from {} within {:g} s".format(ep.url, deadline.budget)
        )
    if isinstance(exc, ssl.SSLError):
        return DockerError("tls", "TLS with {} failed: {}".format(ep.url, _oserror_text(exc)))
    if isinstance(exc, http.client.HTTPException):
        return DockerError(
            "protocol",
            "{} did not answer as a Docker daemon ({})".format(ep.url, type(exc).__name__),
        )
    if isinstance(exc, OSError):
        return DockerError("unreachable", _oserror_text(exc))
    return DockerError("protocol", str(exc) or type(exc).__name__)


def open_request(ep, method, path, budget, body=None, headers=None):
    """Send ``method path`` to the daemon and return the :py:class:`Response` (headers read,
    body not). Raises :py:class:`DockerError`; an error status is NOT raised here."""
    deadline = _Deadline(budget)
    conn = None
    try:
        conn = _connection(ep, deadline.left())
        conn.timeout = deadline.left()
        conn.connect()
        conn.sock.settimeout(deadline.left())
        conn.request(method, path, body=body, headers=dict({"Host": "docker"}, **(headers or {})))
        conn.sock.settimeout(deadline.left())
        resp = conn.getresponse()
    except BaseException as exc:
        if conn is not None:
            conn.close()
        if isinstance(exc, (OSError, http.client.HTTPException, DockerError, ValueError)):
            raise _translate(ep, exc, deadline) from None
        raise
    return Response(ep, conn, resp, deadline)


def _error_message(status, reason, body):
    try:
        message = json.loads(body.decode("utf-8")).get("message")
    except (ValueError, AttributeError, UnicodeDecodeError):
        message = None
    text = message or body.decode("utf-8", "replace").strip() or reason
    return "{} {}".format(status, " ".join(str(text).split()))


def get_json(ep, path, budget):
    """``GET path`` and its JSON answer. Raises :py:class:`DockerError` (``http`` with the
    daemon's own message for an error status)."""
    with open_request(ep, "GET", path, budget) as resp:
        body = resp.read()
        if not 200 <= resp.status < 300:
            raise DockerError("http", _error_message(resp.status, resp.reason, body), resp.status)
    try:
        return json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise DockerError("protocol", "{}{} did not answer JSON".format(ep.url, path)) from None


def open_stream(ep, path, budget):
    """``GET path`` as a stream: the :py:class:`Response` of a success status, to read with
    :py:meth:`Response.chunks` (``docker save``: ``/images/<name>/get``) and close; an error
    status raises :py:class:`DockerError` (``http``) with the daemon's own message."""
    resp = open_request(ep, "GET", path, budget)
    if 200 <= resp.status < 300:
        return resp
    with resp:
        body = resp.read()
    raise DockerError("http", _error_message(resp.status, resp.reason, body), resp.status)


def version(ep, budget, pin=None):
    """The daemon's ``/version`` document; with ``pin``, asked as ``/v<pin>/version`` (the
    answer then also proves that the daemon accepts the pinned API version)."""
    return get_json(ep, "/v{}/version".format(pin) if pin else "/version", budget)


def ask(url, path, budget, tls=None):
    """``GET path`` of the daemon at ``url`` within ``budget`` seconds; never raises:
    ``{"ok": True, "data": <JSON>}`` or ``{"ok": False, "kind", "status", "error"}`` (see
    :py:class:`DockerError`). For callers on the other side of Salt's loader, which cannot
    catch this module's exception class."""
    try:
        return {"ok": True, "data": get_json(endpoint(url, tls), path, budget)}
    except DockerError as exc:
        return {"ok": False, "kind": exc.kind, "status": exc.status, "error": str(exc)}


def probe(url, budget, tls=None):
    """One ``GET /version`` within ``budget`` seconds; never raises:
    ``{"reachable", "version", "api_version", "error"}``."""
    state = {"reachable": False, "version": None, "api_version": None, "error": None}
    try:
        info = version(endpoint(url, tls), budget)
    except DockerError as exc:
        state["error"] = str(exc)
        return state
    if not isinstance(info, dict):
        state["error"] = "{} answered /version with no document".format(url)
        return state
    state["reachable"] = True
    state["version"] = str(info["Version"]) if info.get("Version") else None
    state["api_version"] = str(info["ApiVersion"]) if info.get("ApiVersion") else None
    return state
