"""Fixtures of the supervision tests: the reporting fixtures, and a way to file a report."""

import datetime

import pytest

from luoshi.reporting.tests.conftest import (  # noqa: F401  (fixtures)
    _uploads_in_tmp,
    at,
    commerce_report,
    november,
    tracked,
    transport_head,
)


def file_report(
    report, reporter, head, when: datetime.datetime, *, status="in_progress", actuals=None
):
    """Draft, fill and sign off `report` at `when` through the real services."""
    from luoshi.lib import clock
    from luoshi.reporting import services

    with clock.frozen(when):
        report = services.start_draft(reporter, report)
        for entry in report.entries.all():
            if entry.progress and entry.status == status and not actuals:
                continue  # carried over from the previous period: nothing to change
            data = {"progress": "按计划推进", "status": status}
            if status == "behind":
                data["behind_reason"] = "资金尚未到位"
            if actuals:
                data["actuals"] = {
                    k: v for k, v in actuals.items() if entry.measure.targets.filter(pk=k).exists()
                }
            services.save_entry(reporter, entry, data, entry.version)
        services.submit_for_signoff(reporter, report)
        return services.sign_off(head, report)


@pytest.fixture
def file():
    return file_report
