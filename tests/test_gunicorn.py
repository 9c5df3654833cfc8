"""The production server settings (councilflow/gunicorn.conf.py), run for real on loopback:
the server's name is not advertised, logs are JSON lines with the request id, and requests are
answered while slow clients are still sending their bodies (how much they cost is measured by
bench/slow_clients.py, not here)."""

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = f"sqlite:///{tmp_path_factory.mktemp('db') / 'empty.sqlite3'}"
    yield from _serve(tmp_path_factory, database)


@pytest.fixture(scope="module")
def server_without_database(tmp_path_factory):
    """The database cannot be reached (nothing listens on port 9 of loopback)."""
    yield from _serve(tmp_path_factory, "postgres://nobody@127.0.0.1:9/councilflow")


def _serve(tmp_path_factory, database_url: str):
    port = _free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "stderr.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_ALLOW_ASYNC")},
        "DEBUG": "false",
        "SECRET_KEY": "gunicorn-test-" + "k3y" * 20,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "4",
        "LOG_FORMAT": "json",
    }
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [str(GUNICORN), "-c", "councilflow/gunicorn.conf.py", "councilflow.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=stderr,
            stderr=stderr,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(log.read_text()) from None
                    time.sleep(0.1)
            yield port, log
        finally:
            process.terminate()
            process.wait(timeout=20)


def _get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_the_server_name_is_not_advertised(server):
    port, _ = server
    response = _get(port, "/health/")
    assert response.status == 200
    assert response.getheader("Server") is None
    assert "camera=()" in response.getheader("Permissions-Policy")


def test_the_access_log_is_json_with_the_request_id(server):
    port, log = server
    request_id = _get(port, "/health/").getheader("X-Request-ID")
    time.sleep(0.2)  # the access log line is written after the response
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "gunicorn.access"]
    assert any(line["request_id"] == request_id and line["path"] == "/health/" for line in access)


def test_a_server_error_with_debug_off_leaves_a_json_trace(server_without_database):
    """A 500 is logged by the server as a JSON line with its request id (the security review
    found a 500 with DEBUG off left no trace)."""
    port, log = server_without_database
    response = _get(port, "/health/")
    assert response.status == 500
    time.sleep(0.2)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    errors = [line for line in lines if line.get("level") == "ERROR"]
    assert any(
        line["logger"] == "django.request"
        and line["request_id"] == response.getheader("X-Request-ID")
        and "/health/" in line["message"]
        for line in errors
    ), lines


def test_requests_are_answered_while_slow_clients_are_still_sending(server):
    """Three clients send a sign-in form a byte at a time; the health check is answered before
    any of them has finished (with sync workers it would wait for them)."""
    port, _ = server
    finished = []
    stop = threading.Event()

    def slow_upload():
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(
                b"POST /sign-in/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
            )
            for _ in range(100):
                if stop.wait(0.1):
                    return
                sock.sendall(b"x")
            finished.append(True)

    uploads = [threading.Thread(target=slow_upload) for _ in range(3)]
    for upload in uploads:
        upload.start()
    time.sleep(0.5)  # all three are in the middle of their bodies
    try:
        response = _get(port, "/health/")
        assert response.status == 200
        assert finished == []
    finally:
        stop.set()
        for upload in uploads:
            upload.join()
