"""`make bench`: luoshi's figures at city and province scale, in one run.

    .venv/bin/python -m bench.run [--quick] [--keep] [--seconds N] [--no-province]
                                  [--no-cascade | --only-cascade]

1. city on SQLite (a file in a temp dir): data, page times and query counts, imports;
2. city on PostgreSQL (database luoshi_bench_city): the same, plus documents and throughput;
3. province slice on PostgreSQL (luoshi_bench_province): the same but imports;
4. two app hosts behind nginx on PostgreSQL + Redis, one killed mid-spike (bench/cluster.py),
   when nginx and Redis are on the machine (it says so when not);
5. luoshi beside Redmine, page for page, loaded alternately (bench/peer.py), when the peer's
   scripts (../shared/peer), apt-get and root are there (it says so when not; --no-peer).
6. the entry quality flags' precision and recall on a hand-labelled set (bench/entry_flags.py).
7. the cascade (bench/cascade.py): a province, 16 cities, 10 districts each, and 16 × 3; the
   roll-up pages' times and query counts at both sizes (--no-cascade to leave it out;
   --only-cascade runs it alone and merges its `cascade` key into latest.json).
Each step is a fresh database and a separate process (bench/scale.py). Results go to
bench/results/<UTC time>.json (everything) and bench/results/latest.json (the summary), and
are printed. PostgreSQL is reached as postgres@127.0.0.1 (PGHOST/PGUSER/PGPORT to change it);
without it, the city figures come from SQLite and the province is skipped.
"""

import argparse
import datetime
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import entry_flags

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PG = {
    "host": os.environ.get("PGHOST", "127.0.0.1"),
    "user": os.environ.get("PGUSER", "postgres"),
    "port": os.environ.get("PGPORT", "5432"),
}
MAIN_PAGES = ("ledger", "report_page", "matrix", "reporting_home")
CITY_P95_MS, PROVINCE_P95_MS = 100, 300
TARGET_RATIO = {"report_page": 0.3, "dashboard_data": 0.5}


def psql(sql: str, db: str = "postgres") -> bool:
    command = [
        "psql",
        "-h",
        PG["host"],
        "-U",
        PG["user"],
        "-p",
        PG["port"],
        "-d",
        db,
        "-v",
        "ON_ERROR_STOP=1",
        "-qc",
        sql,
    ]
    return subprocess.run(command, capture_output=True, text=True).returncode == 0


def pg_url(name: str) -> str:
    return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}"


def fresh_pg(name: str) -> bool:
    assert name.startswith("luoshi_bench_")  # never any other database
    return psql(f"DROP DATABASE IF EXISTS {name}") and psql(f"CREATE DATABASE {name}")


def run_scale(scale: str, url: str, tmp: Path, args, *extra: str) -> dict:
    out = tmp / f"{scale}-{url.split(':')[0]}.json"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=url,
        LUOSHI_VAR_DIR=str(tmp / "var"),
        PYTHONPATH=str(ROOT),
    )
    command = [sys.executable, "-m", "bench.scale", scale, "--out", str(out), *extra]
    if args.quick:
        command.append("--quick")
    start = time.perf_counter()
    print(f"--- {scale} on {url.split(':')[0]}: {' '.join(command[2:])}", flush=True)
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    result = json.loads(out.read_text(encoding="utf-8"))
    result["total_s"] = round(time.perf_counter() - start, 1)
    return result


def summary(result: dict) -> dict:
    pages = {k: v for k, v in result["pages"].items() if v.get("status") == 200}
    throughput = result.get("throughput") or {}
    return {
        "db": result["db"],
        "data": result["data"],
        "report_entries": result["report_entries"],
        "generate_s": result["generate_s"],
        "p50_ms": {k: v["p50_ms"] for k, v in pages.items()},
        "p95_ms": {k: v["p95_ms"] for k, v in pages.items()},
        "queries": {k: v["queries"] for k, v in result["pages"].items()},
        # The first request of each page: nothing cached yet (the dashboards cache their JSON).
        "first_ms": {k: v["first_ms"] for k, v in pages.items()},
        "first_queries": {k: v["first_queries"] for k, v in result["pages"].items()},
        "not_measured": {
            k: v["status"] for k, v in result["pages"].items() if v.get("status") != 200
        },
        "throughput_ratio": throughput.get("ratio", {"report_page": None, "dashboard_data": None}),
        "throughput_rps": {
            k: throughput[k]["rps"]
            for k in ("trivial", "report_page", "dashboard_data", "trivial_again")
            if k in throughput
        },
        "dashboard_endpoint": (result.get("dashboard_data") or [None])[0],
        "docx_ms": result.get("docx_ms"),
        "xlsx_ms": result.get("xlsx_ms"),
    }


def ratio(a, b):
    return round(b / a, 2) if a and b is not None else None


def growth(city: dict, province: dict) -> dict:
    def each(key):
        return {k: ratio(v, province[key].get(k)) for k, v in city[key].items()}

    return {
        "p50_ms": each("p50_ms"),
        "p95_ms": each("p95_ms"),
        "queries": each("queries"),
        "first_ms": each("first_ms"),
        "first_queries": each("first_queries"),
        "throughput_ratio": each("throughput_ratio"),
        "data": {
            k: ratio(city["data"][k], province["data"][k])
            for k in ("departments", "reports", "entries", "audit_records")
        },
        "docx_ms": ratio(city.get("docx_ms"), province.get("docx_ms")),
    }


def checks(latest: dict) -> list[dict]:
    """The issue's targets, each met or not, with the figure."""
    found = []

    def check(name, value, ok):
        found.append(
            {"target": name, "value": value, "met": bool(ok) if value is not None else None}
        )

    city = latest["scale"]["city"]
    for key, minimum in TARGET_RATIO.items():
        value = city["throughput_ratio"].get(key)
        check(
            f"city {key} throughput ≥ {minimum} × trivial",
            value,
            value is not None and value >= minimum,
        )
    scales = [("city", CITY_P95_MS, city), ("city sqlite", CITY_P95_MS, latest.get("city_sqlite"))]
    if "province" in latest["scale"]:
        scales.append(("province", PROVINCE_P95_MS, latest["scale"]["province"]))
    for label, limit, figures in scales:
        if not figures:
            continue
        for page, value in figures["p95_ms"].items():
            if page in MAIN_PAGES or page.startswith(("insights:", "portal:")):
                check(f"{label} {page} p95 < {limit} ms", value, value < limit)
    if "province" in latest["scale"]:
        for key in ("queries", "first_queries"):
            for page, value in latest["growth"][key].items():
                check(f"{page} {key} do not grow city → province", value, value <= 1)
    if latest.get("cascade"):
        found += cascade_checks(latest["cascade"])
    if latest.get("cluster"):
        cluster = latest["cluster"]
        check(
            "two hosts, one killed: 0 acknowledged submissions lost",
            cluster["lost"],
            cluster["lost"] == 0,
        )
        check(
            "two hosts: checks passed (no duplicate reminder, cache coherent, both ready)",
            cluster["passed"],
            cluster["passed"],
        )
    return found


def run_cascade(args) -> dict:
    """bench/cascade.py at 16 × 10 and 16 × 3 districts, each on a fresh database (SQLite when
    PostgreSQL is not there): the roll-up pages' figures side by side."""
    print(
        "\n== The cascade: a province, 16 cities × 10 districts, and × 3 (bench/cascade.py)",
        flush=True,
    )
    started = time.perf_counter()
    pg = shutil.which("psql") is not None and psql("SELECT 1")
    tmp = Path(tempfile.mkdtemp(prefix="luoshi-cascade-"))
    runs = {}
    try:
        for name in ("cascade", "small"):
            db = f"luoshi_bench_cascade_{name}"
            url = pg_url(db) if pg and fresh_pg(db) else f"sqlite:///{tmp / name}.sqlite3"
            out = tmp / f"{name}.json"
            env = dict(
                os.environ,
                DJANGO_SETTINGS_MODULE="bench.settings",
                DATABASE_URL=url,
                LUOSHI_VAR_DIR=str(tmp / f"var-{name}"),
                PYTHONPATH=str(ROOT),
            )
            env.pop("REDIS_URL", None)  # each process its own cache: nothing carried over
            command = [sys.executable, "-m", "bench.cascade", name, "--out", str(out)]
            if args.quick:
                command.append("--quick")
            print(f"--- {name} on {url.split(':')[0]}: {' '.join(command[2:])}", flush=True)
            subprocess.run(command, cwd=ROOT, env=env, check=True)
            runs[name] = json.loads(out.read_text(encoding="utf-8"))
    finally:
        if pg and not args.keep:
            for name in ("cascade", "small"):
                psql(f"DROP DATABASE IF EXISTS luoshi_bench_cascade_{name}")
        shutil.rmtree(tmp, ignore_errors=True)
    keep = (
        "status",
        "p50_ms",
        "p95_ms",
        "queries",
        "first_ms",
        "first_queries",
        "uncached",
        "regions_named",
    )
    return {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "db": runs["cascade"]["db"],
        "total_s": round(time.perf_counter() - started, 1),
        "sizes": {
            name: {**run["data"], "generate_s": run["generate_s"]} for name, run in runs.items()
        },
        "pages": {
            name: {
                page: {k: figures[k] for k in keep if k in figures}
                for page, figures in run["pages"].items()
            }
            for name, run in runs.items()
        },
    }


def cascade_checks(cascade: dict) -> list[dict]:
    """The roll-up pages: the same query counts at 16 × 3 and 16 × 10 districts (the request
    served warm, the first, and each with the cache emptied); p95 at 16 × 10, cache emptied
    each time, under the province target."""
    found = []
    big, small = cascade["pages"]["cascade"], cascade["pages"]["small"]
    for page, figures in big.items():
        for key in ("queries", "first_queries", "uncached"):
            if key == "uncached":
                value = [small[page][key]["queries"], figures[key]["queries"]]
            else:
                value = [small[page][key], figures[key]]
            found.append(
                {
                    "target": f"cascade {page} {key.replace('uncached', 'uncached queries')} "
                    "equal at 16 × 3 and 16 × 10 districts",
                    "value": value,
                    "met": value[0] == value[1],
                }
            )
        value = figures["uncached"]["p95_ms"]
        found.append(
            {
                "target": f"cascade {page} p95 < {PROVINCE_P95_MS} ms (16 × 10, uncached)",
                "value": value,
                "met": value is not None and value < PROVINCE_P95_MS,
            }
        )
    return found


def cascade_table(cascade: dict) -> str:
    sizes = cascade["sizes"]
    lines = [
        f"\ncascade on {cascade['db']} ({cascade['total_s']} s): "
        + "; ".join(
            f"{name}: {s['cities']} cities, {s['districts']} districts, {s['measures']} measures,"
            f" {s['reports']} reports, {s['entries']} entries"
            for name, s in sizes.items()
        ),
        f"  {'page':18} {'p50 ms':>8} {'p95 ms':>8} {'uncached p95':>13} {'queries':>12}"
        f" {'first q':>12} {'uncached q':>12}   (16 × 3 → 16 × 10)",
    ]
    big, small = cascade["pages"]["cascade"], cascade["pages"]["small"]
    for page, f in big.items():
        lines.append(
            f"  {page:18} {f.get('p50_ms', '-'):>8} {f.get('p95_ms', '-'):>8} "
            f"{f['uncached']['p95_ms']:>13} "
            f"{small[page]['queries']:>5} → {f['queries']:<4} "
            f"{small[page]['first_queries']:>5} → {f['first_queries']:<4} "
            f"{small[page]['uncached']['queries']:>5} → {f['uncached']['queries']:<4}"
        )
    return "\n".join(lines)


def only_cascade(args) -> int:
    """The cascade alone, merged into latest.json (its other keys kept)."""
    path = RESULTS / "latest.json"
    latest = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    latest["cascade"] = run_cascade(args)
    kept = [t for t in latest.get("targets", []) if not t["target"].startswith("cascade ")]
    latest["targets"] = kept + cascade_checks(latest["cascade"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(latest, ensure_ascii=False, indent=2, default=str), "utf-8")
    print(cascade_table(latest["cascade"]))
    for item in cascade_checks(latest["cascade"]):
        mark = {True: "met ", False: "MISS", None: "n/a "}[item["met"]]
        print(f"  [{mark}] {item['target']}: {item['value']}")
    print("\nmerged into bench/results/latest.json (key: cascade)")
    return 0


def table(latest: dict) -> str:
    lines = []
    scales = [(k, v) for k, v in latest["scale"].items()]
    if latest.get("city_sqlite"):
        scales.insert(0, ("city (sqlite)", latest["city_sqlite"]))
    for name, s in scales:
        lines.append(
            f"\n{name} on {s['db']}: {s['data']['reports']} reports, "
            f"{s['data']['entries']} entries, {s['data']['audit_records']} audit records "
            f"(report page: {s['report_entries']} entries)"
        )
        lines.append(
            f"  {'page':28} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} "
            f"{'first ms':>9} {'first q':>8}"
        )
        for page, q in s["queries"].items():
            lines.append(
                f"  {page:28} {s['p50_ms'].get(page, '-'):>8} "
                f"{s['p95_ms'].get(page, '-'):>8} {q:>8} "
                f"{s['first_ms'].get(page, '-'):>9} {s['first_queries'].get(page, '-'):>8}"
            )
        if s["throughput_rps"]:
            lines.append(
                f"  throughput rps {s['throughput_rps']} → ratio {s['throughput_ratio']}"
                f" (dashboard endpoint {s['dashboard_endpoint']})"
            )
    if latest.get("cascade"):
        lines.append(cascade_table(latest["cascade"]))
    lines.append(
        f"\nimport_ms {latest['import_ms']}  docx_ms {latest['docx_ms']}  "
        f"xlsx_ms {latest['xlsx_ms']}"
    )
    for item in latest["targets"]:
        mark = {True: "met ", False: "MISS", None: "n/a "}[item["met"]]
        lines.append(f"  [{mark}] {item['target']}: {item['value']}")
    return "\n".join(lines)


def rerun_throughput(args, seconds: float) -> int:
    latest = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
    tmp = Path(tempfile.mkdtemp(prefix="luoshi-bench-"))
    try:
        for scale in latest["scale"]:
            if scale == "province" and args.no_province:
                continue
            result = run_scale(
                scale,
                pg_url(f"luoshi_bench_{scale}"),
                tmp,
                args,
                "--reuse",
                "--throughput",
                str(seconds),
                "--repeat",
                "5",
            )
            figures = summary(result)
            latest["scale"][scale]["throughput_rerun"] = {
                "ratio": figures["throughput_ratio"],
                "rps": figures["throughput_rps"],
                "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "load_average": os.getloadavg(),
            }
            for kind in ("docx_ms", "xlsx_ms"):  # documents that were missing in the full run
                if latest["scale"][scale].get(kind) is None and figures.get(kind) is not None:
                    latest["scale"][scale][kind] = figures[kind]
                    if scale == "city":
                        latest[kind] = figures[kind]
                        latest["missing"].pop(kind.replace("_ms", "_missing"), None)
            print(f"{scale}: rerun {figures['throughput_rps']} → {figures['throughput_ratio']}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    (RESULTS / "latest.json").write_text(
        json.dumps(latest, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    return 0


def run_cluster(quick: bool) -> dict | None:
    """bench/cluster.py: two hosts behind nginx, one killed mid-spike; None when the machine
    lacks nginx, Redis or PostgreSQL (it says which)."""
    size = ["--departments", "40", "--window", "30"] if quick else []
    print("\n== Two app hosts behind nginx (bench/cluster.py)", flush=True)
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "cluster.py"), *size],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    print(result.stdout + result.stderr[-3000:], flush=True)
    last = (result.stdout.strip().splitlines() or [""])[-1]
    return json.loads(last) if last.startswith("{") else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small data, short runs")
    parser.add_argument("--keep", action="store_true", help="keep the bench databases")
    parser.add_argument("--seconds", type=float, help="throughput seconds per endpoint")
    parser.add_argument("--no-province", action="store_true")
    parser.add_argument("--no-peer", action="store_true", help="leave out the Redmine peer")
    parser.add_argument("--no-cluster", action="store_true", help="leave out the two hosts")
    parser.add_argument(
        "--no-cascade", action="store_true", help="leave out the province × cities × districts"
    )
    parser.add_argument(
        "--only-cascade",
        action="store_true",
        help="run only the cascade (bench/cascade.py) and merge it into latest.json",
    )
    parser.add_argument(
        "--rerun-throughput",
        action="store_true",
        help="measure the throughput again on the databases kept by a run with --keep and add "
        "it to latest.json (the ratios are noisy on a shared machine)",
    )
    args = parser.parse_args(argv)
    seconds = args.seconds or (3 if args.quick else 6)
    if args.rerun_throughput:
        return rerun_throughput(args, seconds)
    if args.only_cascade:
        return only_cascade(args)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="luoshi-bench-"))
    results = {}
    pg = shutil.which("psql") is not None and psql("SELECT 1")
    try:
        results["city_sqlite"] = run_scale(
            "city",
            f"sqlite:///{tmp / 'city.sqlite3'}",
            tmp,
            args,
            "--imports",
            *([] if pg else ["--throughput", str(seconds)]),
        )
        if pg and fresh_pg("luoshi_bench_city"):
            results["city"] = run_scale(
                "city",
                pg_url("luoshi_bench_city"),
                tmp,
                args,
                "--imports",
                "--throughput",
                str(seconds),
            )
        else:
            print("PostgreSQL not reachable: city figures from SQLite, no province", flush=True)
            results["city"] = results.pop("city_sqlite")
        if pg and not args.no_province and fresh_pg("luoshi_bench_province"):
            results["province"] = run_scale(
                "province", pg_url("luoshi_bench_province"), tmp, args, "--throughput", str(seconds)
            )
    finally:
        if pg and not args.keep:
            psql("DROP DATABASE IF EXISTS luoshi_bench_city")
            psql("DROP DATABASE IF EXISTS luoshi_bench_province")
        shutil.rmtree(tmp, ignore_errors=True)
    city = summary(results["city"])
    latest = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "throughput_seconds": seconds,
        "scale": {"city": city},
        "import_ms": results["city"].get("import_ms"),
        "docx_ms": city["docx_ms"],
        "xlsx_ms": city["xlsx_ms"],
        "missing": {
            k: v for k, v in results["city"].items() if k.endswith("_missing") or k == "missing"
        },
    }
    if "city_sqlite" in results:
        latest["city_sqlite"] = summary(results["city_sqlite"])
        latest["city_sqlite"]["import_ms"] = results["city_sqlite"].get("import_ms")
    if "province" in results:
        latest["scale"]["province"] = summary(results["province"])
        latest["growth"] = growth(city, latest["scale"]["province"])
    if args.no_cascade:
        print("\n== The cascade: left out (--no-cascade)", flush=True)
    else:
        latest["cascade"] = run_cascade(args)
    latest["cluster"] = None if args.no_cluster else run_cluster(args.quick)
    if not args.no_peer:
        from bench import peer

        print("\n== luoshi beside Redmine (bench/peer.py)", flush=True)
        try:
            latest["peer"] = {"redmine": peer.run(seconds=5 if args.quick else 10)}
        except (subprocess.CalledProcessError, RuntimeError) as error:  # the rest still counts
            print(f"[peer] Redmine peer FAILED: {error}", flush=True)
            latest["peer"] = {"redmine": {"skipped": f"failed: {error}"[:500]}}
    # The entry quality flags on the hand-labelled set (bench/entry_flags.py): no database.
    latest["entry_flags"] = entry_flags.measure_all()
    latest["targets"] = checks(latest)
    latest["total_s"] = round(time.perf_counter() - started, 1)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time of the benchmark's own processes (not the database server's): on a shared
    # machine the wall time says more about the neighbours than about luoshi.
    latest["cpu_s"] = round(children.ru_utime + children.ru_stime, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    full = {"summary": latest, "runs": results}
    text = json.dumps(full, ensure_ascii=False, indent=2, default=str)
    (RESULTS / f"{stamp}{'-quick' if args.quick else ''}.json").write_text(text, encoding="utf-8")
    (RESULTS / "latest.json").write_text(
        json.dumps(latest, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    print(table(latest))
    if "peer" in latest:
        from bench import peer

        print(peer.table(latest["peer"]["redmine"]))
    for result in latest["entry_flags"].values():
        print("\n" + entry_flags.table(result))
    print(
        f"\nwritten: bench/results/latest.json, bench/results/{stamp}.json "
        f"({latest['total_s']} s; {latest['cpu_s']} s of CPU in the benchmark's processes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
