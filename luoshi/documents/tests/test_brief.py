"""The monthly brief: the default consolidated report, at most six pages of GB/T 9704 layout,
whose task paragraphs carry the facts and figures of the month's entries."""

import datetime
import io
import subprocess

import pytest
from django.core.management import call_command
from docx import Document

from luoshi.documents.brief import build_brief, has_figures, sentences_of, task_paragraph, trimmed
from luoshi.documents.brief_docx import build_document
from luoshi.documents.services import (
    DepartmentText,
    consolidated_report,
    default_options,
    save_preset,
)
from luoshi.lib import clock
from luoshi.reporting import services as reporting
from luoshi.reporting.builder import build_reports
from luoshi.reporting.models import Report, ReportEntry
from luoshi.reporting.services.matrix import ReportState, report_matrix
from luoshi.testing import at, department, make_user, month, require_cjk_font, require_program

pytestmark = pytest.mark.django_db

# What 市商务局 and 市交通运输局 wrote in October, per measure (by its position in the report):
# the figures the brief must carry.
COMMERCE_FACT = "组织家电以旧换新促销活动{n}场，带动销售额{n}.6亿元"
COMMERCE = "2026年10月，" + COMMERCE_FACT + "。本月各项工作有序推进。"
TRANSPORT_FACT = "新增新能源公交车{n}0辆，建成充电桩{n}1个"
TRANSPORT = "我局" + TRANSPORT_FACT + "。工作取得积极成效。"


def _file(report, reporter, head, coordinator, text, when):
    """`report` written (entry i gets `text` with n = i + 1), submitted on time and accepted."""
    with clock.frozen(when):
        report = reporting.start_draft(reporter, report)
        entries = report.entries.order_by("measure__key_task__no", "measure__no")
        for n, entry in enumerate(entries, start=1):
            data = {"progress": text.format(n=n), "status": ReportEntry.Status.IN_PROGRESS}
            reporting.save_entry(reporter, entry, data, entry.version)
        reporting.submit_for_signoff(reporter, report)
        report = reporting.sign_off(head, report)
    with clock.frozen(when + datetime.timedelta(days=2)):
        return reporting.accept(coordinator, report)


@pytest.fixture
def month_of_demo(tracked, coordinator):
    """October 2026 of the seed plan: 市商务局 and 市交通运输局 wrote figures, every other
    department's report is the demo builder's (on time, late, missing, returned, accepted)."""
    october = month(tracked, 2026, 10)
    written = {}
    for name, text, code in (("市商务局", COMMERCE, "commerce"), ("市交通运输局", TRANSPORT, "t")):
        org = department(name)
        reporter = make_user(f"{code}_writer", "reporter", org)
        head = make_user(f"{code}_signer", "approver", org)
        report = october.reports.get(organization=org)
        written[name] = _file(report, reporter, head, coordinator, text, at(2026, 10, 26, 10, 0))
    build_reports(tracked, datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    return october, written


def _brief(plan, period, **changes):
    options = default_options(plan)
    for key, value in changes.items():
        setattr(options, key, value)
    report = consolidated_report(None, period, options)
    return report, build_document(report)


def _text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_rules_choose_sentences_with_figures_first():
    assert has_figures("新增充电桩1200个") and has_figures("占比35%")
    assert not has_figures("2026年10月召开会议") and not has_figures("各项工作有序推进")
    assert sentences_of("【示例数据】2026年10月，我局召开会议2次。工作有序推进！") == [
        "召开会议2次。",
        "工作有序推进！",
    ]
    long = (
        "围绕“推进绿色消费，扩大内需”，召开专题会议，研究部署工作，"
        "回收旧家电1200台，完成投资3.5亿元，各项工作有序推进"
    )
    # The context clause goes first, then the clauses without figures after the first.
    assert trimmed(long) == "召开专题会议，回收旧家电1200台，完成投资3.5亿元。"
    assert sentences_of("围绕“推进。落实”，开会。") == ["围绕“推进。落实”，开会。"]
    assert not has_figures("围绕“停车位100%建设”，召开会议")

    def text(name, progress):
        return DepartmentText(name, "", progress, "", "", "", "")

    class Section:
        def __init__(self, *texts):
            self.texts = texts

    sections = [
        Section(text("市商务局", "本月工作有序推进。新增网点12个。")),
        Section(text("市财政局", "本月工作有序推进。拨付资金300万元。"), text("市税务局", "")),
    ]
    # Figures first, in the report's order; the duplicate said once; every sentence credited.
    assert task_paragraph(sections) == (
        "市商务局新增网点12个。市财政局拨付资金300万元。市商务局工作有序推进。"
    )
    assert task_paragraph([Section(text("市商务局", ""))]) == ""


def test_the_brief_carries_the_figures_of_the_entries(month_of_demo):
    october, written = month_of_demo
    report, data = _brief(october.plan, october)
    paragraphs = {task.no: text for task, text, _accepted in build_brief(report).paragraphs}
    figures = {}  # key task number -> the figure sentences its entries hold, in order
    for name, fact in (("市商务局", COMMERCE_FACT), ("市交通运输局", TRANSPORT_FACT)):
        entries = written[name].entries.order_by("measure__key_task__no", "measure__no")
        for n, entry in enumerate(entries.select_related("measure__key_task"), start=1):
            figures.setdefault(entry.measure.key_task.no, []).append(fact.format(n=n))
    assert len(figures) >= 8
    text = _text(data)
    for task, sentences in figures.items():
        # The task's paragraph opens with one of them, and holds two at least when it has two.
        paragraph = paragraphs[task]
        kept = [s for s in sentences if s in paragraph]
        assert len(kept) >= min(len(sentences), 2), task
        assert any(paragraph.split("。")[0].endswith(s) for s in sentences), task
        assert paragraph in text
    # 五 has four measures of 市商务局 (the 4th to 7th of its entries) and nobody else's
    # figures: two sentences of 26 characters pass the task's budget of 36.
    assert paragraphs[5] == (
        "市商务局组织家电以旧换新促销活动4场，带动销售额4.6亿元。"
        "组织家电以旧换新促销活动5场，带动销售额5.6亿元。"
    )


def test_the_figures_and_lights_add_up(month_of_demo):
    october, _written = month_of_demo
    report, data = _brief(october.plan, october)
    figures = report.figures
    text = _text(data)
    assert figures.due == october.reports.count()
    assert figures.included == october.reports.filter(status=Report.Status.ACCEPTED).count()
    assert f"应报送进展情况的责任部门{figures.due}个" in text
    assert f"按时报送{figures.on_time}个" in text
    for name in figures.late_names + figures.missing_names:
        assert name in text
    colours = [row.light.colour for row in report.targets]
    total = len(colours)
    parts = {c: colours.count(c) for c in ("green", "yellow", "red", "none")}
    assert sum(parts.values()) == total
    sentence = (
        f"量化指标{total}项，按序时进度，其中绿灯{parts['green']}项、黄灯{parts['yellow']}项、"
        f"红灯{parts['red']}项"
    )
    assert sentence in text
    if parts["none"]:
        assert f"红灯{parts['red']}项、暂无数据{parts['none']}项" in text


def test_full_holds_every_entry(month_of_demo):
    october, _written = month_of_demo
    _report, data = _brief(october.plan, october, full=True)
    text = _text(data)
    entries = ReportEntry.objects.filter(
        report__period=october, report__status=Report.Status.ACCEPTED
    ).exclude(progress="")
    assert entries.count() > 100
    for entry in entries:
        assert entry.progress.strip() in text


def test_the_brief_is_at_most_six_pages_when_rendered(
    month_of_demo, coordinator, artifacts, tmp_path
):
    """export_report --issue for the month, as the office sends it (red heading, 文号, 签发人),
    rendered by LibreOffice: six A4 pages at most."""
    require_program("soffice", "libreoffice-writer")
    require_program("pdftoppm", "poppler-utils")
    require_cjk_font()
    october, _written = month_of_demo
    preset = {
        "issuer_mark": "枣庄市发展和改革委员会",
        "number_prefix": "枣发改经贸",
        "signer": "张三",
        "addressee": "枣庄市人民政府",
        "copy_to": "市委办公室",
        "printed_by": "枣庄市发展和改革委员会办公室",
    }
    save_preset(coordinator, october.plan, preset)
    out = artifacts / "brief.pdf"
    args = ["--plan", str(october.plan_id), "--period", "2026-10", "--issue", "--out", str(out)]
    call_command("export_report", *args, stdout=io.StringIO())
    import pdfplumber

    with pdfplumber.open(out) as document:
        pages = len(document.pages)
        first = document.pages[0].extract_text()
        last = document.pages[-1].extract_text()
    assert pages <= 6, pages
    assert "枣庄市发展和改革委员会文件" in first
    assert "枣发改经贸〔2026〕1号" in first.replace(" ", "")
    assert "签发人：张三" in first.replace(" ", "")
    assert "印发" in last  # the imprint closes the document
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(out), str(artifacts / "brief")],
        check=True,
        timeout=120,
    )


def test_the_brief_counts_what_the_matrix_shows(month_of_demo, coordinator):
    """The brief's figures are the coordinator's matrix column of the month, department by
    department: late ones include those accepted or returned since (the matrix's 逾期 mark)."""
    october, _written = month_of_demo
    with clock.frozen(at(2026, 11, 15, 9)):
        report, data = _brief(october.plan, october)
        matrix = report_matrix(coordinator, october.plan, periods=[october])
    states = {name: matrix.cells[(org, october.pk)] for org, name in matrix.departments}
    late = {ReportState.LATE}
    figures = report.figures
    assert figures.due == len(states) == october.reports.count()
    assert sorted(figures.missing_names) == sorted(
        name for name, (_pk, state) in states.items() if state == ReportState.MISSING
    )
    assert sorted(figures.late_names) == sorted(
        name for name, (pk, state) in states.items() if state in late or pk in matrix.late
    )
    assert figures.included == sum(
        1 for _pk, state in states.values() if state == ReportState.ACCEPTED
    )
    assert figures.missing and figures.late_names  # the demo's month has both
    text = _text(data)
    for name in figures.late_names + figures.missing_names:
        assert name in text
