"""gunicorn settings for production (`make serve`, `make bench`); every value can be overridden."""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each handles one request at a time, so run them behind a buffering proxy
# (nginx, Caddy) that absorbs slow clients and large bodies.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A worker stuck this long (a slow client, a hung query) is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Load the app once in the master: workers fork ready to serve and share its memory pages.
preload_app = True
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = 1000
# Request line and header limits (gunicorn's defaults, stated): oversize requests get a 400.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# Django's RequestLogMiddleware writes one line per request with its request id; gunicorn's
# access log would repeat it with the client's address, so it is off unless asked for.
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG") == "1" else None
# The path only, never the query string: it can carry personal data.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'
errorlog = "-"
# No control socket: its one default path would clash between instances on one machine.
control_socket_disable = True


def pre_fork(server, worker):
    # Everything loaded at start-up lives as long as the worker: frozen, the garbage collector
    # stops walking it on every full collection, and its memory pages stay shared after fork.
    gc.freeze()
