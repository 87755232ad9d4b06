"""The deadline-day spike: N departments log in, save a draft with a 1 MB attachment and submit.

    .venv/bin/python bench/deadline_spike.py [--departments 500] [--db sqlite|postgres]
                                             [--window 300] [--clients 24] [--kill-worker]

Bounded and loopback only: the script makes a temporary directory (and, for PostgreSQL, the
throwaway database luoshi_bench on 127.0.0.1), migrates it, creates a plan with one measure per
department and, per department, a reporter and a head; then it starts gunicorn (2 workers) on a
free 127.0.0.1 port and runs every department through the pages and the API within --window
seconds (arrivals spread evenly):

  reporter: log in (the login page) → start the draft (API) → save the entry (API, versioned)
  → upload a 1 MB PDF (the page's attachment form) → submit for sign-off (API)
  head:     log in → sign off (API): the report is submitted; a 200 here is the acknowledgement.

It prints errors, p50/p95/p99 per step and overall, then checks in the database that every
acknowledged submission is there and complete (status submitted, the entry's text, the
attachment's row and its file with the right SHA-256). --kill-worker sends SIGKILL to one
gunicorn worker a third into the run (the master starts a new one): requests in flight fail and
their department retries (steps are idempotent or versioned); afterwards nothing acknowledged
may be missing and no report may be half-written (a submitted report without its text or
attachment, an attachment row without its file).
"""

import argparse
import concurrent.futures
import hashlib
import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from luoshi.lib import clock

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgres://postgres@127.0.0.1:5432/luoshi_bench"
PASSWORD = "Bench-Spike-2026"
PROGRESS = "按计划推进，本月完成既定工作。部门 {code}"
ATTACHMENT = b"%PDF-1.4\n%" + (b"0123456789abcdef" * 65536)[: 1024 * 1024 - 10]
ATTACHMENT_SHA = hashlib.sha256(ATTACHMENT).hexdigest()


# --- Setup (runs in a child process with the bench environment) ------------------------------


def setup(count: int, out: Path):
    import django

    django.setup()

    from luoshi.importing.model import (
        ParsedDepartment,
        ParsedMeasure,
        ParsedPlan,
        ParsedTask,
        ReportingRule,
    )
    from luoshi.orgs.data import DIRECTORY
    from luoshi.orgs.models import User
    from luoshi.orgs.services import load_directory
    from luoshi.plans.services import import_plan
    from luoshi.reporting.services import ensure_periods

    load_directory(DIRECTORY)
    names = [f"市试点局{i:03d}" for i in range(count)]
    measures = [
        ParsedMeasure(
            no=i + 1,
            label=f"{i + 1}、",
            text=f"推进第{i + 1}项试点工作。",
            departments=[ParsedDepartment(name, "lead")],
        )
        for i, name in enumerate(names)
    ]
    today = clock.today()
    parsed = ParsedPlan(
        title="截止日压力测试方案",
        doc_number="枣测〔2026〕1号",
        issue_date=today.replace(day=1),
        issuers=["枣庄市发展和改革委员会"],
        report_to="市发展改革委",
        reporting=ReportingRule("monthly", 28, 0, "于每月28日前将工作进展情况反馈至市发展改革委"),
        tasks=[ParsedTask(no=1, label="一、", title="试点工作", measures=measures)],
    )
    plan = import_plan(parsed, source_name="bench")
    ensure_periods(plan, today)
    period = plan.periods.filter(start__lte=today).order_by("-start").first()
    # One argon2 hash for every account (hashing 2N passwords would dominate the setup).
    hashed = User(username="x")
    hashed.set_password(PASSWORD)
    departments = []
    for report in period.reports.select_related("organization").order_by("pk"):
        code = f"d{report.pk}"
        for role, suffix in (("reporter", "r"), ("approver", "h")):
            User.objects.create(
                username=f"{code}{suffix}",
                role=role,
                organization=report.organization,
                password=hashed.password,
                password_changed_at=hashed.password_changed_at,
            )
        departments.append({"code": code, "report": report.pk})
    out.write_text(json.dumps(departments))


def check(departments_file: Path, acknowledged_file: Path) -> dict:
    """In the child process: every acknowledged submission complete; nothing half-written."""
    import django

    django.setup()
    from luoshi.reporting.models import Attachment, Report

    departments = json.loads(departments_file.read_text())
    acknowledged = set(json.loads(acknowledged_file.read_text()))
    by_pk = {d["report"]: d for d in departments}
    reports = Report.objects.filter(pk__in=by_pk).prefetch_related("entries__attachments")
    lost, incomplete, half = [], [], []
    for report in reports:
        code = by_pk[report.pk]["code"]
        entries = list(report.entries.all())
        attachments = [a for e in entries for a in e.attachments.all()]
        complete = (
            report.status == Report.Status.SUBMITTED
            and len(entries) == 1
            and entries[0].progress == PROGRESS.format(code=code)
            and any(_file_ok(a) for a in attachments)
        )
        if report.pk in acknowledged and report.status != Report.Status.SUBMITTED:
            lost.append(report.pk)
        elif report.pk in acknowledged and not complete:
            incomplete.append(report.pk)
        if report.status == Report.Status.SUBMITTED and not complete:
            half.append(report.pk)
    broken_files = [a.pk for a in Attachment.objects.all() if not _file_ok(a)]
    # A worker killed between writing the file and committing its row leaves a file nobody
    # points at: garbage to sweep, not a half-written report (reported, not a failure).
    from django.conf import settings

    stored = {a.file.name for a in Attachment.objects.all()}
    root = Path(settings.MEDIA_ROOT)
    orphans = [
        p for p in root.rglob("*") if p.is_file() and p.relative_to(root).as_posix() not in stored
    ]
    return {
        "acknowledged": len(acknowledged),
        "submitted_in_db": Report.objects.filter(
            pk__in=by_pk, status=Report.Status.SUBMITTED
        ).count(),
        "lost": lost,
        "incomplete": incomplete,
        "half_written": half,
        "attachment_rows_without_good_file": broken_files,
        "orphan_files": len(orphans),
    }


def _file_ok(attachment) -> bool:
    try:
        with attachment.file.open("rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest() == ATTACHMENT_SHA
    except OSError:
        return False


# --- The load (this process) ------------------------------------------------------------------


class StepFailed(Exception):
    pass


class Browser:
    """One person's browser: cookies, the CSRF token, timed requests."""

    def __init__(self, base: str, timings: dict, lock: threading.Lock):
        self.base, self.timings, self.lock = base, timings, lock
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, step, method, path, data=None, headers=None, ok=(200, 302)):
        headers = {"X-CSRFToken": self.csrf(), "Referer": self.base + "/", **(headers or {})}
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        start = time.perf_counter()
        try:
            with self.opener.open(req, timeout=120) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        except OSError as error:  # connection reset by a killed worker, timeout
            raise StepFailed(f"{step}: {error}") from None
        finally:
            with self.lock:
                self.timings.setdefault(step, []).append(time.perf_counter() - start)
        if status not in ok:
            raise StepFailed(f"{step}: HTTP {status} {body[:200]!r}")
        return status, body

    def log_in(self, username):
        self.request("login page", "GET", "/login/")
        form = f"username={username}&password={PASSWORD}&next=".encode()
        status, _ = self.request(
            "log in",
            "POST",
            "/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
            ok=(302,),
        )

    def api(self, step, method, path, payload=None):
        data = json.dumps(payload).encode() if payload is not None else None
        _, body = self.request(
            step, method, "/api/v1" + path, data, {"Content-Type": "application/json"}, ok=(200,)
        )
        return json.loads(body)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def multipart(fields: dict, file_field: str, filename: str, data: bytes):
    boundary = "----luoshibench" + os.urandom(8).hex()
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def run_department(base, department, timings, lock, tries=4):
    """The department's whole round; retried from the state the server reports. Returns True
    when the head's sign-off was acknowledged."""
    code, report = department["code"], department["report"]
    progress = PROGRESS.format(code=code)
    last_error = None
    for _attempt in range(tries):
        try:
            reporter = Browser(base, timings, lock)
            reporter.log_in(f"{code}r")
            state = reporter.api("start draft", "POST", f"/reports/{report}/start")
            if state["status"] in ("draft", "returned"):
                detail = reporter.api("read report", "GET", f"/reports/{report}")
                entry = detail["entries"][0]
                if entry["progress"] != progress:
                    data = {"version": entry["version"], "progress": progress}
                    data["status"] = "in_progress"
                    reporter.api("save entry", "PUT", f"/entries/{entry['id']}", data)
                if not entry.get("attachments"):
                    body, content_type = multipart({}, "file", "证明材料.pdf", ATTACHMENT)
                    reporter.request(
                        "upload 1 MB",
                        "POST",
                        f"/reporting/entries/{entry['id']}/attachments/",
                        body,
                        {"Content-Type": content_type},
                    )
                reporter.api("submit", "POST", f"/reports/{report}/submit")
            head = Browser(base, timings, lock)
            head.log_in(f"{code}h")
            result = head.api("sign off", "POST", f"/reports/{report}/sign-off")
            if result["status"] == "submitted":
                return True, None
            last_error = f"sign-off left status {result['status']}"
        except StepFailed as error:
            last_error = str(error)
            with lock:
                timings.setdefault("(failed, retried)", []).append(0.0)
            time.sleep(1)
    return False, f"{code}: {last_error}"


def arrive(base, departments, window, clients, timings, lock):
    """Every department's round against `base`, arrivals spread evenly over `window` seconds,
    `clients` at once. Returns (acknowledged report ids, errors, elapsed seconds)."""
    acknowledged, errors = [], []
    gap = window / max(1, len(departments))
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        futures = {}
        for i, department in enumerate(departments):
            delay = t0 + i * gap - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures[pool.submit(run_department, base, department, timings, lock)] = department
        for future in concurrent.futures.as_completed(futures):
            ok, error = future.result()
            if ok:
                acknowledged.append(futures[future]["report"])
            else:
                errors.append(error)
    return acknowledged, errors, time.perf_counter() - t0


def percentiles(values):
    if not values:
        return "—"
    ordered = sorted(values)

    def pick(q):
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return f"p50 {pick(0.5):7.0f} ms  p95 {pick(0.95):7.0f} ms  p99 {pick(0.99):7.0f} ms"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited at start")
        try:
            urllib.request.urlopen(base + "/login/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer")


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True)
    return [int(p) for p in out.stdout.split()]


def reset_postgres(name: str = "luoshi_bench"):
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {name}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=500)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--window", type=float, default=300, help="seconds for all arrivals")
    parser.add_argument("--clients", type=int, default=24, help="departments at work at once")
    parser.add_argument("--kill-worker", action="store_true")
    parser.add_argument("--_setup", help=argparse.SUPPRESS)
    parser.add_argument("--_check", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--_count", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
    if args._setup:
        return setup(args._count, Path(args._setup))
    if args._check:
        print(json.dumps(check(Path(args._check[0]), Path(args._check[1]))))
        return None

    with tempfile.TemporaryDirectory(prefix="luoshi-spike-") as tmp:
        tmp = Path(tmp)
        env = {
            **os.environ,
            "LUOSHI_VAR_DIR": str(tmp),
            "LUOSHI_ENV": "local",
            "DEBUG": "false",
            "LOG_LEVEL": "ERROR",
            "REPORTING_TRACKING_START": "",
        }
        if args.db == "postgres":
            reset_postgres()
            env["DATABASE_URL"] = PG_URL
        else:
            env.pop("DATABASE_URL", None)
        python = sys.executable
        me = str(Path(__file__).resolve())
        run = {"env": env, "cwd": ROOT, "check": True}
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], **run)
        subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], **run)
        departments_file = tmp / "departments.json"
        started = time.perf_counter()
        subprocess.run(
            [python, me, "--_setup", str(departments_file), "--_count", str(args.departments)],
            **run,
        )
        departments = json.loads(departments_file.read_text())
        print(
            f"setup: {len(departments)} departments on {args.db} "
            f"in {time.perf_counter() - started:.0f} s"
        )

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = subprocess.Popen(
            [str(Path(python).parent / "gunicorn"), "luoshi.wsgi", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "2", "--timeout", "120", "--backlog", "2048"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp / "gunicorn.log", "wb"),  # noqa: SIM115
        )
        try:
            wait_until_up(base, gunicorn)
            timings, lock = {}, threading.Lock()
            killed = []

            def killer():
                time.sleep(args.window / 3)
                pids = worker_pids(gunicorn.pid)
                if pids:
                    os.kill(pids[0], signal.SIGKILL)
                    killed.append(pids[0])

            if args.kill_worker:
                threading.Thread(target=killer, daemon=True).start()
            acknowledged, errors, elapsed = arrive(
                base, departments, args.window, args.clients, timings, lock
            )
        finally:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(30)

        failed = len(timings.pop("(failed, retried)", []))
        all_times = [t for values in timings.values() for t in values]
        print(
            f"{args.db}: {len(departments)} departments, {len(acknowledged)} acknowledged, "
            f"{len(errors)} not acknowledged, in {elapsed:.0f} s; {len(all_times)} requests"
            + (f"; SIGKILLed worker {killed}" if killed else "")
            + f"; {failed} failed requests retried"
        )
        for step, values in timings.items():
            print(f"  {step:<14} n={len(values):<5} {percentiles(values)}")
        print(f"  {'all requests':<14} n={len(all_times):<5} {percentiles(all_times)}")
        for error in errors[:20]:
            print("  error:", error)
        acknowledged_file = tmp / "acknowledged.json"
        acknowledged_file.write_text(json.dumps(acknowledged))
        result = subprocess.run(
            [python, me, "--_check", str(departments_file), str(acknowledged_file)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        verdict = json.loads(result.stdout.strip().splitlines()[-1])
        print("database check:", json.dumps(verdict, ensure_ascii=False))
        bad = verdict["lost"] or verdict["incomplete"] or verdict["half_written"]
        bad = bad or verdict["attachment_rows_without_good_file"]
        return 1 if bad or errors else 0


if __name__ == "__main__":
    sys.exit(main())
