"""The monthly brief as a GB/T 9704 .docx: the figures, each key task in two to four sentences,
the targets against their time-proportional schedule, the problems, the next steps and the
departments to watch (luoshi.documents.brief chooses the words). Written in Chinese, as the
full compilation (report_docx) is."""

import io
from decimal import Decimal

from luoshi.documents import official
from luoshi.documents.brief import TARGET_ROWS, Brief, build_brief
from luoshi.documents.report_docx import (
    LIGHT_NAMES,
    build_report_docx,
    chinese_number,
    summary_paragraphs,
    write_closing,
    write_head,
    write_imprint,
)
from luoshi.documents.services import ConsolidatedReport, accepted_paragraphs

TENTH = Decimal("0.1")


def _number(value) -> str:
    return f"{value.normalize():f}"


def build_document(report: ConsolidatedReport) -> bytes:
    """The brief (with the paragraphs the coordinator accepted for the period), or the full
    compilation of every entry when the options ask for it."""
    if report.options.full:
        return build_report_docx(report)
    return build_brief_docx(build_brief(report, accepted_paragraphs(report.period)))


def build_brief_docx(brief: Brief) -> bytes:
    report = brief.report
    writer = official.Writer()
    write_head(writer, report)
    opening, figures = summary_paragraphs(report, annexed=False)
    writer.body(opening)
    sections = [
        ("总体情况", _write_figures),
        ("重点任务推进情况", _write_tasks),
        ("量化指标完成情况", _write_targets),
        ("存在问题", _write_problems),
        ("下步工作", _write_next_steps),
    ]
    if brief.flags:
        sections.append(("需重点关注的部门", _write_flags))
    if brief.districts:
        sections.append(("各区（市）落实情况", _write_districts))
    for number, (heading, write) in enumerate(sections, start=1):
        writer.heading(f"{chinese_number(number)}、{heading}", 1)
        write(writer, brief, figures)
    write_closing(writer, report)
    write_imprint(writer, report)
    buffer = io.BytesIO()
    writer.document.save(buffer)
    return buffer.getvalue()


def _write_figures(writer, brief: Brief, figures: str):
    writer.body(figures)


def _write_tasks(writer, brief: Brief, _figures):
    for index, (task, paragraph, _accepted) in enumerate(brief.paragraphs, start=1):
        text = paragraph or "本期无经审核的进展报告。"
        writer.run_in(f"（{chinese_number(index)}）{task.title}。", text)


def _write_targets(writer, brief: Brief, _figures):
    targets = brief.report.targets
    if not targets:
        writer.body("本方案暂无量化指标。")
        return
    shown = targets
    if len(targets) > TARGET_ROWS:
        shown = [row for row in targets if row.light.colour in ("red", "yellow")]
        writer.body(f"下表列出红灯、黄灯指标{len(shown)}项，其余指标见全文汇编。")
    rows = []
    for row in shown:
        unit = row.target.unit
        rows.append(
            [
                row.measure.code,
                row.target.text,
                row.owner or "—",
                f"{_number(row.expected.quantize(TENTH))}{unit}"
                if row.expected is not None
                else "—",
                f"{_number(row.actual)}{unit}" if row.actual is not None else "—",
                LIGHT_NAMES.get(row.light.colour, row.light.colour),
            ]
        )
    writer.table(
        ["措施", "指标", "责任部门", "序时进度", "实际", "灯"], rows, [17, 55, 28, 22, 20, 14]
    )
    writer.blank()


def _write_problems(writer, brief: Brief, _figures):
    if not brief.problems and not brief.behind:
        writer.body("各责任部门本期未反映突出问题。")
        return
    parts = []
    if brief.problems:
        said = "；".join(f"{g.text}{g.said_by}" for g in brief.problems)
        more = f"等{brief.problem_count}个方面" if brief.problem_count > len(brief.problems) else ""
        parts.append(f"各责任部门反映的问题主要有：{said}{more}。")
    if brief.behind:
        said = "；".join(f"{g.text}{g.said_by}" for g in brief.behind)
        parts.append(f"进度滞后的原因主要是：{said}。")
    writer.body("".join(parts))


def _write_next_steps(writer, brief: Brief, _figures):
    report = brief.report
    figures = report.figures
    steps = []
    chase = figures.missing_names + figures.late_names
    if figures.missing_names:
        steps.append(f"督促{'、'.join(figures.missing_names)}尽快补报进展情况")
    elif chase:
        steps.append(f"提醒{'、'.join(figures.late_names)}按期报送")
    lights = brief.lights
    if lights["red"] or lights["yellow"]:
        steps.append(
            f"对红灯指标{lights['red']}项、黄灯指标{lights['yellow']}项逐项调度，"
            "督促责任部门按序时进度推进"
        )
    for group in brief.next_steps:
        steps.append(f"{group.text}{group.said_by}")
    for index, step in enumerate(steps, start=1):
        writer.body(f"{chinese_number(index)}是{step}。")


def _write_districts(writer, brief: Brief, _figures):
    """One paragraph per measure with districts behind or late, naming them."""
    for sentence in brief.districts:
        writer.body(sentence)


def _write_flags(writer, brief: Brief, _figures):
    said = "；".join(f"{flag.reason}：{flag.said}" for flag in brief.flags)
    writer.body(f"{said}。")
