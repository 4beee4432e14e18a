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

TLS is taught here once, as nova-docker's own client speaks it (``novadocker/virt/docker/
client.py``, every branch from juno on): :py:func:`driver_tls` turns the ``[docker]`` options
nova reads into the TLS settings that client builds, :py:func:`judge_driver` says what is unsafe
or refused about them (the inverted ``api_insecure`` flag, plain TCP off the host), and
:py:func:`driver_probe` asks the daemon exactly as the driver would reach it.

Pure: no Salt dunders.
"""

import datetime
import http.client
import ipaddress
import json
import socket
import ssl
import sys
import time
import urllib.parse

# Sibling utils are imported fresh on every (re)load of this module (see README, Architecture).
sys.modules.pop("novadocker_releases", None)
import novadocker_releases as releases  # noqa: E402

#: The largest JSON answer read (``/version`` and ``/info`` are a few KiB).
_MAX_JSON = 4 * 1024 * 1024

#: oslo.config's spellings of a BoolOpt value (``oslo_config.types.Boolean``, any case); any
#: other value makes nova-compute fail when the driver reads the option.
_NOVA_TRUE = ("true", "1", "on", "yes")
_NOVA_FALSE = ("false", "0", "off", "no")

#: TLS alerts with which a daemon refuses the client's certificate (or its absence).
_CLIENT_CERT_ALERTS = (
    "BAD_CERTIFICATE",
    "CERTIFICATE_REQUIRED",
    "UNKNOWN_CA",
    "CERTIFICATE_EXPIRED",
    "CERTIFICATE_REVOKED",
    "CERTIFICATE_UNKNOWN",
    "UNSUPPORTED_CERTIFICATE",
)


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
    verify = bool(tls.get("verify"))
    # Without verification the CA file is not even read (docker-py ignores it then).
    cafile = (tls.get("ca_file") or None) if verify else None
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
    if not verify:
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


def _tls_failure(ep, exc):
    """The message for a TLS failure talking to ``ep``: the daemon's certificate failed
    verification (against which CA), or the daemon refused the client's certificate (which)."""
    tls = ep.tls or {}
    if isinstance(exc, ssl.SSLCertVerificationError):
        against = "ca_file " + tls["ca_file"] if tls.get("ca_file") else "the system's CAs"
        return "certificate verification of the daemon at {} failed: {} (against {})".format(
            ep.url, exc.verify_message or exc.reason, against
        )
    reason = str(getattr(exc, "reason", "") or "")
    if "ALERT" in reason and any(alert in reason for alert in _CLIENT_CERT_ALERTS):
        if tls.get("cert_file"):
            return (
                "the daemon at {} refused the client certificate {} (TLS alert {}): it must be "
                "signed by the CA dockerd trusts (--tlscacert), be meant for client use and "
                "not be expired".format(ep.url, tls["cert_file"], reason)
            )
        return (
            "the daemon at {} requires a client certificate (TLS alert {}) and none is set: set "
            "[docker] cert_file and key_file".format(ep.url, reason)
        )
    return "TLS with {} failed: {}".format(ep.url, _oserror_text(exc))


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
        return DockerError("tls", _tls_failure(ep, exc))
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
            message = _error_message(resp.status, resp.reason, body)
            if resp.status == 400 and "HTTPS server" in message and not ep.tls:
                message += (
                    " (the daemon speaks TLS: set [docker] ca_file, cert_file, key_file and "
                    "api_insecure = True)"
                )
            raise DockerError("http", message, resp.status)
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


# -- TLS as nova-docker's client speaks it ----------------------------------------------------


def nova_bool(value, option, default=False):
    """``value`` of the ``[docker]`` BoolOpt ``option`` as nova-compute reads it: a bool as is,
    oslo.config's spellings (true/1/on/yes, false/0/off/no, any case) for a string, ``default``
    when unset (``None``). Raises ``ValueError`` for a value nova-compute refuses."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in _NOVA_TRUE:
        return True
    if text in _NOVA_FALSE:
        return False
    raise ValueError(
        "[docker] {} = {!r}: nova-compute refuses it (oslo.config: Unexpected boolean value); "
        "accepted: {}".format(option, value, ", ".join(_NOVA_TRUE + _NOVA_FALSE))
    )


def driver_tls(options):
    """The TLS settings (:py:func:`tls_settings`) nova-docker's client builds from the
    ``[docker]`` options ``options`` (a mapping as nova reads them: nova.conf's strings, or
    the formula's pillar values), or ``None`` when it builds none (plain HTTP on ``tcp://``).

    Exactly the driver's ``client.py``: a client certificate ``(cert_file, key_file)`` when
    either is set; a ``docker.tls.TLSConfig`` whenever ``ca_file``, ``api_insecure`` or a
    client certificate is set, with ``verify=api_insecure``. The flag is inverted: without
    ``api_insecure = True`` the daemon's certificate is not verified at all (docker-py then
    ignores ``ca_file``). Raises ``ValueError`` for an ``api_insecure`` nova-compute refuses."""
    opts = options or {}
    verify = nova_bool(opts.get("api_insecure"), "api_insecure")
    ca_file = opts.get("ca_file") or None
    cert_file, key_file = opts.get("cert_file") or None, opts.get("key_file") or None
    if not (ca_file or verify or cert_file or key_file):
        return None
    return tls_settings(verify, ca_file=ca_file, cert_file=cert_file, key_file=key_file)


def is_loopback(host):
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1); no name is resolved."""
    host = str(host or "").strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _unverified_text(url, tls):
    where = "whoever answers at {}".format(url)
    if tls["verify"]:
        return (
            "[docker] api_insecure = True without ca_file: the driver verifies the daemon at {} "
            "against the CA bundle of nova's Python environment (requests/certifi: the public "
            "CAs), not against a CA of yours, and the formula cannot check what that bundle "
            "trusts; set [docker] ca_file (pillar compute:docker:ca_file) to the CA that signed "
            "the daemon's certificate, or accept this with pillar "
            "compute:unsafe_unverified_tls: true".format(url)
        )
    what = (
        "ca_file is set but api_insecure is not True"
        if tls["ca_file"]
        else ("a client certificate is set without ca_file and api_insecure = True")
    )
    return (
        "[docker] {}: the driver would NOT verify the daemon's certificate, its requests and "
        "client certificate going to {}. The flag is inverted: nova-docker's client passes "
        "api_insecure as docker-py's TLSConfig(verify=...), so api_insecure = False (the "
        "default) means no verification at all and ca_file is ignored, api_insecure = True "
        "means verify against ca_file. Set pillar compute:docker:api_insecure: true and "
        "compute:docker:ca_file to the CA that signed the daemon's certificate, or accept the "
        "risk with pillar compute:unsafe_unverified_tls: true".format(what, where)
    )


def judge_driver(options, unsafe_unverified_tls=False, unsafe_plain_tcp=False):
    """What is refused or unsafe in how nova-docker's client would reach its daemon with the
    ``[docker]`` options ``options``. Never connects, never reads a file.

    Returns ``{"host_url", "scheme" ("unix", "tcp"; ``None`` for a bad URL), "tls" (the TLS
    settings to connect with: :py:func:`driver_tls`, or verified TLS for ``https://``),
    "problems" (block the switch), "unsafe" (what pillar's
    ``compute:unsafe_unverified_tls`` / ``compute:unsafe_plain_tcp`` accepted: a warning on
    every run, a problem in ``novadocker.check``)}``. Judged: an ``api_insecure`` nova refuses;
    a client certificate without its key (or the reverse), which docker-py refuses; a TCP URL
    without a port (docker-py requires one); a TLS endpoint the driver would not verify
    against a CA of the operator's (``ca_file`` without ``api_insecure = True``, or no
    ``ca_file``); plain TCP without TLS to anything but loopback."""
    opts = options or {}
    url = opts.get("host_url") or releases.DEFAULT_HOST_URL
    verdict = {"host_url": url, "scheme": None, "tls": None, "problems": [], "unsafe": []}
    problems = verdict["problems"]
    try:
        verdict["tls"] = tls = driver_tls(opts)
    except ValueError as exc:
        problems.append(str(exc))
        return verdict
    if bool(opts.get("cert_file")) != bool(opts.get("key_file")):
        have, lack = (
            ("cert_file", "key_file") if opts.get("cert_file") else ("key_file", "cert_file")
        )
        problems.append(
            "[docker] {} is set without {}: the driver's client (docker-py's TLSConfig) refuses "
            "a client certificate without its key; set both".format(have, lack)
        )
    try:
        ep = endpoint(url, tls)
    except DockerError as exc:
        problems.append("[docker] host_url: {}".format(exc))
        return verdict
    # An https:// URL is TLS even without a TLS option (verified, docker-py's default).
    verdict["scheme"], verdict["tls"] = ep.scheme, ep.tls
    if ep.scheme == "unix":
        return verdict
    if urllib.parse.urlparse(url).port is None:
        problems.append(
            "[docker] host_url {} names no port: the driver's Docker client (docker-py) refuses "
            "a TCP address without one; add it (2376 is the usual TLS port)".format(url)
        )
    if ep.tls is None:
        if not is_loopback(ep.host):
            text = (
                "[docker] host_url {} is plain TCP without TLS to {}, not this host: whoever is "
                "on the network path can drive that daemon (root on its host) and read what the "
                "driver sends; set [docker] ca_file, cert_file, key_file and api_insecure = True "
                "(see README, TLS endpoints), or accept the risk with pillar "
                "compute:unsafe_plain_tcp: true".format(url, ep.host)
            )
            (verdict["unsafe"] if unsafe_plain_tcp else problems).append(text)
    elif not (ep.tls["verify"] and ep.tls["ca_file"]):
        text = _unverified_text(url, ep.tls)
        (verdict["unsafe"] if unsafe_unverified_tls else problems).append(text)
    return verdict


def driver_probe(options, budget):
    """:py:func:`probe` of the daemon the ``[docker]`` options name, reached as the driver
    reaches it (:py:func:`driver_tls`). Never raises: options nova refuses give ``error``."""
    opts = options or {}
    url = opts.get("host_url") or releases.DEFAULT_HOST_URL
    try:
        tls = driver_tls(opts)
    except ValueError as exc:
        return {"reachable": False, "version": None, "api_version": None, "error": str(exc)}
    return probe(url, budget, tls)


def certificate_expiry(path, now=None):
    """When the PEM certificate at ``path`` expires: ``{"path", "not_after" (ISO 8601 UTC),
    "days_left" (float; negative once expired), "error"}`` (``error`` set and the others
    ``None`` for a file that cannot be read or parsed). ``None`` when the ``cryptography``
    package is not installed: no expiry report then."""
    try:
        from cryptography import x509  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    found = {"path": path, "not_after": None, "days_left": None, "error": None}
    try:
        with open(path, "rb") as fh:
            cert = x509.load_pem_x509_certificate(fh.read())
        not_after = getattr(cert, "not_valid_after_utc", None)
        if not_after is None:  # cryptography before 42
            not_after = cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    except (OSError, ValueError) as exc:
        found["error"] = "cannot read the certificate {}: {}".format(
            path, getattr(exc, "strerror", None) or exc
        )
        return found
    now = now or datetime.datetime.now(datetime.timezone.utc)
    found["not_after"] = not_after.strftime("%Y-%m-%dT%H:%M:%SZ")
    found["days_left"] = round((not_after - now).total_seconds() / 86400.0, 2)
    return found
