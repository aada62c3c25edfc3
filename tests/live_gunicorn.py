"""The site under gunicorn in a subprocess; TCP proxies that make its database or Redis vanish."""

import http.client
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
# The subprocess gets its configuration from us only, never from the test run's environment.
INHERITED_ONLY_IF_SAFE = {
    "DEBUG",
    "SECRET_KEY",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_KEY_PREFIX",
    "PAGE_CACHE",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_answers(host="127.0.0.1", port=6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def subprocess_env(**overrides) -> dict:
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if k not in INHERITED_ONLY_IF_SAFE}
    env.update(
        DJANGO_SETTINGS_MODULE="clinic_site.test_settings",
        # The test's own key, so form tokens it signs are valid on the servers.
        SECRET_KEY=settings.SECRET_KEY,
        # testserver: SITE_URL in the test settings, which page-cache warming asks for.
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        PAGE_CACHE="1",
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def manage(*args, **env) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=180,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def prepare_sqlite_database(path: Path) -> None:
    """A migrated SQLite file (the cache table included) with the demo content."""
    url = f"sqlite:///{path}"
    manage("migrate", "--noinput", DATABASE_URL=url)
    manage("load_demo_content", DATABASE_URL=url)


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes
    cookies: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def fetch(url, method="GET", body=None, headers=None, cookies=None, timeout=10) -> Reply:
    """One HTTP request with http.client (redirects are returned, not followed)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    headers = dict(headers or {})
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if isinstance(body, dict | list):
        body = urlencode(body, doseq=True).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body, headers)
        response = conn.getresponse()
        data = response.read()
        jar = SimpleCookie()
        for value in response.headers.get_all("Set-Cookie") or []:
            jar.load(value)
        return Reply(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            data,
            {k: morsel.value for k, morsel in jar.items()},
        )
    finally:
        conn.close()


class Session:
    """A cookie-keeping client for one server, like one browser."""

    def __init__(self, base_url, forwarded_for=None):
        self.base_url = base_url
        self.cookies = {}
        self.headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}

    def request(self, path, method="GET", body=None, headers=None) -> Reply:
        reply = fetch(
            self.base_url + path,
            method,
            body,
            {**self.headers, **(headers or {})},
            self.cookies,
        )
        self.cookies.update(reply.cookies)
        return reply

    def get(self, path, **kwargs) -> Reply:
        return self.request(path, **kwargs)

    def post(self, path, data, **kwargs) -> Reply:
        headers = {"Referer": self.base_url + path, **kwargs.pop("headers", {})}
        return self.request(path, "POST", data, headers=headers, **kwargs)


class FormReader(HTMLParser):
    """The fields a browser would send for one <form> (by id), as (name, value) pairs."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self._select = self._textarea = None
        self._options, self._multiple = [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            elif kind not in {"submit", "button", "file", "image", "reset"}:
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select, self._options = name, []
            self._multiple = "multiple" in attrs
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea:
            name, text = self._textarea
            # Browsers drop the newline that Django writes right after <textarea>.
            self.fields.append((name, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected]
            if not self._multiple:
                chosen = chosen[:1] or [self._options[0][0] if self._options else ""]
            self.fields.extend((self._select, value) for value in chosen)
            self._select = None


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    reader = FormReader(form_id)
    reader.feed(html)
    return reader.fields


def patient_form(session, office_slug="encino", **overrides) -> dict:
    """The consultation form filled in as a patient would, from the page this server shows."""
    from tests.factories import valid_form_data

    page = session.get(f"/consultation/?office={office_slug}")
    shown = dict(form_fields(page.text, "consultation-form"))
    data = valid_form_data(SimpleNamespace(pk=shown["office"]), **overrides)
    data["csrfmiddlewaretoken"] = shown["csrfmiddlewaretoken"]
    return data


class Gunicorn:
    """gunicorn.conf.py serving the site on a free port, its output kept in a log file."""

    def __init__(self, log_path: Path, workers=2, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_path)
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py", "clinic_site.wsgi"],
            cwd=ROOT,
            env=subprocess_env(
                GUNICORN_BIND=f"127.0.0.1:{self.port}", GUNICORN_WORKERS=workers, **env
            ),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            self.wait_until_serving()
        except Exception:
            self.stop()
            raise

    def wait_until_serving(self, timeout=60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log_text()}")
            try:
                fetch(self.url + "/robots.txt", timeout=2)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.log_text()}")

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text, timeout=5) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log_text():
                return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()


class TcpProxy:
    """Forwards a local port to a real server; down() refuses and cuts connections, up() resumes."""

    def __init__(self, target_port: int, target_host="127.0.0.1"):
        self.port = free_port()
        self.target = (target_host, target_port)
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener = None
        self.up()

    @property
    def is_up(self) -> bool:
        return self._listener is not None

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            _close(listener)
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _close(sock)

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._sockets.update({client, upstream})
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src, dst) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with self._lock:
                    self._sockets.discard(sock)
                _close(sock)


def _close(sock) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class SwitchableSqlite:
    """A SQLite database reached through a symlinked folder: removing the link makes it vanish."""

    def __init__(self, template: Path, workdir: Path):
        self.real_dir = workdir / "data"
        self.real_dir.mkdir()
        shutil.copy(template, self.real_dir / "db.sqlite3")
        self.link = workdir / "current"
        self.link.symlink_to(self.real_dir)
        self.url = f"sqlite:///{self.link}/db.sqlite3"
        # A server must open the file for each request to notice that it has gone.
        self.env = {"DATABASE_URL": self.url, "DB_CONN_MAX_AGE": "0"}

    def down(self) -> None:
        self.link.unlink()

    def up(self) -> None:
        self.link.symlink_to(self.real_dir)

    def count_consultation_requests(self) -> int:
        with sqlite3.connect(self.real_dir / "db.sqlite3") as conn:
            return conn.execute("SELECT COUNT(*) FROM bookings_consultationrequest").fetchone()[0]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite database with the demo content, copied by each test that needs one."""
    path = tmp_path_factory.mktemp("site-db") / "db.sqlite3"
    prepare_sqlite_database(path)
    return path


@pytest.fixture
def start_gunicorn(tmp_path):
    """Start gunicorn servers for a test; all are stopped when it ends."""
    servers = []

    def start(**env):
        server = Gunicorn(tmp_path / f"gunicorn-{len(servers)}.log", **env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
