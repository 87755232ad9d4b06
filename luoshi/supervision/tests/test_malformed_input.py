"""Malformed input on the supervision pages answers a message, never a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("mid_november")


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2026-02-30", "明天", "1" * 500])
def test_a_reminder_dry_run_for_an_impossible_date_says_what_to_enter(
    client_for, coordinator, tracked, value
):
    page = client_for(coordinator).get(
        reverse("supervision:rule", args=[tracked.pk]), {"date": value}
    )
    assert page.status_code == 200
    assert "请按 YYYY-MM-DD 格式填写 2000 年至 2099 年之间的日期" in page.content.decode()


def test_a_reminder_dry_run_for_a_good_date_lists_the_reminders(client_for, coordinator, tracked):
    page = client_for(coordinator).get(
        reverse("supervision:rule", args=[tracked.pk]), {"date": "2026-11-30"}
    )
    assert page.status_code == 200
    assert "YYYY-MM-DD" not in page.content.decode()
