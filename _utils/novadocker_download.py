"""
Downloads over http(s) with a deadline, for the driver's archive.

Salt's ``cp.cache_file`` has no deadline of its own for one download (a server that sends a
byte a second keeps a run going for hours), keeps a URL's query string in the cache file's
name, and takes credentials only from the URL. :py:func:`fetch` instead:

* bounds the whole download, connection and headers included, to ``timeout`` seconds (a
  watchdog shuts the socket down at the deadline) and the connection to ``connect_timeout``;
* takes HTTP Basic credentials apart from the URL (or from its userinfo), sends them only to
  the URL's own host (not to a host a redirect points to), and never shows them: every
  message names the URL through ``novadocker_secrets.redact_url``;
* streams into a temporary file of the formula (``novadocker_files.atomic_file``) renamed over
  ``dest`` once complete: a killed or failed download leaves no partial file under ``dest``'s
  name (the next run removes the temporary one, ``novadocker_files.remove_strays``);
* goes through the minion's proxy when one is given (``proxy_host`` ... options of Salt).

Pure: no Salt dunders. Failures raise ``CommandExecutionError`` with a message for the
operator.
"""

import base64
import hashlib
import http.client
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse

from salt.exceptions import CommandExecutionError

# Sibling utils are imported fresh on every (re)load of this module (see README, Architecture).
for _name in ("novadocker_files", "novadocker_secrets"):
    sys.modules.pop(_name, None)
import novadocker_files as files  # noqa: E402
import novadocker_secrets as secrets  # noqa: E402

#: Seconds allowed to open the connection (bounded by the whole download's timeout too).
CONNECT_TIMEOUT = 30
#: Redirects followed at most.
MAX_REDIRECTS = 5
_CHUNK = 64 * 1024


class _Watchdog:
    """Shuts the connection's socket down at the deadline, so that a read blocked on a
    trickling server returns at once."""

    def __init__(self, seconds):
        self.fired = False
        self._sock = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock):
        """Watch the connected socket ``sock`` (http.client hands it over to the response
        and forgets it: the watchdog keeps its own reference)."""
        with self._lock:
            self._sock = sock
            if self.fired:
                self._shut()

    def _shut(self):
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _fire(self):
        with self._lock:
            self.fired = True
            self._shut()

    def cancel(self):
        self._timer.cancel()


def _credentials(parts, username, password):
    """``(user, password)`` for the request: the ones given, else the URL's userinfo."""
    if username:
        return username, password or ""
    if parts.username is not None:
        return urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or "")
    return None, None


def _connection(parts, timeout, proxy, context):
    """The connection for ``parts`` (through ``proxy`` when given) and the request target."""
    host, port = parts.hostname, parts.port
    https = parts.scheme == "https"
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    if proxy and proxy.get("host"):
        headers = {}
        if proxy.get("username"):
            token = "{}:{}".format(proxy["username"], proxy.get("password") or "")
            headers["Proxy-Authorization"] = "Basic " + base64.b64encode(token.encode()).decode()
        if https:
            conn = http.client.HTTPSConnection(
                proxy["host"], proxy.get("port") or 3128, timeout=timeout, context=context
            )
            conn.set_tunnel(host, port or 443, headers=headers)
            return conn, target, {}
        conn = http.client.HTTPConnection(proxy["host"], proxy.get("port") or 3128, timeout=timeout)
        netloc = host + (":{}".format(port) if port else "")
        return conn, "http://{}{}".format(netloc, target), headers
    if https:
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=context), target, {}
    return http.client.HTTPConnection(host, port, timeout=timeout), target, {}


def _bypass(host, no_proxy):
    """True when ``host`` is listed in ``no_proxy`` (names, or ``.domain`` suffixes)."""
    for entry in no_proxy or ():
        entry = str(entry).strip().lower()
        if entry and (host == entry or host.endswith("." + entry.lstrip("."))):
            return True
    return False


def fetch(
    url,
    dest,
    timeout=300,
    username=None,
    password=None,
    connect_timeout=CONNECT_TIMEOUT,
    proxy=None,
    cafile=None,
):
    """Download the http(s) ``url`` to ``dest`` within ``timeout`` seconds in all.

    ``username``/``password``: HTTP Basic credentials (default: the URL's userinfo). ``proxy``:
    ``{"host", "port", "username", "password", "no_proxy": [...]}``. ``cafile``: the CA bundle
    to verify https with (default: the system's). Returns ``dest``'s size in bytes. Raises
    ``CommandExecutionError`` (the URL redacted) on an HTTP error, a connection error, a
    truncated body, or when the deadline passes; ``dest`` is then left as it was.
    """
    shown = secrets.redact_url(url)
    known = secrets.known(url, password)
    deadline = time.monotonic() + timeout
    parts = urllib.parse.urlsplit(url)
    origin = parts.hostname
    user, pwd = _credentials(parts, username, password)
    context = ssl.create_default_context(cafile=cafile) if parts.scheme == "https" else None
    watchdog = _Watchdog(timeout)
    received = 0
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise CommandExecutionError(
                    "Could not download {}: a redirect leads to {}, not an http(s) URL".format(
                        shown, secrets.redact_url(urllib.parse.urlunsplit(parts))
                    )
                )
            left = deadline - time.monotonic()
            use_proxy = (
                proxy if proxy and not _bypass(parts.hostname, proxy.get("no_proxy")) else None
            )
            conn, target, headers = _connection(
                parts, max(min(connect_timeout, left), 0.1), use_proxy, context
            )
            headers["User-Agent"] = "novadocker-formula"
            if user and parts.hostname == origin:
                token = "{}:{}".format(user, pwd or "").encode("utf-8")
                headers["Authorization"] = "Basic " + base64.b64encode(token).decode()
            try:
                conn.connect()
                watchdog.watch(conn.sock)
                conn.request("GET", target, headers=headers)
                resp = conn.getresponse()
                if resp.status in (301, 302, 303, 307, 308) and resp.getheader("Location"):
                    location = urllib.parse.urljoin(
                        urllib.parse.urlunsplit(parts), resp.getheader("Location")
                    )
                    parts = urllib.parse.urlsplit(location)
                    continue
                if resp.status != 200:
                    reason = resp.reason or http.client.responses.get(resp.status, "")
                    raise CommandExecutionError(
                        "Could not download {}: the server answered HTTP {} {}{}".format(
                            shown, resp.status, reason, _hint(resp.status, user)
                        )
                    )
                length = resp.getheader("Content-Length")
                with files.atomic_file(dest, 0o600) as out:
                    while True:
                        chunk = resp.read1(_CHUNK)
                        if not chunk:
                            break
                        out.write(chunk)
                        received += len(chunk)
                    if watchdog.fired:
                        raise TimeoutError()
                    if length and length.isdigit() and received != int(length):
                        raise CommandExecutionError(
                            "Could not download {}: the connection ended after {} of {} bytes; "
                            "nothing was installed".format(shown, received, length)
                        )
                return received
            finally:
                conn.close()
        raise CommandExecutionError(
            "Could not download {}: more than {} redirects".format(shown, MAX_REDIRECTS)
        )
    except CommandExecutionError as exc:
        if watchdog.fired:
            raise CommandExecutionError(_too_slow(shown, timeout, received)) from None
        raise CommandExecutionError(secrets.redact_text(str(exc), known)) from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if watchdog.fired or isinstance(exc, TimeoutError) and time.monotonic() >= deadline:
            raise CommandExecutionError(_too_slow(shown, timeout, received)) from None
        why = secrets.redact_text(str(exc) or type(exc).__name__, known)
        raise CommandExecutionError(
            "Could not download {}: {}. Is the host reachable from this minion (DNS, proxy, "
            "firewall)?".format(shown, why)
        ) from None
    finally:
        watchdog.cancel()


def _hint(status, user):
    if status == 404:
        return " (no such file on the server: check the URL)"
    if status in (401, 403):
        who = "user {}".format(user) if user else "no credentials"
        return (
            " (sent {}: set pillar novadocker:driver:source_username and source_password to "
            "credentials the server accepts)".format(who)
        )
    return ""


def _too_slow(shown, timeout, received):
    return (
        "Could not download {}: not complete after {} s (novadocker:driver:download_timeout; "
        "{} bytes received): the server or the link is too slow or stalled; raise "
        "novadocker:driver:download_timeout if it is only slow. Nothing was installed".format(
            shown, _seconds(timeout), received
        )
    )


def _seconds(value):
    return "{:g}".format(value)


def cache_name(url, digest=None):
    """The name a download of ``url`` is kept under in the minion cache: the expected content
    hash when there is one (``nova-docker-<hex>.zip``), else a hash of the URL without its
    credentials. Never a part of the URL itself (a query string may hold a token)."""
    if digest:
        return "nova-docker-{}.zip".format(digest)
    return "nova-docker-unverified-{}.zip".format(
        hashlib.sha256(secrets.redact_url(url).encode("utf-8")).hexdigest()[:16]
    )


def prepare(directory):
    """Create the download ``directory`` (0700) and remove what a killed download left in it
    (the formula's temporary files). Returns the paths removed."""
    files.private_dir(directory)
    targets = [
        os.path.join(directory, name[1:].split(files.TEMP_MARK)[0])
        for name in os.listdir(directory)
        if name.startswith(".") and files.TEMP_MARK in name
    ]
    return files.remove_strays(*targets)
