"""luoshi beside Redmine, the general-purpose tracker a city office could pick instead.

    .venv/bin/python -m bench.peer [--quick] [--rounds N] [--seconds N] [--keep]

Redmine 5.0 (Debian's, SQLite, puma 2 workers × 4 threads) is installed, started and seeded
with the seed plan's volume by `../shared/peer/redmine-peer.sh` (root, apt-get; idempotent:
minutes the first time) and loaded by `../shared/peer/peer-bench.sh` (wrk, three pages).
luoshi gets the same volume: the demo (the seed plan, 77 measures, its 32 departments, twelve
months of reports written through the reporting services) in a fresh database (PostgreSQL,
luoshi_bench_peer, when reachable, else SQLite), served by gunicorn with 2 workers and
persistent database connections (as docs/deploy.md deploys it), loaded with the same wrk
settings. Page for page:

- a department's measures (`plans:department`, as the coordinator, the department with the
  most measures) against the issue list of Redmine's busiest group;
- a measure's twelve periods of reports (`reporting:measure`) against an issue with its
  twelve notes;
- the trivial logged-in view (`/bench/trivial/`) against Redmine's /robots.txt.

The two sides are loaded alternately, `--rounds` times each, so that whatever else the machine
does weighs on both; the medians of the rounds are compared (luoshi ÷ Redmine). The first
request of each luoshi page after the server starts (nothing cached) is timed too. Without the
scripts, apt-get or root, it says why and measures nothing. The result goes to
bench/results/latest.json under peer.redmine (and is returned to bench/run.py).
"""

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
# CI clones the repository beside a copy of shared/; a developer's worktree sits beside it too.
PEER_DIR = Path(os.environ.get("LUOSHI_PEER_DIR", ROOT.parent / "shared" / "peer"))
DATABASE = "luoshi_bench_peer"
# luoshi's page ↔ Redmine's page (peer-bench.sh's names).
PAIRS = {"department": "issues", "measure": "issue", "trivial": "robots"}
WRK_THREADS, CONNECTIONS = 2, 8  # as peer-bench.sh
PERIODS = 12  # Redmine's measure has twelve notes: luoshi's page must show no fewer periods
TARGET = 5  # luoshi's department and measure pages ≥ 5 × Redmine's


def log(message: str) -> None:
    print(f"[peer] {message}", flush=True)


# --- Redmine ------------------------------------------------------------------------------


def redmine_missing() -> str | None:
    """Why Redmine cannot be measured here, or None."""
    for script in ("redmine-peer.sh", "peer-bench.sh"):
        if not (PEER_DIR / script).is_file():
            return f"{PEER_DIR / script} not found (set LUOSHI_PEER_DIR)"
    if shutil.which("apt-get") is None:
        return "apt-get missing: Redmine comes from Debian's packages"
    if os.geteuid() != 0:
        return "not root: redmine-peer.sh installs Debian's packages and runs Redmine as www-data"
    return None


def redmine_up() -> str | None:
    """Install, start and seed Redmine (idempotent); None when ready, else why not."""
    log(f"Redmine: {PEER_DIR / 'redmine-peer.sh'} (install + seed the first time: minutes)")
    done = subprocess.run(
        ["bash", str(PEER_DIR / "redmine-peer.sh")], capture_output=True, text=True
    )
    if done.returncode != 0:
        return "redmine-peer.sh failed: " + done.stderr.strip()[-500:]
    if shutil.which("wrk") is None:
        return "wrk missing after redmine-peer.sh"
    return None


def redmine_round(seconds: int, warmup: int, tmp: Path) -> dict:
    """One peer-bench.sh run: {page: {rps, p50_ms, p99_ms, errors}}."""
    out = tmp / "redmine.json"
    env = dict(
        os.environ,
        DURATION=f"{seconds}s",
        WARMUP=f"{warmup}s",
        CONCURRENCY=str(CONNECTIONS),
        WRK_THREADS=str(WRK_THREADS),
        BENCH_JSON=str(out),
    )
    subprocess.run(
        ["bash", str(PEER_DIR / "peer-bench.sh")],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.read_text(encoding="utf-8"))["pages"]


# --- luoshi -------------------------------------------------------------------------------


def prepare(out: Path) -> int:
    """(In the bench's Django process.) Migrate, load the demo, pick the pages; write their
    URLs, the coordinator's session cookie and what they show to `out`."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.urls import reverse

    from bench.throughput import session_cookie
    from luoshi.demo.services import load_demo
    from luoshi.orgs.models import Organization, User
    from luoshi.plans.models import Measure, Plan
    from luoshi.reporting import queries

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_demo(Path(tempfile.mkdtemp(prefix="luoshi-peer-")) / "credentials.txt")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    plan = Plan.objects.get()
    coordinator = User.objects.filter(role=User.Role.COORDINATOR).order_by("pk").first()
    department = (
        Organization.objects.filter(kind=Organization.Kind.DEPARTMENT)
        .annotate(n=Count("assignments"))
        .order_by("-n", "pk")
        .first()
    )
    # The plan's first measure whose departments reported in every one of twelve periods.
    measure = next(
        m
        for m in Measure.objects.filter(key_task__plan=plan).order_by("key_task__no", "no")
        if queries.measure_periods(m).count() >= PERIODS
    )
    result = {
        "db": connection.vendor,
        "data_s": round(time.perf_counter() - start, 1),
        "cookie": session_cookie(coordinator),
        "pages": {
            "department": reverse("plans:department", args=[department.pk]),
            "measure": reverse("reporting:measure", args=[measure.pk]),
            "trivial": "/bench/trivial/",
        },
        "department": department.name,
        "department_measures": department.n,
        "measure": measure.code,
        "measure_periods": queries.measure_periods(measure).count(),
        "measures": Measure.objects.count(),
        "departments": Organization.objects.filter(kind=Organization.Kind.DEPARTMENT).count(),
    }
    out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


def get(port: int, path: str, cookie: str) -> tuple[int, str, float]:
    """(status, body, ms) of one GET."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
    finally:
        conn.close()
    return response.status, body, (time.perf_counter() - start) * 1000


def check_pages(port: int, setup: dict) -> dict:
    """The first request of each page (cold: nothing cached in that worker), and what the
    pages hold: the department's measures listed, the measure's periods shown."""
    cold = {}
    for name, path in setup["pages"].items():
        status, body, ms = get(port, path, setup["cookie"])
        if status != 200:
            raise RuntimeError(f"luoshi {name}: HTTP {status} for {path}")
        cold[name] = round(ms, 1)
        if name == "department":
            rows = body.count('<td class="measure-text">')
            if rows != setup["department_measures"]:
                raise RuntimeError(f"department page lists {rows} measures")
        if name == "measure":
            shown = len(re.findall(r'<h2 class="h5 mt-4">', body))
            if shown < PERIODS:
                raise RuntimeError(f"measure page shows {shown} periods, fewer than {PERIODS}")
            setup["measure_periods_shown"] = shown
    return cold


def to_ms(text: str) -> float:
    """wrk's 850.00us / 12.34ms / 1.02s / 2.00m in ms."""
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit], 1)


def wrk(port: int, path: str, cookie: str, seconds: int, warmup: int) -> dict:
    """As peer-bench.sh loads a Redmine page: a warm-up, then the measured run."""
    base = ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", "-H", f"Cookie: {cookie}"]
    url = f"http://127.0.0.1:{port}{path}"
    subprocess.run([*base, f"-d{warmup}s", url], capture_output=True, check=True)
    out = subprocess.run(
        [*base, f"-d{seconds}s", "--latency", "--timeout", "10s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99_ms": to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
    }


# --- The run ------------------------------------------------------------------------------


def median_of(rounds: list[dict], page: str, key: str) -> float:
    return round(statistics.median(r[page][key] for r in rounds), 1)


def compare(luoshi: list[dict], redmine: list[dict]) -> dict:
    """Medians of the rounds, and luoshi's ÷ Redmine's."""
    figures = {}
    for ours, theirs in PAIRS.items():
        rps, peer_rps = median_of(luoshi, ours, "rps"), median_of(redmine, theirs, "rps")
        figures[ours] = {
            "redmine_page": theirs,
            "rps": rps,
            "redmine_rps": peer_rps,
            "ratio": round(rps / peer_rps, 2) if peer_rps else None,
            "p50_ms": median_of(luoshi, ours, "p50_ms"),
            "redmine_p50_ms": median_of(redmine, theirs, "p50_ms"),
        }
    return figures


def pg_reachable() -> bool:
    from bench.run import psql

    return shutil.which("psql") is not None and psql("SELECT 1")


def run(rounds: int = 3, seconds: int = 10, warmup: int = 3, keep: bool = False) -> dict:
    """The whole comparison; {"skipped": why} when Redmine cannot be had."""
    from bench.run import fresh_pg, pg_url, psql
    from bench.throughput import gunicorn

    started = time.perf_counter()
    why = redmine_missing() or redmine_up()
    if why:
        log(f"Redmine peer SKIPPED: {why}")
        return {"skipped": why}
    tmp = Path(tempfile.mkdtemp(prefix="luoshi-peer-"))
    pg = pg_reachable() and fresh_pg(DATABASE)
    url = pg_url(DATABASE) if pg else f"sqlite:///{tmp / 'peer.sqlite3'}"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=url,
        # Persistent connections, as docs/deploy.md deploys luoshi (Redmine keeps a pool too).
        DB_CONN_MAX_AGE="60",
        LUOSHI_VAR_DIR=str(tmp / "var"),
        PYTHONPATH=str(ROOT),
    )
    try:
        log(f"luoshi: the demo (seed plan, twelve months of reports) on {url.split(':')[0]}")
        setup_file = tmp / "setup.json"
        subprocess.run(
            [sys.executable, "-m", "bench.peer", "--prepare", str(setup_file)],
            cwd=ROOT,
            env=env,
            check=True,
        )
        setup = json.loads(setup_file.read_text(encoding="utf-8"))
        luoshi, redmine, loads = [], [], []
        with gunicorn(env, setup["cookie"]) as port:
            cold = check_pages(port, setup)
            for n in range(rounds):
                loads.append(os.getloadavg()[0])
                log(f"round {n + 1}/{rounds}: Redmine")
                redmine.append(redmine_round(seconds, warmup, tmp))
                log(f"round {n + 1}/{rounds}: luoshi")
                luoshi.append(
                    {
                        name: wrk(port, path, setup["cookie"], seconds, warmup)
                        for name, path in setup["pages"].items()
                    }
                )
    finally:
        if pg and not keep:
            psql(f"DROP DATABASE IF EXISTS {DATABASE}")
        shutil.rmtree(tmp, ignore_errors=True)
    pages = compare(luoshi, redmine)
    for name, first in cold.items():
        pages[name]["first_ms"] = first
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        "pages": pages,
        "ratio": {name: figures["ratio"] for name, figures in pages.items()},
        "targets": {
            name: {"min_ratio": TARGET, "met": (pages[name]["ratio"] or 0) >= TARGET}
            for name in ("department", "measure")
        },
        "rounds": rounds,
        "wrk": f"-t{WRK_THREADS} -c{CONNECTIONS} -d{seconds}s (warm-up {warmup}s)",
        "luoshi": {
            "db": setup["db"],
            "server": "gunicorn, 2 sync workers, DB_CONN_MAX_AGE=60",
            "data": {
                k: setup[k]
                for k in (
                    "measures",
                    "departments",
                    "department",
                    "department_measures",
                    "measure",
                    "measure_periods",
                    "measure_periods_shown",
                )
            },
            "data_s": setup["data_s"],
            "urls": setup["pages"],
        },
        "redmine": {"version": "5.0 (Debian 12)", "db": "sqlite", "server": "puma 2 × 4"},
        "each_round": {"luoshi": luoshi, "redmine": redmine},
        "load_average_1m": loads,
        "total_s": round(time.perf_counter() - started, 1),
    }
    return result


def table(peer: dict) -> str:
    if "skipped" in peer:
        return f"Redmine peer: skipped ({peer['skipped']})"
    lines = [
        f"luoshi ÷ Redmine, medians of {peer['rounds']} alternate rounds, wrk {peer['wrk']}:",
        f"  {'page':11} {'luoshi rps':>11} {'Redmine rps':>12} {'ratio':>6} {'first ms':>9}",
    ]
    for name, f in peer["pages"].items():
        lines.append(
            f"  {name:11} {f['rps']:>11} {f['redmine_rps']:>12} {f['ratio']:>6} {f['first_ms']:>9}"
        )
    lines.append(f"  ({peer['total_s']} s; load average {peer['load_average_1m']})")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter loads")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, help="seconds of load per page and round")
    parser.add_argument("--keep", action="store_true", help=f"keep the {DATABASE} database")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        return prepare(Path(args.prepare))
    sys.path.insert(0, str(ROOT))
    seconds = args.seconds or (5 if args.quick else 10)
    peer = run(max(3, args.rounds), seconds, 2 if args.quick else 3, args.keep)
    print(table(peer))
    latest_file = RESULTS / "latest.json"
    latest = json.loads(latest_file.read_text(encoding="utf-8")) if latest_file.exists() else {}
    latest.setdefault("peer", {})["redmine"] = peer
    latest_file.write_text(
        json.dumps(latest, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    print("written: bench/results/latest.json (peer.redmine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
