"""`supervise` sends each reminder once: when run twice, at the same time, or after a crash."""

import datetime
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from luoshi.supervision import services
from luoshi.supervision.models import Notification, Reminder, ReminderRule
from luoshi.testing import at, department, file_report

D = datetime.date
# 25 November 2026: three working days before the November period's due day (Sat 28th).
DAY = D(2026, 11, 25)


def keys():
    return sorted(
        Reminder.objects.values_list("kind", "offset", "period_id", "organization_id", "day")
    )


def run(day=DAY):
    with time_machine.travel(at(day.year, day.month, day.day, 8), tick=False):
        return services.supervise(day)


def test_running_twice_on_a_day_sends_nothing_twice(tracked, commerce_reporter):
    first = run()
    assert first.sent == tracked.periods.get(start=D(2026, 11, 1)).reports.count()
    again = run()
    assert again.sent == 0
    assert len(keys()) == len(set(keys())) == first.sent
    assert Notification.objects.filter(user=commerce_reporter).count() == 1


def test_a_run_killed_half_way_is_finished_by_the_next_without_repeats(
    tracked, commerce_reporter, monkeypatch
):
    real = services._create_reminder
    calls = []

    def dies_on_the_fifth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise SystemExit("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_create_reminder", dies_on_the_fifth)
    with pytest.raises(SystemExit):
        run()
    assert Reminder.objects.count() == 4
    monkeypatch.setattr(services, "_create_reminder", real)
    result = run()
    expected = tracked.periods.get(start=D(2026, 11, 1)).reports.count()
    assert Reminder.objects.count() == expected
    assert result.sent == expected - 4
    assert len(keys()) == len(set(keys()))
    assert Notification.objects.filter(user=commerce_reporter).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_time_send_each_reminder_once(tracked, commerce_reporter):
    results, errors = [], []
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait()
            results.append(run())
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    expected = tracked.periods.get(start=D(2026, 11, 1)).reports.count()
    assert sum(r.sent for r in results) == expected
    assert len(keys()) == len(set(keys())) == expected
    assert Notification.objects.filter(user=commerce_reporter).count() == 1


def test_a_first_start_does_not_chase_periods_long_past(tracked):
    # The October period (due 28 October) was never reported; supervision starts on 2 Nov.
    result = run(D(2026, 11, 2))
    assert result.sent == 0
    assert not Reminder.objects.exists()
    # Its departments are still chased when the coordinator does it by hand.
    assert services.get_rule(tracked).starts_on == D(2026, 11, 2)


def test_the_dry_run_lists_and_sends_nothing(tracked, capsys):
    call_command("supervise", "--date", "2026-11-25", "--dry-run")
    out = capsys.readouterr().out
    assert "2026-11-25 before:3 2026年11月 市商务局" in out
    assert "2026年10月" not in out  # long past at a first start
    assert not Reminder.objects.exists()
    assert not ReminderRule.objects.exists()
    call_command("supervise", "--date", "2026-11-27", "--dry-run")
    assert "2026-11-27 before:1 2026年11月 市交通运输局" in capsys.readouterr().out


def test_the_command_refuses_a_bad_date(tracked):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("supervise", "--date", "2026-13-01")


def test_a_submitted_report_is_not_reminded(
    tracked, commerce_reporter, commerce_head, commerce_report
):
    run(D(2026, 11, 2))
    file_report(commerce_report, commerce_reporter, commerce_head, when=at(2026, 11, 20, 10))
    run()
    assert not Reminder.objects.filter(organization=department("市商务局")).exists()
    assert Reminder.objects.filter(organization=department("市交通运输局")).count() == 1
