"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py luoshi.wsgi`.

Read from the environment like the rest of luoshi; see docs/deploy.md.
"""

import os

# nginx in front terminates TLS and passes requests to this loopback address.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each request holds a database connection only while it runs. 2 × cores + 1.
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
worker_class = "sync"
# A 20 MB attachment over a slow office line, the consolidated report's export.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (memory held by large imports is given back).
max_requests = 2000
max_requests_jitter = 200
backlog = 2048
# Trust X-Forwarded-* only from nginx on this machine.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Request line and header limits (gunicorn's defaults, stated).
limit_request_line = 4094
limit_request_fields = 100


def child_exit(server, worker):
    """Prometheus in multiprocess mode (PROMETHEUS_MULTIPROC_DIR): forget a finished worker's
    live gauges; its counters stay counted."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
