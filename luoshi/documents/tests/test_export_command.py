"""manage.py export_report writes the consolidated report from the command line."""

import io

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from luoshi.reporting.models import Report, ReportEntry

pytestmark = pytest.mark.django_db


def test_export_report_writes_the_docx(reported, tmp_path):
    out = tmp_path / "report.docx"
    stdout = io.StringIO()
    call_command(
        "export_report",
        "--plan",
        str(reported.pk),
        "--period",
        "2026-10",
        "--out",
        str(out),
        "--doc-number",
        "枣发改经贸〔2026〕12号",
        "--date",
        "2026-12-01",
        stdout=stdout,
    )
    document = Document(out)
    texts = [p.text for p in document.paragraphs]
    assert "关于《促进绿色消费重点任务贯彻落实分工方案》2026年10月落实情况的报告" in texts
    assert "枣发改经贸〔2026〕12号" in texts and "2026年12月1日" in texts
    assert "应报 32" in stdout.getvalue()
    # By default the brief: key tasks in a few sentences, no per-department headings.
    assert "二、重点任务推进情况" in texts
    assert not any(t.startswith("1.") for t in texts)
    # --full: the full compilation holds every accepted entry's text.
    full = tmp_path / "full.docx"
    args = ["--plan", str(reported.pk), "--period", "2026-10", "--out", str(full), "--full"]
    call_command("export_report", *args, stdout=io.StringIO())
    body = "\n".join(p.text for p in Document(full).paragraphs)
    october = reported.periods.get(label="2026年10月")
    entries = ReportEntry.objects.filter(
        report__period=october, report__status=Report.Status.ACCEPTED
    ).exclude(progress="")
    assert entries.count() > 100
    for entry in entries:
        assert entry.progress.strip() in body


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "999999", "--period", "2026-10"], "没有编号为 999999 的方案"),
        (["--period", "2026-13"], "月份应写作 YYYY-MM"),
        (["--period", "2019-01"], "没有包含 2019-01 的报送期"),
    ],
)
def test_export_report_explains_bad_arguments(tracked, tmp_path, args, message):
    if "--plan" not in args:
        args = ["--plan", str(tracked.pk), *args]
    with pytest.raises(CommandError, match=message):
        call_command("export_report", *args, "--out", str(tmp_path / "x.docx"))
