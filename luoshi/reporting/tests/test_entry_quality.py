"""Issue 19: a new draft is not a copy of last period's; an unchanged copy (or a text naming
another period) is refused unless the department says 本月无新进展 and why; every entry carries
quality flags, computed when it is saved, shown to the reporter, the head and the coordinator."""

import pytest
import time_machine
from django.urls import reverse

from luoshi.audit.models import AuditRecord
from luoshi.reporting import services
from luoshi.reporting.models import Report, StockPhrase
from luoshi.testing import HX, at, department, file_report, lead_entry, month, report_url

NOVEMBER_TEXT = "本月组织家电销售企业开展以旧换新促销活动，参与企业12家，回收旧家电1500台。"


@pytest.fixture
def december_draft(tracked, commerce_leads, commerce_reporter, commerce_head):
    """市商务局 filed November (a real text on every measure) and started December, on
    1 December 2026."""
    commerce = department("市商务局")
    with time_machine.travel(at(2026, 11, 25, 10), tick=False):
        file_report(
            month(tracked, 2026, 11).reports.get(organization=commerce),
            commerce_reporter,
            commerce_head,
            text=NOVEMBER_TEXT,
        )
    with time_machine.travel(at(2026, 12, 1, 9), tick=False):
        december = month(tracked, 2026, 12).reports.get(organization=commerce)
        return services.start_draft(commerce_reporter, december)


def _write(report, reporter, text, **more):
    """Every entry of `report` given `text` (and `more` fields) through save_entry."""
    for entry in report.entries.all():
        services.save_entry(reporter, entry, {"progress": text, **more}, entry.version)


def test_a_new_draft_starts_empty_with_last_periods_text_beside_each_entry(
    december_draft, client_for, commerce_reporter
):
    entries = list(december_draft.entries.all())
    assert entries and all(entry.progress == "" for entry in entries)
    page = client_for(commerce_reporter).get(report_url(december_draft)).content.decode()
    entry = lead_entry(december_draft)
    # The reference, with its period, and the button that takes it over into the text field.
    assert "上期填报内容（供参考）（2026年11月）" in page
    assert f'id="last-{entry.pk}">{NOVEMBER_TEXT}</div>' in page
    assert (
        f'data-take-over="id_e{entry.pk}-progress" data-source="last-{entry.pk}">采用并修改' in page
    )


@time_machine.travel(at(2026, 12, 10, 9), tick=False)
def test_an_unchanged_copy_of_last_period_is_refused(december_draft, commerce_reporter):
    _write(december_draft, commerce_reporter, NOVEMBER_TEXT)
    entry = lead_entry(december_draft)
    assert entry.flags[0] == "same_as_last"
    with pytest.raises(services.WorkflowError) as refused:
        services.submit_for_signoff(commerce_reporter, december_draft)
    assert f"{entry.measure.code}：与上期内容相同或提及其他报送期" in str(refused.value)
    december_draft.refresh_from_db()
    assert december_draft.status == Report.Status.DRAFT


@time_machine.travel(at(2026, 12, 10, 9), tick=False)
def test_a_text_naming_last_month_is_refused(december_draft, commerce_reporter):
    _write(december_draft, commerce_reporter, "2026年11月，组织家电企业开展促销，参与企业9家。")
    assert "names_other_period" in lead_entry(december_draft).flags
    with pytest.raises(services.WorkflowError):
        services.submit_for_signoff(commerce_reporter, december_draft)


@time_machine.travel(at(2026, 12, 10, 9), tick=False)
def test_no_new_progress_needs_a_reason(december_draft, commerce_reporter):
    _write(december_draft, commerce_reporter, NOVEMBER_TEXT, no_new_progress=True)
    with pytest.raises(services.WorkflowError) as refused:
        services.submit_for_signoff(commerce_reporter, december_draft)
    assert "请说明本月无新进展的原因" in str(refused.value)


@time_machine.travel(at(2026, 12, 10, 9), tick=False)
def test_a_copy_marked_no_new_progress_with_a_reason_goes_through_and_the_coordinator_sees_it(
    december_draft, commerce_reporter, commerce_head, coordinator, client_for
):
    reason = "项目处于审批阶段，本月无新的实质进展。"
    _write(
        december_draft,
        commerce_reporter,
        NOVEMBER_TEXT,
        no_new_progress=True,
        no_new_progress_reason=reason,
    )
    services.submit_for_signoff(commerce_reporter, december_draft)
    report = services.sign_off(commerce_head, december_draft)
    assert report.status == Report.Status.SUBMITTED
    entry = lead_entry(report)
    # Still flagged: the flag says what the text is, the mark says why it may be so.
    assert "same_as_last" in entry.flags
    client = client_for(coordinator)
    page = client.get(report_url(report)).content.decode()
    assert (
        '<span class="badge text-bg-info" data-testid="no-new-progress">本月无新进展</span> '
        + reason
        in page
    )
    queue = client.get(reverse("reporting:queue", args=[report.period.plan_id])).content.decode()
    count = report.entries.count()
    assert f'data-unchanged="{count}">{count} 条本月无新进展</span>' in queue
    assert f'data-flagged="{count}">{count} 条有质量提示</span>' in queue
    # The mark was recorded in the audit log with its reason.
    record = AuditRecord.objects.filter(
        action="change", object_type="reporting.reportentry", object_id=str(entry.pk)
    ).latest("pk")
    assert record.changes["no_new_progress"] == {"old": False, "new": True}
    assert record.changes["no_new_progress_reason"]["new"] == reason


@time_machine.travel(at(2026, 12, 10, 9), tick=False)
def test_other_flags_block_nothing(december_draft, commerce_reporter, commerce_head):
    _write(december_draft, commerce_reporter, "积极推进，取得明显成效。", status="done")
    flags = lead_entry(december_draft).flags
    assert "boilerplate" in flags and "too_short" in flags and "no_figures" in flags
    services.submit_for_signoff(commerce_reporter, december_draft)
    assert services.sign_off(commerce_head, december_draft).status == Report.Status.SUBMITTED


@time_machine.travel(at(2026, 12, 10, 9), tick=False)
def test_the_reporter_sees_the_flags_as_soon_as_the_entry_is_saved(
    december_draft, commerce_reporter, client_for
):
    entry = lead_entry(december_draft)
    response = client_for(commerce_reporter).post(
        reverse("reporting:entry", args=[entry.pk]),
        {
            "version": entry.version,
            f"e{entry.pk}-progress": "积极推进各项工作，取得明显成效。",
            f"e{entry.pk}-status": "in_progress",
        },
        headers=HX,
    )
    html = response.content.decode()
    assert f'<div id="flags-{entry.pk}" class="entry-flags small mb-2" hx-swap-oob="true"' in html
    assert (
        '<span class="badge text-bg-warning me-1" data-flag="boilerplate">只有套话</span>' in html
    )
    assert 'data-flag="too_short">内容过短</span>' in html
    assert 'data-flag="missing_actual">指标未填实际值</span>' in html


def test_the_coordinator_keeps_the_stock_phrases_and_every_change_is_audited(
    coordinator, commerce_reporter, client_for
):
    client = client_for(coordinator)
    url = reverse("reporting:phrases")
    assert "稳步推进" in client.get(url).content.decode()  # the list the migration brought
    client.post(url, {"text": "  全面发力  "})
    phrase = StockPhrase.objects.get(text="全面发力")
    assert AuditRecord.objects.filter(
        action="create", object_type="reporting.stockphrase", object_id=str(phrase.pk)
    ).exists()
    page = client.post(url, {"text": "全面发力"}, follow=True).content.decode()
    assert "这个套话已在列表中。" in page
    client.post(reverse("reporting:phrase_delete", args=[phrase.pk]))
    assert not StockPhrase.objects.filter(text="全面发力").exists()
    assert (
        AuditRecord.objects.filter(action="delete", object_type="reporting.stockphrase").count()
        == 1
    )
    # A department user may neither see nor change the list; a GET does not delete.
    reporter = client_for(commerce_reporter)
    assert reporter.get(url).status_code == 403
    assert reporter.post(url, {"text": "乱写"}).status_code == 403
    stays = StockPhrase.objects.get(text="稳步推进")
    assert (
        client_for(coordinator).get(reverse("reporting:phrase_delete", args=[stays.pk])).status_code
        == 405
    )


def test_the_matrix_marks_a_late_report_once_accepted_and_says_what_it_counts(
    reported, coordinator, client_for, tracked
):
    page = client_for(coordinator).get(reverse("reporting:matrix", args=[tracked.pk]))
    html = page.content.decode()
    late = reported["late"]
    assert (
        f'href="{report_url(late)}" title="市商务局 · 已验收 · 逾期">已验收</a>'
        '<span class="late-mark small text-danger ms-1">逾期</span>'
    ) in html
    # Accepted on time: no mark (its short text may carry a flag count, not the late mark).
    on_time_cell = html.split(f'href="{report_url(reported["on_time"])}"')[1].split("</td>")[0]
    assert on_time_cell.startswith(' title="市商务局 · 已验收">已验收</a>')
    assert "late-mark" not in on_time_cell
    assert "已报送（按时、逾期、已验收）/ 应报" in html


def test_the_score_sheet_deducts_for_flagged_entries_only_when_the_coordinator_asks(
    tracked, commerce_leads, commerce_reporter, commerce_head, coordinator
):
    from decimal import Decimal

    from luoshi.supervision import services as supervision

    december = month(tracked, 2026, 12).reports.get(organization=department("市商务局"))
    # Filed on time, every entry too short (flagged); October and November never filed.
    file_report(
        december, commerce_reporter, commerce_head, when=at(2026, 12, 10, 9), text="已推进。"
    )
    flagged = december.entries.count()
    sheet, rows = supervision.timeliness(coordinator, tracked, 2026, today=at(2027, 1, 5).date())
    commerce = next(row for row in rows if row.name == "市商务局")
    assert sheet.per_flagged == 0  # off by default
    assert (commerce.missing, commerce.flagged, commerce.score) == (2, flagged, Decimal(80))
    supervision.set_score_sheet(
        coordinator,
        tracked,
        start=Decimal(100),
        per_missing=Decimal(10),
        per_late=Decimal(1),
        per_returned=Decimal(2),
        per_flagged=Decimal("0.5"),
    )
    _sheet, rows = supervision.timeliness(coordinator, tracked, 2026, today=at(2027, 1, 5).date())
    commerce = next(row for row in rows if row.name == "市商务局")
    assert commerce.score == Decimal(80) - Decimal("0.5") * flagged


def test_the_matrix_with_readable_reports_has_a_pinned_query_count(
    reported, coordinator, client_for, tracked, django_assert_num_queries
):
    client = client_for(coordinator)
    # The seven of the matrix (test_pages_coordinator; the user is read with its unit) and the
    # flagged and "no new progress" entries of the reports whose text the coordinator reads,
    # one query for the page.
    with django_assert_num_queries(8):
        client.get(reverse("reporting:matrix", args=[tracked.pk]))
