"""Requests per second under gunicorn (2 workers, loopback), as ratios to a trivial view.

The trivial view (/bench/trivial/, bench/urls.py) is served by the same gunicorn in the same
run, logged in with the same session, through the same middleware: the ratio says how close a
page comes to the best this stack can do on this machine, whatever else the machine is doing.
The load comes from `wrk` when it is installed, else from Python threads (one connection per
request: gunicorn's sync workers close the connection after each response anyway).
"""

import contextlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONCURRENCY = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _wait_ready(port: int, cookie: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, _ = _get(port, "/bench/trivial/", cookie)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /bench/trivial/ in time")


def _get(port: int, path: str, cookie: str) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        conn.close()


def load_threads(port: int, path: str, cookie: str, seconds: float) -> dict:
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        ok = errors = 0
        while time.monotonic() < stop:
            try:
                status, _ = _get(port, path, cookie)
                ok += status == 200
                errors += status != 200
            except OSError:
                errors += 1
        with lock:
            counts["ok"] += ok
            counts["errors"] += errors

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    return {"rps": round(counts["ok"] / elapsed, 1), **counts, "tool": "threads"}


def load_wrk(port: int, path: str, cookie: str, seconds: float) -> dict:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONCURRENCY}",
            f"-d{max(1, round(seconds))}s",
            "-H",
            f"Cookie: {cookie}",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": round(rps, 1), "errors": int(errors.group(1)) if errors else 0, "tool": "wrk"}


@contextlib.contextmanager
def gunicorn(env: dict, cookie: str):
    """luoshi under gunicorn (2 sync workers, loopback, bench.settings with `env`'s database),
    ready once /bench/trivial/ answers `cookie`; yields the port, stops the server after."""
    port = free_port()
    env = dict(env, DJANGO_SETTINGS_MODULE="bench.settings", PYTHONPATH=str(ROOT))
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "luoshi.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_ready(port, cookie)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure_throughput(who, results: dict, seconds: float) -> dict:
    """rps of the trivial view, the report page and the first dashboard data endpoint."""
    from django.conf import settings  # noqa: F401 - settings are loaded by the caller
    from django.db import connections

    pages = results["pages"]
    reporter = session_cookie(who["reporter"])
    leader = session_cookie(who["leader"])
    targets = [
        ("trivial", "/bench/trivial/", reporter),
        ("report_page", pages["report_page"]["url"], reporter),
    ]
    dashboard = results.get("dashboard_data") or []
    if dashboard:
        targets.append(("dashboard_data", pages[dashboard[0]]["url"], leader))
    targets.append(("trivial_again", "/bench/trivial/", reporter))
    connections.close_all()
    load = load_wrk if shutil.which("wrk") else load_threads
    out = {"seconds": seconds, "concurrency": CONCURRENCY, "workers": 2}
    with gunicorn(dict(os.environ), reporter) as port:
        for name, path, cookie in targets:
            for _ in range(3):  # warm both workers
                _get(port, path, cookie)
            out[name] = {"url": path, **load(port, path, cookie, seconds)}
    trivial = (out["trivial"]["rps"] + out["trivial_again"]["rps"]) / 2
    out["trivial_rps"] = round(trivial, 1)
    out["ratio"] = {
        "report_page": round(out["report_page"]["rps"] / trivial, 3) if trivial else None,
        "dashboard_data": (
            round(out["dashboard_data"]["rps"] / trivial, 3)
            if "dashboard_data" in out and trivial
            else None
        ),
    }
    if not dashboard:
        out["dashboard_missing"] = "no JSON endpoint in luoshi.insights at run time"
    return out
