"""`manage.py import_plan FILE` with --dry-run, --format, --tracking-start, --no-schedule."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from luoshi.audit.models import AuditRecord
from luoshi.plans.models import Plan
from luoshi.plans.seed import SEED
from luoshi.reporting.models import PlanSchedule
from luoshi.testing import at, night_plan_docx


def run(*args) -> str:
    out, err = StringIO(), StringIO()
    call_command("import_plan", *map(str, args), stdout=out, stderr=err)
    return out.getvalue()


def test_dry_run_prints_the_json_contract_and_writes_nothing(db):
    data = json.loads(run(SEED, "--dry-run", "--format", "json"))
    assert data["doc_number"] == "枣发改经贸〔2022〕243号"
    assert data["report_to"] == "市发展改革委"
    assert data["reporting"]["frequency"] == "monthly"
    assert data["reporting"]["due_day"] == 28
    assert len(data["tasks"]) == 18
    assert sum(len(t["measures"]) for t in data["tasks"]) == 77
    assert not Plan.objects.exists()


def test_import_creates_the_plan(region):
    out = run(SEED)
    assert "18" in out and "77" in out
    assert Plan.objects.get().doc_number == "枣发改经贸〔2022〕243号"


def test_a_gbk_encoded_document_imports_the_same(region, tmp_path):
    gbk = tmp_path / "plan-gbk.txt"
    gbk.write_bytes(SEED.read_text(encoding="utf-8").encode("gb18030"))
    assert json.loads(run(gbk, "--dry-run", "--format", "json")) == json.loads(
        run(SEED, "--dry-run", "--format", "json")
    )


def test_importing_twice_says_so_in_chinese(region):
    run(SEED)
    with pytest.raises(CommandError, match="已导入"):
        run(SEED)
    assert Plan.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.doc", b"\xd0\xcf\x11\xe0", "支持的文件类型"),
        ("binary.txt", bytes(range(256)) * 4, "编码"),
        ("empty.txt", b"", "文件是空的"),
        ("unrelated.txt", "今天天气很好。".encode(), "没有找到分工表"),
    ],
)
def test_bad_files_get_a_clear_chinese_message(db, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(path, "--dry-run")


def test_a_missing_file_is_named(db, tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        run(tmp_path / "nope.txt")


# --- The schedule: --tracking-start and --no-schedule -----------------------------------------


@pytest.fixture
def night_plan(tmp_path, settings):
    """夜间经济 (每月25日前) as a .docx file, seen on 10 December 2026."""
    import time_machine

    settings.REPORTING_TRACKING_START = ""
    settings.REPORTING_PERIODS_AHEAD = 1
    path = tmp_path / "夜间经济.docx"
    path.write_bytes(night_plan_docx())
    with time_machine.travel(at(2026, 12, 10, 10), tick=False):
        yield path


def test_an_imported_plan_is_tracked_from_this_month(region, night_plan):
    run(night_plan)
    plan = Plan.objects.get()
    assert plan.schedule.tracking_start == datetime.date(2026, 12, 1)
    assert [(p.label, p.due_date) for p in plan.periods.order_by("start")] == [
        ("2026年12月", datetime.date(2026, 12, 25)),
        ("2027年1月", datetime.date(2027, 1, 25)),
    ]
    assert sorted(plan.periods.first().reports.values_list("organization__name", flat=True)) == [
        "市交通运输局",
        "市商务局",
    ]
    # The system set it up: the schedule's creation is audited without a user.
    record = AuditRecord.objects.get(action="create", object_type="reporting.planschedule")
    assert record.user is None and record.changes["tracking_start"]["new"] == "2026-12-01"


def test_tracking_start_picks_the_first_month(region, night_plan):
    run(night_plan, "--tracking-start", "2026-10")
    plan = Plan.objects.get()
    assert [p.label for p in plan.periods.order_by("start")] == [
        "2026年10月",
        "2026年11月",
        "2026年12月",
        "2027年1月",
    ]


def test_no_schedule_imports_the_plan_only_and_the_daily_run_leaves_it(region, night_plan):
    run(night_plan, "--no-schedule")
    plan = Plan.objects.get()
    assert not PlanSchedule.objects.exists() and not plan.periods.exists()
    call_command("ensure_periods", stdout=StringIO())
    assert not PlanSchedule.objects.exists() and not plan.periods.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tracking-start", "2026-13"], "2026-13 不是月份"),
        (["--tracking-start", "十二月"], "十二月 不是月份"),
        (["--tracking-start", "2026-12", "--no-schedule"], "不能同时使用"),
    ],
)
def test_bad_schedule_flags_get_a_chinese_message(region, night_plan, args, message):
    with pytest.raises(CommandError, match=message):
        run(night_plan, *args)
    assert not Plan.objects.exists()


def test_a_document_without_a_rule_needs_no_schedule(region, night_plan):
    night_plan.write_bytes(night_plan_docx(rule=""))
    with pytest.raises(CommandError, match="文件未写明报送要求：请加 --no-schedule 导入"):
        run(night_plan)
    assert not Plan.objects.exists()
    run(night_plan, "--no-schedule")
    assert Plan.objects.get().report_frequency == ""
