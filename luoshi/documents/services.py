"""What the official documents contain, read in a constant number of queries.

`consolidated_report()` gathers the consolidated monthly report of a plan and period (the
figures, every included department's text per measure, the targets with their lights and the
measures nobody reported on); `luoshi.documents.report_docx` lays it out as GB/T 9704 .docx.
`ledger_rows()` gathers the ledger (台账) for the .xlsx. Permission checks live here too.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.http import Http404
from django.utils.translation import gettext as _

from luoshi.audit.services import diff, record_change
from luoshi.documents.models import DocumentNumber, DocumentPreset, TaskParagraph
from luoshi.lib import clock
from luoshi.orgs.models import Organization, User
from luoshi.plans.access import get_plan_for_coordinator, require_plan_coordinator
from luoshi.plans.models import Assignment, KeyTask, Measure, Plan, Target
from luoshi.reporting.models import Period, Report, ReportEntry
from luoshi.reporting.rollup import Rollup, measure_rollup
from luoshi.reporting.services import ReportState, report_state
from luoshi.supervision.lights import Light, scheduled_value, target_light

ROLE_NAMES = {Assignment.Role.LEAD: "牵头", Assignment.Role.CO: "配合"}
STATUS_LABELS = dict(ReportEntry.Status.choices)  # lazy labels: translated when shown


# --- Who may export what ---------------------------------------------------------------------


def get_plan_for_export(user: User, pk: int) -> Plan:
    """The plan if the user may export it: 404 when they cannot see it, 403 by role."""
    return get_plan_for_coordinator(user, pk, leaders_too=True)


def get_period_for_export(user: User, plan_pk: int, period_pk: int) -> Period:
    plan = get_plan_for_export(user, plan_pk)
    period = Period.objects.filter(plan=plan, pk=period_pk).first()
    if period is None:
        raise Http404("no such period for this plan")
    period.plan = plan
    return period


def get_task_for_brief(user: User, plan_pk: int, period_pk: int, task_pk: int):
    """(period, key task) whose brief paragraph the plan's coordinator edits: 404 for what the
    user cannot see, 403 for a leader (who reads, never edits)."""
    plan = get_plan_for_coordinator(user, plan_pk)
    period = Period.objects.filter(plan=plan, pk=period_pk).first()
    task = KeyTask.objects.filter(plan=plan, pk=task_pk).first()
    if period is None or task is None:
        raise Http404("no such period or key task for this plan")
    period.plan = task.plan = plan
    return period, task


def find_period(plan: Plan, month: str) -> Period:
    """The plan's period containing the month written YYYY-MM (for the command line)."""
    try:
        year, number = (int(part) for part in month.split("-"))
        day = datetime.date(year, number, 1)
    except ValueError:
        raise ValueError(
            _("Write the month as YYYY-MM, e.g. 2022-10, not “%(month)s”.") % {"month": month}
        ) from None
    period = Period.objects.filter(plan=plan, start__lte=day, end__gte=day).first()
    if period is None:
        raise ValueError(_("The plan has no period containing %(month)s.") % {"month": month})
    return period


def chinese_date(day: datetime.date) -> str:
    """2022年10月5日: Arabic numerals, no leading zeros (GB/T 9704-2012 7.3.5.4)."""
    return f"{day.year}年{day.month}月{day.day}日"


# --- The consolidated report ----------------------------------------------------------------


@dataclass
class ReportOptions:
    """What the coordinator chooses on the page (or the command line)."""

    include_submitted: bool = False
    as_document: bool = False
    doc_number: str = ""
    addressee: str = ""  # 主送机关
    copy_to: str = ""  # 抄送
    printed_by: str = ""  # 印发机关
    signed_by: str = ""  # 落款 (the issuing office)
    date: datetime.date | None = None  # 成文日期 and 印发日期
    signer: str = ""  # 签发人 (an upward report names who signed it off)
    full: bool = False  # the full compilation of every entry instead of the brief


def default_options(plan: Plan, today: datetime.date | None = None) -> ReportOptions:
    """Sensible defaults from the plan: to the region's government, copied to the plan's other
    issuing departments, signed and printed by the coordinating office."""
    coordinator = plan.coordinator
    office = (coordinator.full_name or coordinator.name) if coordinator else ""
    region = plan.region.name
    others = [name for name in plan.issuers if name != office]
    return ReportOptions(
        addressee=f"{region}人民政府" if region else "",
        copy_to="，".join(others),
        printed_by=f"{office}办公室" if office else "",
        signed_by=office,
        date=today or clock.today(),
    )


@dataclass
class DepartmentText:
    name: str
    role: str  # 牵头 / 配合 / ""
    progress: str
    status: str
    behind_reason: str
    problems: str
    next_steps: str
    behind: bool = False  # the entry says 滞后


@dataclass
class MeasureSection:
    measure: Measure
    departments: list[str]  # every responsible department, as the plan writes them
    texts: list[DepartmentText] = field(default_factory=list)


@dataclass
class TargetRow:
    measure: Measure
    target: Target
    owner: str
    actual: Decimal | None
    light: Light
    expected: Decimal | None = None  # 序时进度: due by today on the time-proportional schedule


@dataclass
class Figures:
    due: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0  # not submitted, but the due day is not over
    late_names: list[str] = field(default_factory=list)
    missing_names: list[str] = field(default_factory=list)
    included: int = 0


@dataclass
class ConsolidatedReport:
    plan: Plan
    period: Period
    options: ReportOptions
    figures: Figures
    tasks: list[tuple[KeyTask, list[MeasureSection]]]  # every key task; [] when none reported
    targets: list[TargetRow]
    unreported: list[MeasureSection]
    # What the districts report on the measures carrying out the plan's (issue 23).
    districts: Rollup | None = None

    @property
    def title(self) -> str:
        return f"关于《{self.plan.title}》{self.period.label}落实情况的报告"


def included_statuses(include_submitted: bool) -> tuple[str, ...]:
    if include_submitted:
        return (Report.Status.ACCEPTED, Report.Status.SUBMITTED)
    return (Report.Status.ACCEPTED,)


def figures_of(period: Period, reports, today: datetime.date, statuses) -> Figures:
    """Submission figures of the period from its reports (organization loaded)."""
    figures = Figures()
    for report in reports:
        figures.due += 1
        state = report_state(report.status, report.late, period.due_date, today)
        if state == ReportState.MISSING:
            figures.missing += 1
            figures.missing_names.append(report.organization.name)
        elif report.submitted_at is None:
            figures.pending += 1
        elif report.late:
            figures.late += 1
            figures.late_names.append(report.organization.name)
        else:
            figures.on_time += 1
        if report.status in statuses:
            figures.included += 1
    return figures


def consolidated_report(
    user: User | None,
    period: Period,
    options: ReportOptions,
    today: datetime.date | None = None,
) -> ConsolidatedReport:
    """Everything the consolidated report of `period` says, in 9 queries whatever the number
    of departments, measures or reports (three more when districts carry out its measures).
    `user` None is the system (the command line)."""
    plan = period.plan
    if user is not None:
        require_plan_coordinator(user, plan, leaders_too=True)
    today = today or clock.today()
    statuses = included_statuses(options.include_submitted)
    reports = list(
        Report.objects.filter(period=period)
        .select_related("organization")
        .order_by("organization__name")
    )
    figures = figures_of(period, reports, today, statuses)
    included = {r.pk for r in reports if r.status in statuses}
    entries = defaultdict(list)
    actuals = {}  # (target id, organization id) -> value
    rows = (
        ReportEntry.objects.filter(report_id__in=included)
        .select_related("report__organization")
        .prefetch_related("actuals")
        .order_by("report__organization__name")
    )
    for entry in rows:
        entries[entry.measure_id].append(entry)
        for actual in entry.actuals.all():
            actuals[(actual.target_id, entry.report.organization_id)] = actual.value
    measures = Measure.objects.prefetch_related(
        Prefetch("assignments", Assignment.objects.select_related("organization")),
        Prefetch("targets", Target.objects.select_related("owner")),
    ).order_by("no")
    tasks, targets, unreported = [], [], []
    key_tasks = plan.key_tasks.prefetch_related(Prefetch("measures", measures)).order_by("no")
    for task in key_tasks:
        sections = []
        for measure in task.measures.all():
            if measure.closed_at is not None and clock.local_date(measure.closed_at) < period.start:
                continue
            section = _section(measure, entries.get(measure.pk, []))
            if section.texts:
                sections.append(section)
            else:
                unreported.append(section)
            targets += _target_rows(measure, actuals, today, plan.issue_date)
        tasks.append((task, sections))
    return ConsolidatedReport(
        plan=plan,
        period=period,
        options=options,
        figures=figures,
        tasks=tasks,
        targets=targets,
        unreported=unreported,
        districts=measure_rollup(plan, today, period=period),
    )


def _section(measure: Measure, entries: list[ReportEntry]) -> MeasureSection:
    assignments = list(measure.assignments.all())
    roles = {a.organization_id: ROLE_NAMES.get(a.role, "") for a in assignments}
    # The lead first, then the others in the plan's order of names.
    order = {a.organization_id: i for i, a in enumerate(assignments)}
    entries = sorted(entries, key=lambda e: order.get(e.report.organization_id, 99))
    status_labels = STATUS_LABELS
    texts = [
        DepartmentText(
            name=e.report.organization.name,
            role=roles.get(e.report.organization_id, ""),
            progress=e.progress.strip(),
            status=str(status_labels.get(e.status, "")),
            behind_reason=e.behind_reason.strip(),
            problems=e.problems.strip(),
            next_steps=e.next_steps.strip(),
            behind=e.status == ReportEntry.Status.BEHIND,
        )
        for e in entries
    ]
    return MeasureSection(
        measure=measure,
        departments=[a.organization.name for a in assignments],
        texts=texts,
    )


def _target_rows(measure: Measure, actuals, today, start) -> list[TargetRow]:
    rows = []
    lead = next(
        (a.organization for a in measure.assignments.all() if a.role == Assignment.Role.LEAD),
        None,
    )
    for target in measure.targets.all():
        owner = target.owner or lead
        actual = actuals.get((target.pk, owner.pk)) if owner else None
        light = target_light(target, actual, today, start=start)
        rows.append(
            TargetRow(
                measure=measure,
                target=target,
                owner=owner.name if owner else "",
                actual=actual,
                light=light,
                expected=scheduled_value(target, today, start=start),
            )
        )
    return rows


# --- The ledger -----------------------------------------------------------------------------

# Only a report its department has sent shows its text: a draft, a report waiting for the head's
# sign-off and a returned report being corrected say NOT_REPORTED and nothing of what they hold.
REPORTED = (Report.Status.SUBMITTED, Report.Status.ACCEPTED)
NOT_REPORTED = "未报送"


@dataclass
class LedgerCell:
    """One department's entry for a measure in one period, as the ledger prints it."""

    progress: str  # the text, NOT_REPORTED, or "—" when the department had no report
    problems: str  # 存在问题, and the reason for delay of a measure behind schedule
    status: str  # the entry's status and the report's state ("推进中\n按时报送"), or the state


@dataclass
class LedgerRow:
    measure: Measure
    department: Organization
    role: str
    cells: list[LedgerCell]  # one per period


@dataclass
class Timeliness:
    name: str
    due: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    returned: int = 0


def ledger_periods(plan: Plan, today: datetime.date | None = None):
    """The periods the ledger may show: those begun by `today`, oldest first."""
    return Period.objects.filter(plan=plan, start__lte=today or clock.today()).order_by("start")


def ledger(
    user: User,
    plan: Plan,
    measures,
    department: Organization | None,
    today=None,
    periods: list[Period] | None = None,
):
    """(periods, rows, timeliness) of the ledger, for the measures the ledger page's filter
    keeps (and only the chosen department's rows when one is chosen), over the chosen
    `periods` of the plan (every period begun when none is chosen). Constant queries."""
    require_plan_coordinator(user, plan, leaders_too=True)
    today = today or clock.today()
    if periods:
        periods = sorted((p for p in periods if p.plan_id == plan.pk), key=lambda p: p.start)
    else:
        periods = list(ledger_periods(plan, today))
    reports = Report.objects.filter(period__in=periods).select_related("organization")
    if department is not None:
        reports = reports.filter(organization=department)
    state_labels = ReportState.LABELS
    status_labels = dict(ReportEntry.Status.choices)
    by_cell, timeliness = {}, {}
    due_of = {p.pk: p.due_date for p in periods}
    for report in reports:
        state = report_state(report.status, report.late, due_of[report.period_id], today)
        by_cell[(report.organization_id, report.period_id)] = str(state_labels[state])
        row = timeliness.setdefault(report.organization_id, Timeliness(report.organization.name))
        if due_of[report.period_id] >= today:
            continue  # not due yet: not counted
        row.due += 1
        if state == ReportState.MISSING:
            row.missing += 1
        elif report.late:
            row.late += 1
        else:
            row.on_time += 1
        if report.returned_at is not None:
            row.returned += 1
    measures = list(
        measures.filter(key_task__plan=plan)
        .select_related("key_task")
        .order_by("key_task__no", "no")
    )
    texts = {}
    entries = ReportEntry.objects.filter(
        report__period__in=periods,
        report__status__in=REPORTED,
        measure__in=[m.pk for m in measures],
    ).values_list(
        "measure_id",
        "report__organization_id",
        "report__period_id",
        "status",
        "progress",
        "problems",
        "behind_reason",
    )
    for measure_id, org, period_id, status, progress, problems, behind_reason in entries:
        problems = problems.strip()
        if behind_reason.strip():
            problems = "\n".join(filter(None, [problems, f"滞后原因：{behind_reason.strip()}"]))
        label = str(status_labels.get(status, ""))
        texts[(measure_id, org, period_id)] = (progress.strip(), problems, label)
    rows = []
    for measure in measures:
        for assignment in measure.assignments.all():
            org = assignment.organization
            if org.kind != Organization.Kind.DEPARTMENT:
                continue
            if department is not None and org.pk != department.pk:
                continue
            cells = [_ledger_cell(by_cell, texts, measure, org, p) for p in periods]
            rows.append(LedgerRow(measure, org, ROLE_NAMES.get(assignment.role, ""), cells))
    summary = sorted(timeliness.values(), key=lambda t: t.name)
    return periods, rows, summary


def _ledger_cell(by_cell, texts, measure, org, period) -> LedgerCell:
    state = by_cell.get((org.pk, period.pk))
    if state is None:
        return LedgerCell("—", "", "")
    text = texts.get((measure.pk, org.pk, period.pk))
    if text is None:  # not sent (or sent without this measure): nothing of a draft shows
        return LedgerCell(NOT_REPORTED, "", state)
    progress, problems, status = text
    return LedgerCell(progress or "未填写", problems, f"{status}\n{state}")


def accepted_paragraphs(period: Period) -> dict[int, str]:
    """{key task id: paragraph} the coordinator accepted for the period's brief (one query)."""
    rows = TaskParagraph.objects.filter(period=period).values_list("key_task_id", "text")
    return dict(rows)


# --- Issuing: the plan's preset and the document numbers ------------------------------------

PRESET_FIELDS = ("issuer_mark", "number_prefix", "signer", "addressee", "copy_to", "printed_by")
NUMBER_ATTEMPTS = 5


def preset_initial(plan: Plan) -> dict:
    """A new preset's values, from the plan's defaults."""
    defaults = default_options(plan)
    return {
        "issuer_mark": defaults.signed_by,
        "number_prefix": "",
        "signer": "",
        "addressee": defaults.addressee,
        "copy_to": defaults.copy_to,
        "printed_by": defaults.printed_by,
    }


@transaction.atomic
def save_preset(user: User, plan: Plan, values: dict) -> DocumentPreset:
    """Create or change the plan's preset (its coordinator only), audited field by field."""
    require_plan_coordinator(user, plan)
    preset = DocumentPreset.objects.select_for_update().filter(plan=plan).first()
    new = {name: values[name].strip() for name in PRESET_FIELDS}
    if preset is None:
        unit = plan.coordinator or plan.region
        preset = DocumentPreset.objects.create(plan=plan, issuing_unit=unit, **new)
        record_change(user, "create", preset, diff({}, new))
        return preset
    old = {name: getattr(preset, name) for name in PRESET_FIELDS}
    changes = diff(old, new)
    if changes:
        for name, value in new.items():
            setattr(preset, name, value)
        preset.save()
        record_change(user, "change", preset, changes)
    return preset


def next_number(unit_id: int, year: int) -> int:
    """The issuing unit's next number of the year, as the counter reads now."""
    rows = DocumentNumber.objects.filter(issuing_unit=unit_id, year=year)
    return (rows.aggregate(last=Max("number"))["last"] or 0) + 1


def take_document_number(
    user: User | None, period: Period, preset: DocumentPreset, day: datetime.date
) -> DocumentNumber:
    """The period's 文号: the one it was given before, else the next of the issuing unit's
    counter for `day`'s year. Two exports at once cannot take the same number (the unique
    constraint refuses the second, which reads the counter again)."""
    for _attempt in range(NUMBER_ATTEMPTS):
        taken = DocumentNumber.objects.filter(period=period).first()
        if taken is not None:
            return taken
        try:
            with transaction.atomic():
                number = next_number(preset.issuing_unit_id, day.year)
                taken = DocumentNumber.objects.create(
                    issuing_unit_id=preset.issuing_unit_id,
                    year=day.year,
                    number=number,
                    text=f"{preset.number_prefix}〔{day.year}〕{number}号",
                    period=period,
                )
                record_change(
                    user, "take document number", taken, {"text": {"old": None, "new": taken.text}}
                )
                return taken
        except IntegrityError:
            continue
    raise ValueError(_("No document number could be taken; try again."))


def issued_options(
    user: User | None, period: Period, preset: DocumentPreset, day: datetime.date
) -> ReportOptions:
    """The options of the document that can be sent: the preset and the period's 文号."""
    number = take_document_number(user, period, preset, day)
    return ReportOptions(
        as_document=True,
        doc_number=number.text,
        addressee=preset.addressee,
        copy_to=preset.copy_to,
        printed_by=preset.printed_by,
        signed_by=preset.issuer_mark,
        signer=preset.signer,
        date=day,
    )
