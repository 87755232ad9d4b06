"""In a real browser (issue 19): last period's text stands beside the empty entry; one click
takes it over into the field, which saves it; the flag "same as last period" appears as soon as
it is saved, and ticking 本月无新进展 shows the field for its reason."""

import pytest
import time_machine

from luoshi.reporting import services
from luoshi.testing import at, department, file_report, lead_entry, month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOVEMBER_TEXT = "本月组织家电销售企业开展以旧换新促销活动，参与企业12家，回收旧家电1500台。"


@time_machine.travel(at(2026, 12, 10, 10), tick=True)
def test_last_periods_text_is_taken_over_with_one_click_and_flagged_as_a_copy(
    live_server,
    logged_in_page,
    artifacts,
    tracked,
    commerce_leads,
    commerce_reporter,
    commerce_head,
):
    commerce = department("市商务局")
    file_report(
        month(tracked, 2026, 11).reports.get(organization=commerce),
        commerce_reporter,
        commerce_head,
        when=at(2026, 11, 25, 10),
        text=NOVEMBER_TEXT,
    )
    december = services.start_draft(
        commerce_reporter, month(tracked, 2026, 12).reports.get(organization=commerce)
    )
    entry = lead_entry(december)
    page = logged_in_page(commerce_reporter.username, next=f"/reporting/reports/{december.pk}/")
    card = page.locator(f"#entry-{entry.pk}")
    field = card.get_by_label("进展情况")
    assert field.input_value() == ""
    card.get_by_role("button", name="采用并修改").click()
    assert field.input_value() == NOVEMBER_TEXT
    card.locator('[data-flag="same_as_last"]').wait_for()
    reason = card.get_by_label("本月无新进展的原因（必填）")
    assert not reason.is_visible()
    card.get_by_label("本月无新进展", exact=True).check()
    reason.wait_for()
    page.screenshot(path=str(artifacts / "entry-quality-take-over.png"), full_page=False)
    assert page.errors == []
