"""`manage.py run_background`: the supervise loop and the task worker, stopped together."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "--ppid", str(pid), "-o", "pid="], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def alive(pid: int) -> bool:
    return subprocess.run(["ps", "-p", str(pid)], capture_output=True).returncode == 0


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_the_loop_runs_supervise_and_the_worker_and_leaves_no_orphan(tmp_path, stop):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "LUOSHI_AUDIT_SEAL_FILE": str(tmp_path / "audit-seals.jsonl"),
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    log = tmp_path / "out.log"
    with log.open("w") as out:
        loop = subprocess.Popen(
            [*manage, "run_background", "--every", "1"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if log.read_text().count("reminder(s) sent") >= 2 and children(loop.pid):
                break
            time.sleep(0.5)
        workers = children(loop.pid)
        assert len(workers) == 1, log.read_text()
        assert "failed" not in log.read_text()  # supervise and seal_audit both ran
        loop.send_signal(stop)
        assert loop.wait(timeout=30) == 0
        time.sleep(0.5)
        assert not alive(workers[0])
    finally:
        if loop.poll() is None:
            loop.kill()
