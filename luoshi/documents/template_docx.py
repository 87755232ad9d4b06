"""A department's report as a Word template to fill in offline, and reading it back.

The template has one table per measure with labelled rows (措施编号, 进展情况, 状态, 滞后原因,
存在问题, 下步计划, and one row per target's actual value). The report and the department are kept
in the file's properties and each entry's version at download time in its table, so an upload is
matched to its report and a text changed online since the download is never overwritten
silently: the whole upload is refused with the measures concerned, and nothing is saved.
Every saved measure goes through `luoshi.reporting.services.save_entry` (checks and audit).
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from luoshi.audit.services import record_change
from luoshi.documents import official
from luoshi.importing.office_zip import (
    BrokenZip,
    ZipBomb,
    check_office_zip,
    open_office_zip,
)
from luoshi.orgs.models import User
from luoshi.plans.models import Measure
from luoshi.reporting import services as reporting
from luoshi.reporting.models import Report, ReportEntry

MARK = "luoshi-report"
VERSION = "版本（请勿修改）"
CODE, PROGRESS, STATUS, BEHIND, PROBLEMS, NEXT, TARGET = (
    "措施编号",
    "进展情况",
    "状态",
    "滞后原因",
    "存在问题",
    "下步计划",
    "指标",
)
FIELDS = {PROGRESS: "progress", BEHIND: "behind_reason", PROBLEMS: "problems", NEXT: "next_steps"}
EDITING_ROLES = (User.Role.REPORTER, User.Role.APPROVER)
UNREADABLE = "无法读取该文件：请上传从本系统下载、用 Word 或 WPS 保存的 .docx 模板（不支持 .doc）。"


class TemplateRefused(Exception):
    """The upload cannot become the draft; `problems` lists why, in Chinese."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


def get_report_for_template(user: User, pk: int) -> Report:
    """The department's own report (else 404), for its reporter or approver (else 403)."""
    report = reporting.get_report(user, pk)
    if not user.is_department_user or user.organization_id != report.organization_id:
        raise PermissionDenied
    return report


def _status_labels() -> list[tuple[str, str]]:
    """(label, value) in Chinese and English, and the stored values themselves."""
    pairs = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            pairs += [(str(label), value) for value, label in ReportEntry.Status.choices]
    return pairs + [(value, value) for value in ReportEntry.Status.values]


def _entries(report: Report):
    return list(
        report.entries.select_related("measure__key_task")
        .prefetch_related("measure__targets", "actuals")
        .order_by("measure__key_task__no", "measure__no")
    )


def build_template(report: Report) -> bytes:
    """The report's current draft as a Word template (the expected measures when not started)."""
    entries = _entries(report)
    if not entries:
        measures = reporting.expected_measures(report)
        blank = (
            Measure.objects.filter(pk__in=measures)
            .select_related("key_task")
            .prefetch_related("targets")
            .order_by("key_task__no", "no")
        )
        entries = [ReportEntry(measure=m, version=1) for m in blank]
    writer = official.Writer()
    period = report.period
    writer.title(f"{period.plan.title}{period.label}进展情况报告")
    writer.body(f"报送单位：{report.organization.name}", indent=False)
    writer.body(
        "填写说明：请在每张表格右栏填写；“状态”填写未启动、推进中、已完成或滞后（滞后须写明原因）；"
        "空白栏目不会清除系统中已有的内容；请勿改动“措施编号”和表格的左栏。填好后在系统中上传本文件。",
        indent=False,
    )
    with translation.override("zh-hans"):
        status_labels = dict(ReportEntry.Status.choices)
        for entry in entries:
            measure = entry.measure
            writer.heading(f"{measure.code}　{measure.text}", 2)
            actuals = {}
            if entry.pk:
                actuals = {a.target_id: f"{a.value.normalize():f}" for a in entry.actuals.all()}
            rows = [
                (CODE, measure.code),
                (PROGRESS, entry.progress),
                (STATUS, str(status_labels[entry.status])),
                (BEHIND, entry.behind_reason),
                (PROBLEMS, entry.problems),
                (NEXT, entry.next_steps),
            ]
            for index, target in enumerate(measure.targets.all(), start=1):
                label = f"{TARGET}{index}：{target.text}（实际值，{target.unit or '数值'}）"
                rows.append((label, actuals.get(target.pk, "")))
            rows.append((VERSION, str(entry.version)))
            _entry_table(writer, rows)
            writer.blank()
    properties = writer.document.core_properties
    properties.title = f"{report.organization.name}{period.label}进展情况报告"
    properties.identifier = f"{MARK}:{report.pk}:{report.organization_id}"
    buffer = io.BytesIO()
    writer.document.save(buffer)
    return buffer.getvalue()


def _entry_table(writer, rows):
    table = writer.document.add_table(rows=len(rows), cols=2)
    table.style = writer.table_style
    for row, (label, value) in zip(table.rows, rows, strict=True):
        for cell, text, bold in ((row.cells[0], label, True), (row.cells[1], value, False)):
            paragraph = cell.paragraphs[0]
            official._off_grid(paragraph)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
            run = paragraph.add_run(text)
            official.set_font(run, official.HEITI if bold else official.FANGSONG, 14)
    official._fix_widths(table, [40, 116])
    for cell in table.columns[0].cells:
        cell.paragraphs[0].paragraph_format.space_before = Pt(2)
    table.rows[0].height = Mm(8)


# --- Reading an upload back --------------------------------------------------------------------


@dataclass
class Parsed:
    report_pk: int
    organization_pk: int
    versions: dict[str, int]
    measures: dict[str, dict] = field(default_factory=dict)  # code -> {label: text}


def _open(upload) -> Document:
    if upload.size > settings.REPORTING_ATTACHMENT_MAX_BYTES:
        raise TemplateRefused(["文件过大，请上传本系统下载的 Word 模板。"])
    upload.seek(0)
    data = upload.read()
    try:
        # Judged before python-docx inflates anything in memory (zip bombs).
        check_office_zip(data)
        with open_office_zip(data) as archive:
            if "word/document.xml" not in archive.namelist():
                raise BrokenZip
        return Document(io.BytesIO(data))
    except ZipBomb as error:
        raise TemplateRefused([str(error)]) from None
    except Exception:  # noqa: BLE001 - any damage to the file means the same to the user
        raise TemplateRefused([UNREADABLE]) from None


def parse_template(upload) -> Parsed:
    document = _open(upload)
    properties = document.core_properties
    parts = (properties.identifier or "").split(":")
    if len(parts) != 3 or parts[0] != MARK or not parts[1].isdigit() or not parts[2].isdigit():
        raise TemplateRefused(["这不是本系统下载的报告模板，请先下载本报告的 Word 模板再填写。"])
    parsed = Parsed(int(parts[1]), int(parts[2]), {})
    for table in document.tables:
        rows = {}
        for row in table.rows:
            cells = row.cells
            if len(cells) < 2:
                continue
            rows[cells[0].text.strip()] = cells[-1].text.strip()
        code = rows.get(CODE)
        if code:
            parsed.measures[code] = rows
            if rows.get(VERSION, "").isdigit():
                parsed.versions[code] = int(rows[VERSION])
    return parsed


def _value(rows: dict, label: str) -> str:
    for key, value in rows.items():
        if key.startswith(label):
            return value
    return ""


def _changes(entry: ReportEntry, rows: dict, statuses, problems: list[str]) -> dict:
    """The fields whose uploaded text differs from the stored one (blank leaves it as it is)."""
    code = entry.measure.code
    data = {}
    for label, name in FIELDS.items():
        value = _value(rows, label)
        if value and value != getattr(entry, name):
            data[name] = value
    status_text = _value(rows, STATUS)
    if status_text:
        status = next((v for label, v in statuses if label == status_text), None)
        if status is None:
            problems.append(
                f"措施{code}的状态“{status_text}”无法识别，请填写未启动、推进中、已完成或滞后。"
            )
        elif status != entry.status:
            data["status"] = status
    actuals = {a.target_id: a.value for a in entry.actuals.all()}
    for index, target in enumerate(entry.measure.targets.all(), start=1):
        text = _value(rows, f"{TARGET}{index}：").replace(",", "").replace(target.unit, "").strip()
        if not text:
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():  # "abc", "inf", "NaN", "sNaN"
            problems.append(f"措施{code}的指标{index}实际值“{text}”不是数字。")
            continue
        if actuals.get(target.pk) != value:
            data.setdefault("actuals", {})[target.pk] = value
    return data


def import_template(user: User, report: Report, upload) -> list[str]:
    """Read a filled template into the report's draft; returns the codes of the measures saved.

    All or nothing: any problem (another report's or department's file, an unreadable status
    or number, a measure changed online since the download, a report no longer editable)
    raises TemplateRefused and nothing is saved.
    """
    if user.role not in EDITING_ROLES or user.organization_id != report.organization_id:
        raise PermissionDenied
    parsed = parse_template(upload)
    if parsed.organization_pk != report.organization_id:
        raise TemplateRefused(["这是其他部门的报告模板，不能导入本部门的报告。"])
    if parsed.report_pk != report.pk:
        raise TemplateRefused(
            [f"这是本部门另一报送期的报告模板，请下载并填写本期（{report.period.label}）的模板。"]
        )
    if not parsed.measures:
        raise TemplateRefused(["文件中没有找到措施表格，请勿删除模板中的表格。"])
    try:
        with transaction.atomic():
            saved = _import(user, report, parsed, getattr(upload, "name", ""))
    except (reporting.WorkflowError, ValidationError) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        raise TemplateRefused(messages) from None
    return saved


def _import(user: User, report: Report, parsed: Parsed, name: str) -> list[str]:
    if report.status == Report.Status.NOT_STARTED:
        report = reporting.start_draft(user, report)
    entries = {e.measure.code: e for e in _entries(report)}
    problems = [
        f"模板中的措施{code}不属于本报告。" for code in parsed.measures if code not in entries
    ]
    statuses = _status_labels()
    planned = []
    for code, rows in parsed.measures.items():
        entry = entries.get(code)
        if entry is None:
            continue
        data = _changes(entry, rows, statuses, problems)
        if data:
            planned.append((entry, data, parsed.versions.get(code, entry.version)))
    if problems:
        raise TemplateRefused(problems)
    saved, conflicts = [], []
    for entry, data, version in planned:
        try:
            reporting.save_entry(user, entry, data, version)
        except reporting.EditConflict as conflict:
            who = conflict.current.updated_by or "他人"
            conflicts.append(
                f"措施{entry.measure.code}在您下载模板后已由{who}在系统中修改，"
                "为免覆盖未导入；请重新下载模板后再填写。"
            )
        else:
            saved.append(entry.measure.code)
    if conflicts:
        raise TemplateRefused(conflicts)
    record_change(
        user,
        "import word template",
        report,
        {"file": {"old": None, "new": name[:200]}, "measures": {"old": None, "new": saved}},
    )
    return saved
