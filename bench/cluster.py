"""The two-host test: two app hosts behind nginx on one PostgreSQL and one Redis.

    .venv/bin/python bench/cluster.py [--departments 200] [--window 120] [--clients 16]

What a province deployment looks like (docs/deploy.md, "Several app hosts"), on loopback ports:
PostgreSQL (the throwaway database luoshi_bench_cluster) and Redis (database 14, emptied) already
on the machine, two gunicorn hosts (deploy/gunicorn.conf.py, 2 workers each) sharing the uploads
directory as they would an NFS mount, and Debian's nginx in front with both hosts upstream.
Then the deadline-day spike of bench/deadline_spike.py runs through nginx, and:

- a third into it, host A is SIGKILLed (master and workers) and started again a little later:
  nginx sends the requests to host B meanwhile; departments whose request failed retry;
- meanwhile `supervise` runs on both hosts at once, three times, for a day that has reminders;
- afterwards: every acknowledged submission is in the database, complete (the spike's check);
  no reminder, delivery or notification exists twice; a session made on host A is valid on
  host B, and a submission through host A shows at once in the dashboard JSON read through
  host B (the cache is shared and keyed by the data version); both hosts are ready (/readyz).

It prints the figures and the run time, returns them as JSON on its last line, and exits 1 if a
check fails. `make bench` runs it when nginx and Redis are present and says so when not.
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import deadline_spike as spike  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432/luoshi_bench_cluster"
REDIS_URL = "redis://127.0.0.1:6379/14"
COORDINATOR = "cluster-coordinator"


def missing() -> list[str]:
    """What the machine lacks for this test (empty: it can run)."""
    lacking = []
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        lacking.append("nginx (apt-get install nginx)")
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception:
        lacking.append("Redis on 127.0.0.1:6379")
    try:
        import psycopg

        psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2).close()
    except Exception:
        lacking.append("PostgreSQL on 127.0.0.1:5432")
    return lacking


# --- Children (run with the cluster's environment) ----------------------------------------------


def prepare(out: Path):
    """The coordinator's account, and the first day with reminders due for the spike's plan."""
    import django

    django.setup()
    from luoshi.lib import clock
    from luoshi.orgs.models import Organization, User
    from luoshi.plans.models import Plan
    from luoshi.supervision.services import get_rule, planned_reminders

    plan = Plan.objects.get(title="截止日压力测试方案")
    # An office of the plan's region (the coordinator's department; plans.access reads the region).
    office = Organization.objects.filter(parent=plan.region, name__contains="发展").first()
    user = User(username=COORDINATOR, role=User.Role.COORDINATOR, organization=office)
    user.set_password(spike.PASSWORD)
    user.save()
    today = clock.today()
    get_rule(plan, today)
    period = plan.periods.filter(start__lte=today).order_by("-start").first()
    day, last = today, period.due_date + datetime.timedelta(days=40)
    while not planned_reminders(day, [plan]) and day <= last:
        day += datetime.timedelta(days=1)  # planned_reminders is empty on a day off
    out.write_text(json.dumps({"plan": plan.pk, "reminder_day": day.isoformat()}))


def duplicates(out: Path):
    """Reminders, deliveries and notifications that exist more than once."""
    import django

    django.setup()
    from django.db.models import Count

    from luoshi.supervision.models import Delivery, Notification, Reminder

    def twice(model, *fields):
        return model.objects.values(*fields).annotate(n=Count("pk")).filter(n__gt=1).count()

    out.write_text(
        json.dumps(
            {
                "reminders": Reminder.objects.count(),
                "deliveries": Delivery.objects.count(),
                "notifications": Notification.objects.count(),
                "duplicate_reminders": twice(
                    Reminder, "kind", "offset", "period", "organization", "day"
                ),
                "duplicate_deliveries": twice(Delivery, "reminder", "channel", "recipient"),
                "duplicate_notifications": twice(Notification, "user", "reminder"),
            }
        )
    )


# --- The cluster (this process) -----------------------------------------------------------------

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {nginx}/body;
    proxy_temp_path {nginx}/proxy;
    fastcgi_temp_path {nginx}/fastcgi;
    uwsgi_temp_path {nginx}/uwsgi;
    scgi_temp_path {nginx}/scgi;
    client_max_body_size 25m;
    upstream luoshi {{
        server 127.0.0.1:{a} max_fails=1 fail_timeout=3s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout=3s;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://luoshi;
            proxy_set_header Host $host;
            proxy_set_header X-Request-ID $request_id;
            proxy_next_upstream error timeout http_502;
            proxy_connect_timeout 2s;
            proxy_read_timeout 130s;
        }}
    }}
}}
"""


class Host:
    """One app host: gunicorn with the production settings file, 2 workers."""

    def __init__(self, name: str, env: dict, tmp: Path):
        self.name, self.tmp = name, tmp
        self.port = spike.free_port()
        metrics = tmp / f"prometheus-{name}"
        metrics.mkdir()  # before any process of the host writes its metrics
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "2",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics),
        }
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        metrics = Path(self.env["PROMETHEUS_MULTIPROC_DIR"])
        shutil.rmtree(metrics, ignore_errors=True)
        metrics.mkdir()
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.process = subprocess.Popen(
            [gunicorn, "-c", "deploy/gunicorn.conf.py", "luoshi.wsgi"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(self.tmp / f"host-{self.name}.log", "ab"),  # noqa: SIM115
            start_new_session=True,
        )
        spike.wait_until_up(self.base, self.process)

    def kill(self):
        """SIGKILL the host: master and workers at once, as a power cut would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(30)

    def manage(self, *args, check=True):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if check and result.returncode:
            raise SystemExit(
                f"manage.py {' '.join(args)} failed on host {self.name}:\n" + result.stderr[-2000:]
            )
        return result

    def ready(self) -> dict:
        try:
            with urllib.request.urlopen(self.base + "/readyz", timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            return json.loads(error.read())


def child(env: dict, *args) -> None:
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args], env=env, cwd=ROOT, check=True
    )


def coherent(host_a: Host, host_b: Host, department: dict, timings, lock) -> dict:
    """A session made on host A works on host B; a submission through A shows through B."""
    coordinator = spike.Browser(host_a.base, timings, lock)
    coordinator.log_in(COORDINATOR)
    on_b = spike.Browser(host_b.base, timings, lock)
    on_b.jar = coordinator.jar  # the same browser, sent to the other host by the balancer
    on_b.opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(on_b.jar), spike.NoRedirect()
    )
    url = "/insights/overview.json"  # per plan: measures by state, reports by timeliness
    _, before = on_b.request("dashboard (B)", "GET", url, ok=(200,))
    ok, error = spike.run_department(host_a.base, department, timings, lock)
    _, after_b = on_b.request("dashboard (B)", "GET", url, ok=(200,))
    _, after_a = coordinator.request("dashboard (A)", "GET", url, ok=(200,))
    return {
        "session_shared": True,  # the requests above would have been redirected to /login/
        "submitted_through_a": ok,
        "b_saw_the_change": after_b != before,
        "a_and_b_agree": after_a == after_b,
        "error": error,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=200)
    parser.add_argument("--window", type=float, default=120, help="seconds for all arrivals")
    parser.add_argument("--clients", type=int, default=16, help="departments at work at once")
    parser.add_argument("--_prepare", help=argparse.SUPPRESS)
    parser.add_argument("--_duplicates", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
    if args._prepare:
        return prepare(Path(args._prepare))
    if args._duplicates:
        return duplicates(Path(args._duplicates))
    lacking = missing()
    if lacking:
        print("cluster: skipped, this machine lacks " + ", ".join(lacking))
        return 0

    import redis

    started = time.perf_counter()
    redis.Redis.from_url(REDIS_URL).flushdb()
    spike.reset_postgres("luoshi_bench_cluster")
    with tempfile.TemporaryDirectory(prefix="luoshi-cluster-") as tmp:
        tmp = Path(tmp)
        (tmp / "nfs").mkdir()
        env = {
            **os.environ,
            "LUOSHI_VAR_DIR": str(tmp / "var"),
            "LUOSHI_MEDIA_ROOT": str(tmp / "nfs"),
            "LUOSHI_ENV": "local",
            "DEBUG": "false",
            "LOG_LEVEL": "ERROR",
            "REPORTING_TRACKING_START": "",
            "DATABASE_URL": PG_URL,
            "REDIS_URL": REDIS_URL,
            "PYTHONPATH": str(ROOT),
        }
        host_a, host_b = Host("a", env, tmp), Host("b", env, tmp)
        host_a.manage("migrate", "--noinput", "-v0")
        host_a.manage("collectstatic", "--noinput", "-v0")
        departments_file = tmp / "departments.json"
        spike_script = str(Path(spike.__file__).resolve())
        subprocess.run(
            [sys.executable, spike_script, "--_setup", str(departments_file)]
            + ["--_count", str(args.departments + 1)],
            env=env,
            cwd=ROOT,
            check=True,
        )
        departments = json.loads(departments_file.read_text())
        # The last department is kept out of the spike for the coherence check.
        spared, departments = departments[-1], departments[:-1]
        child(env, "--_prepare", str(tmp / "prepared.json"))
        prepared = json.loads((tmp / "prepared.json").read_text())
        # One cycle of the loop before the hosts take traffic: the heartbeat readiness reads.
        host_a.manage("supervise")
        print(
            f"setup: {len(departments)} departments on PostgreSQL + Redis "
            f"in {time.perf_counter() - started:.0f} s; reminders due on {prepared['reminder_day']}"
        )

        nginx_port = spike.free_port()
        nginx = buffers = None
        events, timings, lock = [], {}, threading.Lock()
        try:
            host_a.start()
            host_b.start()
            ready_before = {h.name: h.ready()["status"] for h in (host_a, host_b)}
            # Started as root, nginx's workers run as nobody: their buffer directory must be
            # theirs to write (a 1 MB upload is buffered to disk).
            buffers = Path(tempfile.mkdtemp(prefix="luoshi-nginx-"))
            buffers.chmod(0o777)
            (tmp / "nginx.conf").write_text(
                NGINX_CONF.format(
                    tmp=tmp, nginx=buffers, a=host_a.port, b=host_b.port, port=nginx_port
                )
            )
            nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
            nginx = subprocess.Popen(
                [nginx_bin, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", "stderr"],
                stdout=subprocess.DEVNULL,
                stderr=open(tmp / "nginx.log", "ab"),  # noqa: SIM115
            )
            base = f"http://127.0.0.1:{nginx_port}"
            spike.wait_until_up(base, nginx)

            def kill_and_restart():
                time.sleep(args.window / 3)
                host_a.kill()
                events.append(f"host a SIGKILLed at {time.perf_counter() - t0:.0f} s")
                time.sleep(args.window / 6)
                host_a.start()
                events.append(f"host a back at {time.perf_counter() - t0:.0f} s")

            supervise_runs = []

            def supervise_on_both():
                day = prepared["reminder_day"]
                for _round in range(3):
                    time.sleep(args.window / 5)
                    with concurrent.futures.ThreadPoolExecutor(2) as pool:
                        results = list(
                            pool.map(
                                lambda h: h.manage("supervise", "--date", day, check=False),
                                (host_a, host_b),
                            )
                        )
                    supervise_runs.append(
                        [r.stdout.strip().splitlines()[-1:] or r.stderr[-200:] for r in results]
                    )

            t0 = time.perf_counter()
            background = [
                threading.Thread(target=kill_and_restart, daemon=True),
                threading.Thread(target=supervise_on_both, daemon=True),
            ]
            for thread in background:
                thread.start()
            acknowledged, errors, elapsed = spike.arrive(
                base, departments, args.window, args.clients, timings, lock
            )
            for thread in background:
                thread.join(timeout=args.window * 2)
            coherence = coherent(host_a, host_b, spared, timings, lock)
            ready_after = {h.name: h.ready()["status"] for h in (host_a, host_b)}
        finally:
            if nginx and nginx.poll() is None:
                nginx.send_signal(signal.SIGQUIT)
                nginx.wait(30)
            host_a.stop()
            host_b.stop()
            if buffers:
                shutil.rmtree(buffers, ignore_errors=True)

        acknowledged_file = tmp / "acknowledged.json"
        acknowledged_file.write_text(json.dumps(acknowledged))
        check = subprocess.run(
            [sys.executable, spike_script, "--_check", str(departments_file)]
            + [str(acknowledged_file)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        verdict = json.loads(check.stdout.strip().splitlines()[-1])
        child(env, "--_duplicates", str(tmp / "duplicates.json"))
        twice = json.loads((tmp / "duplicates.json").read_text())

    failed = len(timings.pop("(failed, retried)", []))
    all_times = [t for values in timings.values() for t in values]
    print(
        f"cluster: {len(departments)} departments through nginx to 2 hosts, "
        f"{len(acknowledged)} acknowledged, {len(errors)} not, in {elapsed:.0f} s; "
        f"{len(all_times)} requests, {failed} failed and retried"
    )
    for event in events:
        print("  " + event)
    print(f"  all requests   {spike.percentiles(all_times)}")
    for error in errors[:5]:
        print("  error:", error)
    print(f"  supervise on both hosts at once, 3 rounds: {supervise_runs}")
    print("  database check:", json.dumps(verdict, ensure_ascii=False))
    print("  duplicates:", json.dumps(twice))
    print("  coherence:", json.dumps(coherence, ensure_ascii=False))
    print(f"  ready before {ready_before}, after {ready_after}")
    run_time = time.perf_counter() - started
    print(f"  run time {run_time:.0f} s")
    passed = (
        not (verdict["lost"] or verdict["incomplete"] or verdict["half_written"])
        and not verdict["attachment_rows_without_good_file"]
        and not errors
        and len(events) == 2
        and twice["reminders"] > 0
        and not (
            twice["duplicate_reminders"]
            or twice["duplicate_deliveries"]
            or twice["duplicate_notifications"]
        )
        and coherence["submitted_through_a"]
        and coherence["b_saw_the_change"]
        and coherence["a_and_b_agree"]
        and set(ready_before.values()) == set(ready_after.values()) == {"ready"}
    )
    summary = {
        "passed": passed,
        "departments": len(departments),
        "acknowledged": len(acknowledged),
        "lost": len(verdict["lost"]),
        "failed_requests_retried": failed,
        "p95_ms": round(sorted(all_times)[int(0.95 * len(all_times))] * 1000)
        if all_times
        else None,
        "reminders": twice["reminders"],
        "duplicate_reminders": twice["duplicate_reminders"],
        "cache_coherent": coherence["b_saw_the_change"] and coherence["a_and_b_agree"],
        "run_seconds": round(run_time),
    }
    print(json.dumps(summary))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
