"""`manage.py run_background`: what `make run` starts beside gunicorn.

Runs `supervise` and `seal_audit` every few minutes (both idempotent: the day's reminders go out
once, an hour of the audit log is sealed once, after it has ended) and the task worker
`db_worker`, until stopped. Ctrl-C or SIGTERM stops the worker too: no orphans.
Production uses cron or a systemd timer instead (docs/deploy-supervision.md).
"""

import signal
import subprocess
import sys
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run supervise and seal_audit every few minutes and the task worker, until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=300, help="seconds between runs")

    def handle(self, *args, every=300, **options):
        stop = threading.Event()
        worker = subprocess.Popen([sys.executable, "manage.py", "db_worker"])

        def finish(*_args):
            stop.set()

        signal.signal(signal.SIGTERM, finish)
        signal.signal(signal.SIGINT, finish)
        try:
            while not stop.is_set():
                try:
                    call_command("supervise", stdout=self.stdout)
                except Exception as error:  # keep the loop alive; the next run retries
                    self.stderr.write(f"supervise failed: {error}")
                try:
                    call_command("seal_audit", stdout=self.stdout)
                except Exception as error:
                    self.stderr.write(f"seal_audit failed: {error}")
                stop.wait(every)
                if worker.poll() is not None:
                    worker = subprocess.Popen([sys.executable, "manage.py", "db_worker"])
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
