"""The consolidated report as a GB/T 9704 .docx (python-docx).

An official document is Chinese whatever language the screen is in, so its wording is written
here in Chinese (as the importer's messages are), not taken from the UI catalogue.
"""

import io

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from luoshi.documents import official
from luoshi.documents.services import ConsolidatedReport, chinese_date
from luoshi.lib import clock

NUMERALS = "零一二三四五六七八九"
LIGHT_NAMES = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "none": "暂无"}
ANNEX_TITLE = "未报送进展情况的推进措施清单"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 19 → 十九, 23 → 二十三 (up to 99)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return NUMERALS[ones]
    prefix = "" if tens == 1 else NUMERALS[tens]
    return f"{prefix}十{NUMERALS[ones] if ones else ''}"


def _names(names: list[str]) -> str:
    return "、".join(names)


def _heading_of(text: str, limit: int = 60) -> str:
    """A measure's first sentence, shortened for a heading."""
    first = text.strip().split("。")[0].rstrip("，；;,")
    return first if len(first) <= limit else first[:limit] + "……"


def summary_paragraphs(report: ConsolidatedReport, *, annexed: bool = True) -> list[str]:
    plan, period, figures = report.plan, report.period, report.figures
    number = f"（{plan.doc_number}）" if plan.doc_number else ""
    opening = f"按照《{plan.title}》{number}要求，现将{period.label}各责任部门落实情况报告如下。"
    parts = [
        f"{period.label}应报送进展情况的责任部门{figures.due}个（截止日期"
        f"{chinese_date(period.due_date)}），按时报送{figures.on_time}个",
    ]
    if figures.late:
        parts.append(f"逾期报送{figures.late}个（{_names(figures.late_names)}）")
    else:
        parts.append("无逾期报送")
    if figures.missing:
        parts.append(f"未报送{figures.missing}个（{_names(figures.missing_names)}）")
    else:
        parts.append("无未报送部门")
    if figures.pending:
        parts.append(f"尚未到截止日期、暂未报送{figures.pending}个")
    kind = "经审核确认和已报送待审核" if report.options.include_submitted else "经审核确认"
    counted = "；".join(parts) + "。"
    closing = f"本报告汇总{kind}的报告{figures.included}份"
    if report.unreported:
        where = "（见附件）" if annexed else ""
        closing += f"，{len(report.unreported)}项推进措施本期无进展报告{where}"
    if report.targets:
        closing += "；" + lights_sentence(report)
    return [opening, counted + closing + "。"]


def lights_sentence(report: ConsolidatedReport) -> str:
    """量化指标9项，其中绿灯2项、黄灯3项、红灯1项、暂无数据3项: the parts add up to the whole."""
    lights = [row.light.colour for row in report.targets]
    text = (
        f"量化指标{len(lights)}项，按序时进度，其中绿灯{lights.count('green')}项、"
        f"黄灯{lights.count('yellow')}项、红灯{lights.count('red')}项"
    )
    if lights.count("none"):
        text += f"、暂无数据{lights.count('none')}项"
    return text


def write_head(writer, report: ConsolidatedReport):
    """The red heading and 文号 (as a document), the title and the main recipient."""
    options = report.options
    if options.as_document:
        writer.issuer_mark(options.signed_by)
        writer.doc_number(options.doc_number, options.signer)
    else:
        writer.blank()
    writer.title(report.title)
    writer.blank()
    if options.addressee:
        writer.body(f"{options.addressee}：", indent=False)


def build_report_docx(report: ConsolidatedReport) -> bytes:
    """The consolidated report as .docx bytes."""
    writer = official.Writer()
    write_head(writer, report)
    for text in summary_paragraphs(report):
        writer.body(text)
    _write_tasks(writer, report)
    _write_targets(writer, report, len(report.tasks) + 1)
    write_closing(writer, report, ANNEX_TITLE if report.unreported else "")
    _write_annex(writer, report)
    write_imprint(writer, report)
    buffer = io.BytesIO()
    writer.document.save(buffer)
    return buffer.getvalue()


def _write_tasks(writer, report: ConsolidatedReport):
    for task, sections in report.tasks:
        writer.heading(f"{task.numeral}、{task.title}", 1)
        if not sections:
            writer.body("本期无进展报告，相关推进措施见附件。")
            continue
        for index, section in enumerate(sections, start=1):
            measure = section.measure
            writer.heading(
                f"（{chinese_number(index)}）{_heading_of(measure.text)}（措施{measure.code}）", 2
            )
            for number, text in enumerate(section.texts, start=1):
                role = f"（{text.role}）" if text.role else ""
                writer.heading(f"{number}.{text.name}{role}", 3)
                status = f"（{text.status}）" if text.status else ""
                writer.body(f"进展情况{status}：{text.progress or '未填写。'}")
                if text.behind_reason:
                    writer.body(f"滞后原因：{text.behind_reason}")
                if text.problems:
                    writer.body(f"存在问题：{text.problems}")
                if text.next_steps:
                    writer.body(f"下步计划：{text.next_steps}")


def _write_targets(writer, report: ConsolidatedReport, number: int):
    writer.heading(f"{chinese_number(number)}、量化指标完成情况", 1)
    if not report.targets:
        writer.body("本方案暂无量化指标。")
        return
    rows = []
    for row in report.targets:
        actual = f"{row.actual.normalize():f}{row.target.unit}" if row.actual is not None else "—"
        deadline = chinese_date(row.target.deadline) if row.target.deadline else ""
        target = row.target.text + (f"（{deadline}前）" if deadline else "")
        rows.append(
            [
                row.measure.code,
                target,
                row.owner or "—",
                actual,
                LIGHT_NAMES.get(row.light.colour, row.light.colour),
            ]
        )
    writer.table(["措施", "指标", "责任部门", "实际", "灯"], rows, [16, 70, 30, 22, 18])
    writer.blank()


def write_closing(writer, report: ConsolidatedReport, annex_title: str = ""):
    options = report.options
    writer.blank()
    if annex_title:
        annex = writer.body(f"附件：{annex_title}")
        annex.paragraph_format.first_line_indent = official.Pt(official.BODY_PT * 2)
    writer.blank()
    writer.blank()
    day = options.date or clock.today()
    # 成文日期 右空四字; the issuing office centred above it (GB/T 9704 7.3.5.1).
    signature = writer.body(options.signed_by, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    date_text = chinese_date(day)
    gap = max(len(date_text) - len(options.signed_by), 0) / 2
    signature.paragraph_format.right_indent = Pt(official.BODY_PT * (4 + gap))
    dated = writer.body(date_text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    dated.paragraph_format.right_indent = Pt(official.BODY_PT * 4)


def _write_annex(writer, report: ConsolidatedReport):
    if not report.unreported:
        return
    writer.page_break()
    annex = writer.body("附件", indent=False)
    official.set_font(annex.runs[0], official.HEITI, official.BODY_PT)
    writer.blank()
    writer.title(ANNEX_TITLE)
    writer.blank()
    rows = [
        [str(i), section.measure.code, section.measure.text, _names(section.departments)]
        for i, section in enumerate(report.unreported, start=1)
    ]
    writer.table(["序号", "措施", "措施内容", "责任部门"], rows, [14, 16, 86, 40])


def write_imprint(writer, report: ConsolidatedReport):
    options = report.options
    writer.blank()
    writer.imprint(options.copy_to, options.printed_by, chinese_date(options.date or clock.today()))
