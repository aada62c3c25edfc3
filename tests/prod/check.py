"""`make prod-check`: the shipped nginx site and environment file in front of gunicorn, tested.

Starts gunicorn with deploy/clinic.env.example and nginx with deploy/nginx/clinic.conf (only
listen addresses, ports and paths changed) on loopback, over a fresh SQLite database with the
demo content, then checks through nginx what a patient, a member of staff and an attacker would
see. Every process it starts is stopped when it ends, whatever happens.
"""

import argparse
import asyncio
import contextlib
import ctypes
import gzip
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from tests.live_gunicorn import form_fields

ROOT = Path(__file__).resolve().parent.parent.parent
DEPLOY = ROOT / "deploy"
SITE = "clinic.example.org"
TREATMENT = "/treatments/stem-cell-therapy/"
FORGED_ADDRESS = "198.51.100.7"
HEADER_TIMEOUT = 10  # client_header_timeout in deploy/nginx/clinic.conf
STAFF_USER, STAFF_PASSWORD = "prod-check", "a long and correct staff password"
# linux/prctl.h
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_MDWE, PR_GET_MDWE = 1, 38, 65, 66
PR_MDWE_REFUSE_EXEC_GAIN = 1


# --- Processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def die_with_this_script() -> None:
    """In a child before exec: SIGTERM when this script ends, however it ends."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def memory_deny_write_execute_available() -> bool:
    """Whether this kernel can refuse writable-and-executable memory (Linux 6.3+)."""
    return ctypes.CDLL(None, use_errno=True).prctl(PR_GET_MDWE, 0, 0, 0, 0) >= 0


def as_the_systemd_unit_would(*, mdwe: bool):
    """Before gunicorn starts: clinic.service's NoNewPrivileges= and MemoryDenyWriteExecute=."""

    def before() -> None:
        die_with_this_script()
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or (
            mdwe and libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0
        ):
            raise OSError(ctypes.get_errno(), "prctl refused")

    return before


class Processes:
    """Child processes in their own process groups, all stopped on close()."""

    def __init__(self):
        self.children: list[subprocess.Popen] = []

    def start(self, args: list[str], log: Path, before=die_with_this_script, **kwargs):
        with open(log, "ab") as out:
            process = subprocess.Popen(
                args,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=before,
                **kwargs,
            )
        self.children.append(process)
        return process

    def close(self) -> None:
        for process in reversed(self.children):
            self._signal(process, signal.SIGTERM)
        for process in reversed(self.children):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._signal(process, signal.SIGKILL)
                process.wait(timeout=5)
            # Workers left behind by a master that died first.
            self._signal(process, signal.SIGKILL)
        self.children.clear()

    @staticmethod
    def _signal(process, signum) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signum)


def run(args, env=None, **kwargs) -> str:
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, **kwargs
    )
    if result.returncode:
        raise RuntimeError(f"{' '.join(map(str, args))} failed:\n{result.stdout}{result.stderr}")
    return result.stdout + result.stderr


def read_env_file(path: Path) -> dict:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (comments and blanks skipped)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if not found:
        raise SystemExit("nginx is not installed: `make prod-check` installs it from Debian.")
    return found


def site_config(work: Path, ports: dict, media_root: Path) -> str:
    """deploy/nginx/clinic.conf with listen addresses, ports and paths for this machine only."""
    text = (DEPLOY / "nginx" / "clinic.conf").read_text()
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{ports['gunicorn']};",
        "/srv/clinic/staticfiles/": f"{ROOT}/staticfiles/",
        "/srv/clinic/media/": f"{media_root}/",
        "root /var/www/html;": f"root {work}/acme;",
        f"/etc/letsencrypt/live/{SITE}/fullchain.pem": f"{work}/cert.pem",
        f"/etc/letsencrypt/live/{SITE}/privkey.pem": f"{work}/key.pem",
    }
    for shipped, here in replacements.items():
        if shipped not in text:
            raise SystemExit(f"deploy/nginx/clinic.conf no longer contains {shipped!r}")
        text = text.replace(shipped, here)
    lines = []
    for line in text.splitlines():
        listen = re.match(r"(\s*)listen (\[::\]:)?(80|443)\b(.*)", line)
        if listen:
            indent, ipv6, port, rest = listen.groups()
            if ipv6:
                continue  # everything on 127.0.0.1
            line = f"{indent}listen 127.0.0.1:{ports['http' if port == '80' else 'https']}{rest}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def main_config(work: Path) -> str:
    """Debian's /etc/nginx/nginx.conf, as far as this site depends on it, in a scratch folder."""
    # As root (CI), workers may need to read a checkout under /root: they stay root here.
    # A real server runs them as Debian's www-data (its nginx.conf says so).
    user = "user root;" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {work}/tmp/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}
worker_processes auto;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
include /etc/nginx/modules-enabled/*.conf;
events {{
    worker_connections 768;
}}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log {work}/nginx-access.log;
{temp}
    gzip on;
    include {work}/clinic.conf;
}}
"""


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout=60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited early:\n{log.read_text(errors='replace')[-4000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port} within {timeout} s")


# --- HTTP through nginx ------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes
    cookies: dict = field(default_factory=dict)

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    @property
    def text(self) -> str:
        compressed = self.header("content-encoding") == "gzip"
        return (gzip.decompress(self.body) if compressed else self.body).decode("utf-8", "replace")


class Site:
    """Requests to the site by its name, sent to nginx on 127.0.0.1 from a chosen address."""

    def __init__(self, ports: dict, ca_file: Path):
        self.ports = ports
        self.tls = ssl.create_default_context(cafile=str(ca_file))

    def connect(self, scheme="https", source="127.0.0.1", timeout=10) -> socket.socket:
        port = self.ports[scheme]
        sock = socket.create_connection(("127.0.0.1", port), timeout, (source, 0))
        if scheme == "https":
            sock = self.tls.wrap_socket(sock, server_hostname=SITE)
        return sock

    def request(
        self, path, method="GET", body=None, headers=None, scheme="https", source="127.0.0.1"
    ) -> Reply:
        connection = http.client.HTTPConnection(SITE, timeout=15)
        connection.sock = self.connect(scheme, source)
        try:
            connection.request(method, path, body, {"Host": SITE, **(headers or {})})
            response = connection.getresponse()
            data = response.read()
            cookies, headers = {}, {}
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                cookies[name] = rest.split(";", 1)[0]
            for name, value in response.getheaders():
                name = name.lower()
                headers[name] = f"{headers[name]}, {value}" if name in headers else value
            return Reply(response.status, headers, data, cookies)
        finally:
            connection.close()


class Browser:
    """One visitor with cookies, from one client address."""

    def __init__(self, site: Site, source="127.0.0.1", forwarded_for=None):
        self.site, self.source, self.cookies = site, source, {}
        self.extra = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}

    def get(self, path) -> Reply:
        return self._send(path, "GET", None, {})

    def post(self, path, fields) -> Reply:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"https://{SITE}",
            "Referer": f"https://{SITE}{path}",
        }
        return self._send(path, "POST", urlencode(fields, doseq=True).encode(), headers)

    def _send(self, path, method, body, headers) -> Reply:
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        reply = self.site.request(path, method, body, {**self.extra, **headers}, source=self.source)
        self.cookies.update(reply.cookies)
        return reply


# --- The checks --------------------------------------------------------------------------------


class CheckFailed(AssertionError):
    pass


def expect(condition, message) -> None:
    if not condition:
        raise CheckFailed(message)


def check_https_pages(ctx) -> str:
    pages = ["/", TREATMENT, "/es" + TREATMENT, "/locations/encino/", "/consultation/"]
    for path in pages:
        reply = ctx.site.request(path)
        expect(reply.status == 200, f"{path}: {reply.status}")
        hsts = reply.header("strict-transport-security")
        expect(hsts.startswith("max-age=31536000"), f"{path}: HSTS is {hsts!r}")
    with ctx.site.connect() as sock:
        version = sock.version()
    return f"{len(pages)} pages 200, HSTS {hsts!r}, {version}"


def handshake(ctx, tls: ssl.SSLContext) -> str:
    """The TLS version nginx agreed to with this client, or "refused"."""
    tls.load_verify_locations(str(ctx.work / "cert.pem"))
    try:
        with socket.create_connection(("127.0.0.1", ctx.ports["https"]), 5) as sock:
            with tls.wrap_socket(sock, server_hostname=SITE) as secured:
                return secured.version()
    except ssl.SSLError:
        return "refused"


def check_tls(ctx) -> str:
    modern = handshake(ctx, ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    expect(modern == "TLSv1.3", f"a current client got {modern}")
    tls12 = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    tls12.maximum_version = ssl.TLSVersion.TLSv1_2
    expect(handshake(ctx, tls12) == "TLSv1.2", "TLS 1.2 refused")
    cbc = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cbc.maximum_version = ssl.TLSVersion.TLSv1_2
    cbc.set_ciphers("ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA")
    expect(handshake(ctx, cbc) == "refused", "a CBC cipher suite was accepted")
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old.minimum_version = old.maximum_version = ssl.TLSVersion.TLSv1_1
    old.set_ciphers("DEFAULT:@SECLEVEL=0")
    expect(handshake(ctx, old) == "refused", "TLS 1.1 was accepted")
    return "TLS 1.3 and 1.2 (AEAD ciphers) accepted; TLS 1.1 and CBC suites refused"


def check_http_redirects(ctx) -> str:
    reply = ctx.site.request(TREATMENT + "?utm_source=x", scheme="http")
    location = reply.header("location")
    expected = f"https://{SITE}{TREATMENT}?utm_source=x"
    expect(reply.status == 301 and location == expected, f"{reply.status} to {location!r}")
    challenge = ctx.work / "acme" / ".well-known" / "acme-challenge" / "token-1"
    challenge.parent.mkdir(parents=True, exist_ok=True)
    challenge.write_text("token-1.key")
    renewal = ctx.site.request("/.well-known/acme-challenge/token-1", scheme="http")
    expect(renewal.status == 200 and renewal.body == b"token-1.key", "certbot's challenge")
    return f"301 to {location}; certbot's challenges answered over HTTP"


def check_healthz_over_http(ctx) -> str:
    plain = ctx.site.request("/healthz", scheme="http")
    expect(plain.status == 200 and plain.body == b"ok", f"http: {plain.status} {plain.body!r}")
    secure = ctx.site.request("/healthz")
    expect(secure.status == 200, f"https: {secure.status}")
    return "200 ok over HTTP and HTTPS"


def check_unknown_hosts(ctx) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", ctx.ports["http"], timeout=5)
    try:
        connection.request("GET", "/", headers={"Host": "127.0.0.1"})
        connection.getresponse()
        raise CheckFailed("a request for another host name got an answer")
    except (http.client.RemoteDisconnected, ConnectionError):
        pass
    finally:
        connection.close()
    try:
        tls = ssl.create_default_context(cafile=str(ctx.work / "cert.pem"))
        tls.check_hostname = False
        with socket.create_connection(("127.0.0.1", ctx.ports["https"]), 5) as sock:
            tls.wrap_socket(sock, server_hostname="other.example.org").close()
        raise CheckFailed("a TLS handshake for another host name succeeded")
    except ssl.SSLError:
        pass
    return "closed without an answer (HTTP), handshake refused (HTTPS)"


def check_gzip(ctx) -> str:
    compressed = ctx.site.request(TREATMENT, headers={"Accept-Encoding": "gzip, br"})
    plain = ctx.site.request(TREATMENT)
    expect(compressed.header("content-encoding") == "gzip", "treatment page not gzip-compressed")
    expect("accept-encoding" in compressed.header("vary").lower(), "no Vary: Accept-Encoding")
    expect(compressed.text == plain.body.decode(), "compressed page differs from the plain one")
    admin = ctx.site.request("/admin/login/", headers={"Accept-Encoding": "gzip"})
    expect(admin.status == 200 and not admin.header("content-encoding"), "admin is compressed")
    return (
        f"treatment page {len(plain.body) / 1024:.1f} KB -> {len(compressed.body) / 1024:.1f} KB "
        "gzip; admin left uncompressed"
    )


def check_static_files(ctx) -> str:
    page = ctx.site.request(TREATMENT).body.decode()
    css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page)
    expect(css, "no hashed stylesheet on the treatment page")
    hashed = css.group(1)
    results = {}
    for encoding in ("br", "gzip"):
        reply = ctx.site.request(hashed, headers={"Accept-Encoding": encoding})
        expect(reply.status == 200, f"{hashed}: {reply.status}")
        expect(reply.header("content-encoding") == encoding, f"{hashed}: not {encoding}")
        expect(
            reply.header("cache-control") == "public, max-age=31536000, immutable",
            f"{hashed}: Cache-Control {reply.header('cache-control')!r}",
        )
        expect("x-request-id" not in reply.headers, f"{hashed} was served by Django")
        results[encoding] = len(reply.body)
    unhashed = re.sub(r"\.[0-9a-f]{12}\.css$", ".css", hashed)
    reply = ctx.site.request(unhashed)
    expect(reply.status == 200, f"{unhashed}: {reply.status}")
    short = reply.header("cache-control")
    expect(short == "public, max-age=600", f"{unhashed}: Cache-Control {short!r}")
    return (
        f"{hashed}: immutable for a year, br {results['br'] / 1024:.1f} KB, "
        f"gzip {results['gzip'] / 1024:.1f} KB; unhashed names {short!r}"
    )


def check_media(ctx) -> str:
    page = ctx.site.request(TREATMENT).body.decode()
    rendition = re.search(r'"(/media/renditions/[^" ]+\.webp)', page)
    expect(rendition, "no image rendition on the treatment page")
    reply = ctx.site.request(rendition.group(1))
    expect(reply.status == 200 and reply.header("content-type") == "image/webp", "rendition")
    expect(
        reply.header("cache-control") == "public, max-age=31536000, immutable",
        f"rendition Cache-Control {reply.header('cache-control')!r}",
    )
    expect("x-request-id" not in reply.headers, "media was served by Django")
    originals = sorted(
        path.relative_to(ctx.media_root).as_posix()
        for path in ctx.media_root.rglob("*.jpg")
        if "renditions" not in path.parts
    )
    expect(originals, "no uploaded original in MEDIA_ROOT")
    original = ctx.site.request(f"/media/{originals[0]}")
    expect(original.status == 200, f"original: {original.status}")
    expect(original.header("cache-control") == "public, max-age=86400", "original's caching")
    expect("sandbox" in original.header("content-security-policy"), "no sandbox on uploads")
    return "renditions immutable for a year; originals a day, sandboxed"


def send_body(ctx, size: int) -> Reply:
    """A POST of `size` bytes, read back even when nginx answers before the body is sent."""
    head = (
        f"POST /consultation/ HTTP/1.1\r\nHost: {SITE}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {size}\r\nConnection: close\r\n\r\n"
    ).encode()
    chunk = b"a" * 65536
    with ctx.site.connect(timeout=30) as sock:
        sock.sendall(head)
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            left = size
            while left > 0:
                sent = sock.send(chunk[: min(left, len(chunk))])
                left -= sent
        data = b""
        with contextlib.suppress(ConnectionError, ssl.SSLError, TimeoutError):
            while part := sock.recv(65536):
                data += part
    head_text, _, body = data.partition(b"\r\n\r\n")
    lines = head_text.decode("latin-1").split("\r\n")
    expect(lines and lines[0].startswith("HTTP/1.1 "), f"no answer to a {size}-byte body")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in lines[1:])
    }
    return Reply(int(lines[0].split()[1]), headers, body)


def check_body_limit(ctx) -> str:
    limit = int(ctx.env.get("MAX_REQUEST_BODY_BYTES", 8 * 1024 * 1024))
    big = send_body(ctx, 9 * 1024 * 1024)
    expect(big.status == 413, f"9 MB body: {big.status}")
    expect("x-request-id" not in big.headers, "the 9 MB body reached Django")
    expect(b"too large" in big.body, f"413 without a plain message: {big.body[:200]!r}")
    at_limit = send_body(ctx, limit)
    # Django refuses it (no CSRF cookie) before reading it, and still reads it to the end, so
    # nginx passes its answer on rather than a 502.
    expect(at_limit.status == 403, f"a body of exactly {limit} bytes: {at_limit.status}")
    expect("x-request-id" in at_limit.headers, "a body at the limit did not reach Django")
    return f"9 MB: 413 from nginx; {limit} bytes passed on to Django ({at_limit.status})"


def check_request_id(ctx) -> str:
    forged = "forged-by-the-client-0001"
    reply = ctx.site.request("/robots.txt", headers={"X-Request-ID": forged})
    request_id = reply.header("x-request-id")
    expect(re.fullmatch(r"[0-9a-f]{32}", request_id), f"request id {request_id!r}")
    expect(request_id in ctx.gunicorn_log.read_text(), "request id not in gunicorn's log")
    return f"client's {forged!r} replaced by nginx's {request_id}"


def consultation_fields(page_html: str) -> dict:
    fields = dict(form_fields(page_html, "consultation-form"))
    fields.update(
        first_name="Ana",
        last_name="Ruiz",
        email="ana.ruiz@example.org",
        phone="(213) 373-4253",
        patient_status="new",
        contact_method="phone",
        preferred_days=["mon", "wed"],
        preferred_time="morning",
        payment="not_sure",
        message="Could someone call me about a knee appointment next week?",
        consent_to_contact="on",
    )
    return fields


def send_consultation(browser: Browser) -> int:
    page = browser.get("/consultation/?office=encino")
    expect(page.status == 200, f"form page: {page.status}")
    return browser.post("/consultation/", consultation_fields(page.text)).status


def check_rate_limit_sees_the_client(ctx) -> str:
    limit = int(ctx.env.get("BOOKINGS_RATE_LIMIT", 5))
    first = Browser(ctx.site, "127.0.0.1")
    statuses = [send_consultation(first) for _ in range(limit + 1)]
    expect(statuses == [302] * limit + [429], f"from 127.0.0.1: {statuses}")
    forged = send_consultation(Browser(ctx.site, "127.0.0.1", forwarded_for=FORGED_ADDRESS))
    expect(forged == 429, f"forged X-Forwarded-For escaped the limit: {forged}")
    other = send_consultation(Browser(ctx.site, "127.0.0.2"))
    expect(other == 302, f"127.0.0.2 was limited too: {other}")
    return f"127.0.0.1 limited after {limit}; forged X-Forwarded-For still limited; 127.0.0.2 not"


def log_in(browser: Browser, password: str) -> Reply:
    page = browser.get("/admin/login/?next=/admin/")
    fields = dict(form_fields(page.text, "login-form"))
    fields.update(username=STAFF_USER, password=password, next="/admin/")
    return browser.post("/admin/login/?next=/admin/", fields)


def check_lockout_sees_the_client(ctx) -> str:
    failures = int(ctx.env.get("AXES_FAILURE_LIMIT", 5))
    attacker = Browser(ctx.site, "127.0.0.1")
    for _ in range(failures):
        log_in(attacker, "wrong password")
    locked = log_in(attacker, STAFF_PASSWORD)
    expect(locked.status == 429, f"no lockout after {failures} failures: {locked.status}")
    forged = log_in(Browser(ctx.site, "127.0.0.1", forwarded_for=FORGED_ADDRESS), STAFF_PASSWORD)
    expect(forged.status == 429, f"forged X-Forwarded-For escaped the lockout: {forged.status}")
    staff = log_in(Browser(ctx.site, "127.0.0.2"), STAFF_PASSWORD)
    expect(staff.status == 302, f"staff at 127.0.0.2 locked out too: {staff.status}")
    return "127.0.0.1 locked out; forged X-Forwarded-For still locked; 127.0.0.2 logs in"


# --- Load with and without slow clients --------------------------------------------------------


@dataclass
class Load:
    latencies: list
    failures: list

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")

    def summary(self) -> str:
        return (
            f"{len(self.latencies)} ok, {len(self.failures)} failed; p50 "
            f"{self.percentile(0.5) * 1000:.1f} ms, p99 {self.percentile(0.99) * 1000:.1f} ms, "
            f"max {max(self.latencies, default=0) * 1000:.1f} ms"
        )


def ordinary_load(site: Site, requests: int, concurrency=10, per_connection=20) -> Load:
    """GETs of the treatment page, `concurrency` at a time, a new connection every few requests.

    Like visitors' browsers: each keeps its connection for a while, and new ones keep arriving.
    """
    local = threading.local()

    def one(n):
        started = time.perf_counter()
        try:
            if n % per_connection == 0 or getattr(local, "connection", None) is None:
                if getattr(local, "connection", None):
                    local.connection.close()
                local.connection = http.client.HTTPConnection(SITE, timeout=15)
                local.connection.sock = site.connect("https", timeout=15)
            local.connection.request(
                "GET", TREATMENT, headers={"Host": SITE, "Accept-Encoding": "gzip"}
            )
            response = local.connection.getresponse()
            response.read()
            if response.status != 200:
                return None, f"status {response.status}"
        except (OSError, http.client.HTTPException) as error:
            local.connection = None
            return None, repr(error)
        return time.perf_counter() - started, None

    latencies, failures = [], []
    with ThreadPoolExecutor(concurrency) as pool:
        for latency, failure in pool.map(one, range(requests)):
            (failures.append(failure) if failure else latencies.append(latency))
    return Load(latencies, failures)


class SlowClients:
    """Connections that trickle their request head, or their body, one byte a second.

    A "head" client sends a request whose headers never end; a "body" client sends a complete
    head announcing a 100 KB body and trickles the body. A connection that nginx cuts is opened
    again at once (unless `reconnect` is off), so the count stays up. Clients start spread over
    `ramp` seconds, from the given source addresses in turn, and stop when told or `lifetime`
    seconds after the start.
    """

    def __init__(self, site, kinds, sources, lifetime=55.0, ramp=2.0, reconnect=True):
        self.site, self.kinds, self.sources = site, kinds, sources
        self.lifetime, self.ramp, self.reconnect = lifetime, ramp, reconnect
        self.open = self.opened = self.cut = self.failed_to_open = 0
        self.head_lifetimes: list[float] = []  # of head connections that nginx cut
        self.answers: list[bytes] = []  # status lines nginx sent to a slow client
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    def __enter__(self):
        self.started = time.monotonic()
        self._thread.start()
        deadline = self.started + self.ramp + 20
        while self.opened < len(self.kinds) and time.monotonic() < deadline:
            time.sleep(0.1)
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=self.lifetime + 10)

    @contextlib.contextmanager
    def sample_open(self):
        """How many slow connections were open, sampled every 50 ms during the block."""
        samples, done = [], threading.Event()

        def sample():
            while not done.wait(0.05):
                samples.append(self.open)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            yield samples
        finally:
            done.set()
            sampler.join()

    async def _main(self):
        stop_at = time.monotonic() + self.lifetime
        count = len(self.kinds)
        await asyncio.gather(
            *(
                self._client(
                    kind, self.sources[n % len(self.sources)], n * self.ramp / count, stop_at
                )
                for n, kind in enumerate(self.kinds)
            )
        )

    def _stopping(self, stop_at) -> bool:
        return self._stop.is_set() or time.monotonic() >= stop_at

    async def _client(self, kind: str, source: str, delay: float, stop_at: float):
        await asyncio.sleep(delay)
        if kind == "head":
            head = f"GET {TREATMENT} HTTP/1.1\r\nHost: {SITE}\r\nX-Slow: ".encode()
        else:
            head = (
                f"POST /consultation/ HTTP/1.1\r\nHost: {SITE}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                "Content-Length: 100000\r\n\r\n"
            ).encode()
        while not self._stopping(stop_at):
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(
                        "127.0.0.1",
                        self.site.ports["https"],
                        ssl=self.site.tls,
                        server_hostname=SITE,
                        local_addr=(source, 0),
                    ),
                    timeout=10,
                )
            except (OSError, TimeoutError, ssl.SSLError):
                self.failed_to_open += 1
                await asyncio.sleep(1)
                continue
            self.open += 1
            self.opened += 1
            opened_at = time.monotonic()
            answer = asyncio.ensure_future(reader.read(200))
            # A head that never ends goes out a byte at a time from its first byte; a body
            # after its complete head.
            if kind == "head":
                pending = iter(head + b"a" * int(self.lifetime) * 2)
            else:
                writer.write(head)
                pending = iter(b"a" * int(self.lifetime) * 2)
            try:
                while not self._stopping(stop_at):
                    writer.write(bytes([next(pending)]))
                    await writer.drain()
                    done, _ = await asyncio.wait({answer}, timeout=1)
                    if done:
                        if not answer.exception() and answer.result():
                            self.answers.append(answer.result().split(b"\r\n", 1)[0])
                        raise ConnectionAbortedError
            except (OSError, ssl.SSLError):
                self.cut += 1
                if kind == "head":
                    self.head_lifetimes.append(time.monotonic() - opened_at)
            finally:
                self.open -= 1
                if answer.done() and not answer.cancelled():
                    answer.exception()  # a reset connection is what we expect; no warning
                answer.cancel()
                writer.close()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(writer.wait_closed(), 2)
            if not self.reconnect:
                return


def check_slow_clients(ctx) -> str:
    requests, count = ctx.args.requests, ctx.args.slow
    ordinary_load(ctx.site, 50)  # warm the page cache and the workers
    before = ordinary_load(ctx.site, requests)
    posts_seen = ctx.gunicorn_log.read_text().count("POST /consultation/")
    # Attackers from 20 addresses, each under nginx's per-address connection limit.
    sources = [f"127.0.0.{n}" for n in range(10, 30)]
    with SlowClients(ctx.site, ["head", "body"] * (count // 2), sources) as slow:
        expect(slow.open >= count * 0.95, f"only {slow.open} slow connections opened")
        time.sleep(3)  # every slow client is mid-trickle
        with slow.sample_open() as samples:
            during = ordinary_load(ctx.site, requests)
        # Long enough for nginx to have cut every head that started trickling.
        time.sleep(max(0.0, slow.started + slow.ramp + HEADER_TIMEOUT + 2 - time.monotonic()))
    expect(
        ctx.gunicorn_log.read_text().count("POST /consultation/") == posts_seen,
        "a trickled body reached gunicorn",
    )
    held = f"{min(samples)}-{max(samples)} (median {statistics.median(samples):.0f})"
    longest = max(slow.head_lifetimes, default=0)
    ctx.measurements.append(f"without slow clients: {before.summary()}")
    ctx.measurements.append(
        f"with {count} slow clients ({held} open through the load; heads cut by nginx after "
        f"at most {longest:.1f} s, {slow.opened} connections opened in all): {during.summary()}"
    )
    for load in (before, during):
        expect(not load.failures, f"failed requests: {load.failures[:5]}")
        expect(load.percentile(0.99) < 1.0, f"p99 {load.percentile(0.99):.3f} s")
    expect(statistics.median(samples) >= count * 0.9, f"slow connections open: {held}")
    expect(len(slow.head_lifetimes) >= count // 2, "nginx did not cut the trickled heads")
    expect(longest <= HEADER_TIMEOUT + 2, f"a trickled head lived {longest:.1f} s")
    return (
        f"{requests} requests all 200 with {held} slow connections open: "
        f"p99 {during.percentile(0.99) * 1000:.1f} ms (without: "
        f"{before.percentile(0.99) * 1000:.1f} ms); trickled heads cut within {longest:.1f} s"
    )


def check_per_address_limit(ctx) -> str:
    """One address cannot hold more than `limit_conn` requests (trickled bodies) at once."""
    limit = int(re.search(r"limit_conn clinic_per_client (\d+);", ctx.site_conf).group(1))
    kinds = ["body"] * (limit + 10)
    with SlowClients(ctx.site, kinds, ["127.0.0.3"], ramp=1.0, reconnect=False) as slow:
        time.sleep(2)
        refused = [line for line in slow.answers if b" 429 " in line + b" "]
        open_now = slow.open
    expect(len(refused) >= 10, f"{len(refused)} refused, {open_now} open")
    expect(open_now <= limit, f"{open_now} open from one address (limit {limit})")
    return f"{limit + 10} trickled bodies from one address: {open_now} held, the rest 429"


def check_systemd_units(ctx) -> str:
    """systemd-analyze verify on the shipped units (paths pointed at this checkout)."""
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        return "SKIPPED: systemd-analyze is not installed here"
    units = ctx.work / "systemd"
    units.mkdir()
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        (units / unit.name).write_text(unit.read_text().replace("/srv/clinic", str(ROOT)))
    timers = sorted(unit.name for unit in units.glob("*.timer"))
    instances = sorted(
        re.search(r"^Unit=(.+)$", (units / timer).read_text(), re.M).group(1) for timer in timers
    )
    env = {**os.environ, "SYSTEMD_UNIT_PATH": f"{units}:", "SYSTEMD_LOG_COLOR": "0"}
    verify = subprocess.run(
        [analyze, "verify", "clinic.service", *instances, *timers],
        cwd=units,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    expect(verify.returncode == 0 and not verify.stderr.strip(), verify.stderr or verify.stdout)
    exposure = []
    for unit in ("clinic.service", instances[0]):
        security = subprocess.run(
            [analyze, "security", "--offline=yes", "--no-pager", unit],
            cwd=units,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        level = re.search(r"Overall exposure level for \S+: ([\d.]+ \w+)", security.stdout)
        exposure.append(f"{unit.split('@')[0]} {level.group(1) if level else '?'}")
    return f"{len(timers) + 2} units verified; exposure {', '.join(exposure)}"


CHECKS = [
    ("systemd units pass systemd-analyze verify", check_systemd_units),
    ("HTTPS pages answer 200 with HSTS", check_https_pages),
    ("TLS: current versions and ciphers only", check_tls),
    ("HTTP redirects to HTTPS", check_http_redirects),
    ("/healthz answers over plain HTTP", check_healthz_over_http),
    ("other host names are turned away", check_unknown_hosts),
    ("HTML is gzip-compressed", check_gzip),
    ("static files: precompressed, far-future caching", check_static_files),
    ("media: renditions cached for good, originals a day", check_media),
    ("a 9 MB body is refused by nginx", check_body_limit),
    ("the request id is nginx's, never the client's", check_request_id),
    ("the rate limit sees the client's address", check_rate_limit_sees_the_client),
    ("the login lockout sees the client's address", check_lockout_sees_the_client),
    ("one address cannot hold many connections", check_per_address_limit),
    ("slow clients do not hold up patients", check_slow_clients),
]


# --- Setting up --------------------------------------------------------------------------------


@dataclass
class Context:
    args: argparse.Namespace
    work: Path
    ports: dict
    env: dict
    media_root: Path
    gunicorn_log: Path
    site_conf: str = ""
    site: Site = None
    measurements: list = field(default_factory=list)


def make_certificate(work: Path) -> None:
    run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-days", "2", "-subj", f"/CN={SITE}",
            "-addext", f"subjectAltName=DNS:{SITE}",
            "-keyout", str(work / "key.pem"), "-out", str(work / "cert.pem"),
        ]
    )  # fmt: skip


def site_environment(work: Path, ports: dict, media_root: Path) -> dict:
    """deploy/clinic.env.example as systemd passes it, with this machine's secrets and paths."""
    shipped = read_env_file(DEPLOY / "clinic.env.example")
    keep = {"PATH", "LANG", "LC_ALL", "HOME", "VIRTUAL_ENV", "TMPDIR"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    env.update(shipped)
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        MEDIA_ROOT=str(media_root),
        GUNICORN_BIND=f"127.0.0.1:{ports['gunicorn']}",
        RELEASE="prod-check",
        # No mail leaves this machine.
        EMAIL_HOST="",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    env.pop("REDIS_URL", None)  # the database cache, as on a single server
    return env


def prepare_site(env: dict, log: Path) -> None:
    python = sys.executable
    steps = [
        [python, "manage.py", "migrate", "--noinput"],
        [python, "manage.py", "load_demo_content"],
        [python, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        [python, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        # What clinic.service pulls in after each (re)start.
        [python, "manage.py", "warm_page_cache"],
        [python, "manage.py", "createsuperuser", "--noinput", "--username", STAFF_USER,
         "--email", "prod-check@example.org"],
    ]  # fmt: skip
    with open(log, "a") as out:
        for step in steps:
            out.write(run(step, env={**env, "DJANGO_SUPERUSER_PASSWORD": STAFF_PASSWORD}))


def check_config(nginx: str, work: Path) -> None:
    result = subprocess.run(
        [nginx, "-t", "-q", "-e", str(work / "nginx-error.log"), "-c", str(work / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if result.returncode:
        raise RuntimeError(f"nginx -t refused the configuration:\n{result.stderr}")


def run_checks(args) -> int:
    nginx = nginx_binary()
    work = Path(tempfile.mkdtemp(prefix="clinic-prod-check-"))
    ports = {"http": free_port(), "https": free_port(), "gunicorn": free_port()}
    media_root = work / "media"
    for folder in (media_root, work / "acme", work / "tmp"):
        folder.mkdir()
    env = site_environment(work, ports, media_root)
    ctx = Context(args, work, ports, env, media_root, work / "gunicorn.log")
    processes = Processes()
    version = subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr.strip()
    mdwe = memory_deny_write_execute_available()
    hardening = "NoNewPrivileges" + (" and MemoryDenyWriteExecute" if mdwe else "")
    print(f"== prod-check: {version} in front of gunicorn, SQLite, in {work}", flush=True)
    print(f"   gunicorn runs under {hardening}, as clinic.service would", flush=True)
    results, finished = [], False
    try:
        started = time.monotonic()
        make_certificate(work)
        prepare_site(env, work / "manage.log")
        ctx.site_conf = site_config(work, ports, media_root)
        (work / "clinic.conf").write_text(ctx.site_conf)
        (work / "nginx.conf").write_text(main_config(work))
        check_config(nginx, work)
        gunicorn = processes.start(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
             "clinic_site.wsgi"],
            ctx.gunicorn_log, before=as_the_systemd_unit_would(mdwe=mdwe), cwd=ROOT, env=env,
        )  # fmt: skip
        wait_for_port(ports["gunicorn"], gunicorn, ctx.gunicorn_log)
        nginx_process = processes.start(
            [nginx, "-e", str(work / "nginx-error.log"), "-c", str(work / "nginx.conf"),
             "-g", "daemon off;"],
            work / "nginx-error.log",
        )  # fmt: skip
        wait_for_port(ports["https"], nginx_process, work / "nginx-error.log")
        ctx.site = Site(ports, work / "cert.pem")
        print(f"   set up in {time.monotonic() - started:.0f} s", flush=True)
        for name, check in CHECKS:
            if args.only and args.only not in check.__name__:
                continue
            began = time.monotonic()
            try:
                detail = check(ctx)
                results.append(True)
                print(f"ok    {name}: {detail} ({time.monotonic() - began:.1f} s)", flush=True)
            except (CheckFailed, OSError, http.client.HTTPException) as error:
                results.append(False)
                print(f"FAIL  {name}: {error!r}", flush=True)
        for line in ctx.measurements:
            print(f"   {line}")
        if args.hold:
            print(
                f"   serving for {args.hold} s: curl --resolve {SITE}:{ports['https']}:127.0.0.1 "
                f"--cacert {work}/cert.pem https://{SITE}:{ports['https']}/",
                flush=True,
            )
            time.sleep(args.hold)
        finished = True
    finally:
        processes.close()
        if args.keep or not finished or not all(results):
            print(f"   logs and configuration kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if results and all(results) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="ordinary requests per load")
    parser.add_argument("--slow", type=int, default=200, help="slow connections")
    parser.add_argument("--only", default="", help="run the checks whose name contains this")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument(
        "--hold", type=int, default=0, help="keep serving this many seconds after the checks"
    )
    args = parser.parse_args()
    # SIGTERM (CI stopping) takes the same way out as Ctrl-C: processes are stopped first.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return run_checks(args)


if __name__ == "__main__":
    sys.exit(main())
