"""CouncilFlow's production server settings: `gunicorn -c councilflow/gunicorn.conf.py
councilflow.wsgi` (each can be changed by environment, named below).

Slow clients cannot stall everyone. With gunicorn's default sync workers a worker reads a
request's body itself, so two clients sending a body slowly hold both workers and every other
request waits. Here each worker runs a pool of threads (the gthread worker): a slow client holds
one thread while the others serve everyone else, and a worker's main loop keeps accepting
connections, parking idle keep-alive ones without a thread. bench/slow_clients.py measures it
(bench/slow_clients.md). A client that opens more slow requests than there are threads in all
workers can still fill them: put the app behind a proxy or load balancer that buffers whole
requests before passing them on (nginx does by default) when the app is reachable from outside
the council's network.

Threads also suit the work: most of a request's time is spent waiting for PostgreSQL, not
computing. Each thread keeps its own database connection (DATABASE_CONN_MAX_AGE), so an app
server opens up to workers × threads connections: size max_connections (or PgBouncer) for it."""

import multiprocessing
import os

from gunicorn.http import wsgi

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 8))
# A worker whose main loop is silent this long is restarted (its threads may still be reading
# slow bodies: that does not silence the loop).
timeout = 30
graceful_timeout = 30
# Idle keep-alive connections from the load balancer are held by the main loop, not a thread.
keepalive = 5
# Restart each worker now and then, so that slow growth of memory never adds up.
max_requests = 5000
max_requests_jitter = 500
# The heartbeat file in memory: a busy disk cannot make a healthy worker look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Request line and headers: gunicorn's own limits, stated.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Proxies trusted to say the request came over HTTPS (X-Forwarded-Proto): the load balancer.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to stderr, one JSON object a line like the app's own (councilflow/settings.py), the
# access log carrying the request id the app sent back.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "request_id": "%({x-request-id}o)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": "%(s)s", "bytes": "%(B)s", '
    '"duration_ms": "%(M)s", "client": "%({x-forwarded-for}i)s"}'
)


def _without_server_header(default_headers):
    """gunicorn always sends `Server: gunicorn`; the server's name is not advertised."""

    def headers(response):
        return [line for line in default_headers(response) if not line.startswith("Server:")]

    return headers


wsgi.Response.default_headers = _without_server_header(wsgi.Response.default_headers)
