"""Slow clients against the production server settings, on loopback, bounded in time.

    .venv/bin/python bench/slow_clients.py [--slow 4] [--seconds 15] [--database-url URL]
                                           [--write bench/slow_clients.md]

Starts CouncilFlow under gunicorn twice on 127.0.0.1 (never another address): first as it was
run before (gunicorn's default sync workers, 2 of them), then with councilflow/gunicorn.conf.py
(gthread: 2 workers × 8 threads), then, if nginx is installed, with nginx in front of that,
buffering whole requests as a proxy or load balancer in front of the app servers would. Against
each, one signed-in member of staff keeps asking for
pages one after another (My cases, then /health/, alternately, each on a new connection) while:

1. nobody else is connected (the baseline);
2. `--slow` clients each load the sign-in page, then send its form one byte every 0.25 s for
   `--seconds` seconds, then hang up (a slow mobile connection, or someone doing it on
   purpose);
3. for the threaded server (and nginx), 4× and 8× as many slow clients, to show where the
   threads' limit is.

For each phase it prints the pages answered, their median, 95th percentile and slowest
response times, and how many did not answer within 60 s. Everything stops by itself: each
phase lasts `--seconds` (5 s for the baseline), each request waits at most 60 s.

Without --database-url it uses a throwaway SQLite file, migrated here (about 20 s).
"""

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.load import bench_env

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
USERNAME, PASSWORD = "slowbench", "slow-bench-password-not-secret"
REQUEST_TIMEOUT = 60
BYTE_EVERY = 0.25  # seconds between a slow client's bytes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def app_env(database_url: str) -> dict:
    """bench/load.py's environment (bench.settings: the app's settings over plain HTTP on
    loopback, DEBUG off), logging JSON as in production."""
    return {**bench_env(database_url), "LOG_FORMAT": "json"}


def prepare(database_url: str) -> None:
    env = app_env(database_url)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    code = (
        "from django.contrib.auth.models import Group, User;"
        f"u, _ = User.objects.get_or_create(username='{USERNAME}');"
        f"u.set_password('{PASSWORD}'); u.save();"
        "u.groups.add(Group.objects.get(name='Front office'))"
    )
    subprocess.run([*manage, "shell", "-c", code], cwd=ROOT, env=env, check=True)


# --- the servers ---------------------------------------------------------------------------

SERVERS = {
    "sync": (
        "gunicorn's default sync workers (2), as run before",
        lambda port: ["councilflow.wsgi", "--workers", "2", "--bind", f"{HOST}:{port}"],
        {},
    ),
    "gthread": (
        "councilflow/gunicorn.conf.py: gthread, 2 workers × 8 threads",
        lambda port: ["-c", "councilflow/gunicorn.conf.py", "councilflow.wsgi"],
        {"GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "8"},
    ),
    "nginx": (
        "nginx (buffering whole requests) in front of the gthread server above",
        None,
        {},
    ),
}


NGINX = "/usr/sbin/nginx"
NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    server_tokens off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    # A request reaches the app only once nginx has all of it (proxy_request_buffering is on
    # by default); a client that stops sending for 10 s is dropped.
    client_header_timeout 10s;
    client_body_timeout 10s;
    client_max_body_size 5m;
    upstream app {{ server 127.0.0.1:{app_port}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_request_buffering on;
        }}
    }}
}}
"""


class Proxied:
    """nginx in front of the threaded server: what bench measures as "nginx + gthread"."""

    def __init__(self, app: subprocess.Popen, nginx: subprocess.Popen, scratch: str):
        self.app, self.nginx, self.scratch = app, nginx, scratch

    def terminate(self):
        self.nginx.terminate()
        self.app.terminate()

    def wait(self, timeout=None):
        self.nginx.wait(timeout=timeout)
        shutil.rmtree(self.scratch, ignore_errors=True)
        return self.app.wait(timeout=timeout)

    def kill(self):
        self.nginx.kill()
        self.app.kill()


def start_proxied(port: int, database_url: str):
    app_port = free_port()
    app = start("gthread", app_port, database_url, extra={"TRUSTED_PROXY_COUNT": "1"})
    scratch = tempfile.mkdtemp(prefix="slowbench-nginx-")
    os.chmod(scratch, 0o777)  # nginx's workers run as an unprivileged user
    config = Path(scratch) / "nginx.conf"
    config.write_text(NGINX_CONF.format(dir=scratch, port=port, app_port=app_port))
    nginx = subprocess.Popen(
        [NGINX, "-c", str(config), "-p", scratch],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for(port, nginx, "nginx")
    return Proxied(app, nginx, scratch)


def wait_for(port: int, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            time.sleep(1)  # every worker up
            return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{name} did not start")


def start(kind: str, port: int, database_url: str, extra: dict | None = None):
    if kind == "nginx":
        return start_proxied(port, database_url)
    _, arguments, settings = SERVERS[kind]
    extra = {**settings, **(extra or {})}
    env = {**app_env(database_url), **extra, "GUNICORN_BIND": f"{HOST}:{port}"}
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), *arguments(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for(port, process, f"gunicorn ({kind})")
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- the member of staff -------------------------------------------------------------------


class Browser:
    """A signed-in person: cookies, one new connection per page."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str = "") -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}/sign-in/"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, content

    def sign_in(self) -> None:
        _, page = self.request("GET", "/sign-in/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = f"csrfmiddlewaretoken={token.decode()}&username={USERNAME}&password={PASSWORD}"
        status, _ = self.request("POST", "/sign-in/", body)
        if status != 302 or self.request("GET", "/cases/mine/")[0] != 200:
            raise RuntimeError("could not sign in")


@dataclass
class Phase:
    name: str
    slow_clients: int
    seconds: float
    times: list[float] = field(default_factory=list)
    failures: int = 0

    def summary(self) -> dict:
        times = sorted(self.times)
        if not times:
            return {"answered": 0, "failures": self.failures}
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        return {
            "answered": len(times),
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": p95 * 1000,
            "max_ms": times[-1] * 1000,
            "failures": self.failures,
        }


def slow_client(port: int, until: float, stop_event: threading.Event) -> None:
    """A browser on a very slow line sending the sign-in form: it has loaded the page (so it
    has the CSRF cookie and token, and the app reads its body), then sends the form a byte at
    a time. (Without the cookie, Django refuses the POST before reading the body at all.)"""
    try:
        browser = Browser(port)
        _, page = browser.request("GET", "/sign-in/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        sock = socket.create_connection((HOST, port), timeout=REQUEST_TIMEOUT)
    except (OSError, AttributeError):
        return
    with sock:
        body = b"csrfmiddlewaretoken=" + token + b"&username=someone&password="
        length = len(body) + int((until - time.monotonic()) / BYTE_EVERY) + 100
        cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        try:
            sock.sendall(
                b"POST /sign-in/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                + f"Cookie: {cookies}\r\nContent-Length: {length}\r\n\r\n".encode()
            )
            for byte in body:
                if time.monotonic() >= until or stop_event.is_set():
                    return
                sock.sendall(bytes([byte]))
                time.sleep(BYTE_EVERY)
            while time.monotonic() < until and not stop_event.is_set():
                sock.sendall(b"x")
                time.sleep(BYTE_EVERY)
        except OSError:
            pass  # the server gave up on it: fine


def run_phase(browser: Browser, phase: Phase) -> None:
    stop_event = threading.Event()
    until = time.monotonic() + phase.seconds
    clients = [
        threading.Thread(target=slow_client, args=(browser.port, until, stop_event))
        for _ in range(phase.slow_clients)
    ]
    for client in clients:
        client.start()
    time.sleep(0.5 if clients else 0)  # the slow clients are connected and sending
    pages = ["/cases/mine/", "/health/"]
    n = 0
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            status, _ = browser.request("GET", pages[n % 2])
            if status == 200:
                phase.times.append(time.monotonic() - started)
            else:
                phase.failures += 1
        except OSError:
            phase.failures += 1
        n += 1
    stop_event.set()
    for client in clients:
        client.join()
    time.sleep(1)  # let the server settle before the next phase


def measure(kind: str, database_url: str, slow: int, seconds: float) -> list[Phase]:
    port = free_port()
    process = start(kind, port, database_url)
    try:
        browser = Browser(port)
        browser.sign_in()
        phases = [Phase("no slow clients", 0, 5), Phase(f"{slow} slow uploads", slow, seconds)]
        if kind in ("gthread", "nginx"):
            phases += [
                Phase(f"{4 * slow} slow uploads", 4 * slow, seconds),
                Phase(f"{8 * slow} slow uploads", 8 * slow, seconds),
            ]
        for phase in phases:
            print(f"  {kind}: {phase.name} for {phase.seconds:.0f} s...", flush=True)
            run_phase(browser, phase)
        return phases
    finally:
        stop(process)


def table(results: dict[str, list[Phase]]) -> str:
    lines = [
        "| server | phase | pages answered | median | 95th percentile | slowest | not answered |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, phases in results.items():
        for phase in phases:
            s = phase.summary()
            if not s["answered"]:
                lines.append(f"| {kind} | {phase.name} | 0 | | | | {s['failures']} |")
                continue
            lines.append(
                f"| {kind} | {phase.name} | {s['answered']} | {s['median_ms']:.1f} ms | "
                f"{s['p95_ms']:.1f} ms | {s['max_ms']:.0f} ms | {s['failures']} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=4, help="slow clients (default 4)")
    parser.add_argument("--seconds", type=float, default=15, help="length of each slow phase")
    parser.add_argument("--database-url", help="default: a throwaway SQLite file")
    parser.add_argument("--write", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    if not 1 <= args.slow <= 64 or not 1 <= args.seconds <= 120:
        parser.error("--slow must be 1..64 and --seconds 1..120 (a bounded benchmark)")

    with tempfile.TemporaryDirectory() as scratch:
        database_url = args.database_url or f"sqlite:///{scratch}/slow.sqlite3"
        print("Preparing the database...", flush=True)
        prepare(database_url)
        kinds = [kind for kind in SERVERS if kind != "nginx" or os.path.exists(NGINX)]
        if "nginx" not in kinds:
            print(f"{NGINX} is not installed (apt-get install nginx): leaving it out.")
        results = {kind: measure(kind, database_url, args.slow, args.seconds) for kind in kinds}
    report = table(results)
    print()
    print(report)
    if args.write:
        command = "bench/slow_clients.py " + " ".join(sys.argv[1:])
        args.write.write_text(
            "# Slow clients: figures\n\n"
            f"`{command.strip()}` on {time.strftime('%d %B %Y')}, "
            f"{os.cpu_count()} cores, database "
            f"{'PostgreSQL' if args.database_url else 'SQLite'}.\n\n"
            + "\n".join(f"- **{kind}**: {SERVERS[kind][0]}" for kind in results)
            + "\n\n"
            + report
            + "\n"
        )


if __name__ == "__main__":
    main()
