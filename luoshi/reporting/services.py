"""The reporting cycle: periods, drafts, sign-off, review, lateness, locking and closure.

Every function that acts for a user checks who is asking: an object the user may not see
raises Http404 (it does not exist for them), an action their role may not take raises
PermissionDenied, and an action the object's state forbids raises WorkflowError. Every change
is audited with `record_change()` inside the same transaction.

Workflow of a report:
    not_started --start_draft--> draft --submit_for_signoff--> awaiting_signoff
    awaiting_signoff --sign_off--> submitted (on time or late)   [send_back --> draft]
    submitted --return_report--> returned --(edit)--> submit_for_signoff --> sign_off --> ...
    submitted --accept--> accepted --reopen--> returned
A resubmission is the same submit_for_signoff + sign_off; lateness is judged by the first
submission only.
"""

import datetime
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from luoshi.audit.services import diff, record_change
from luoshi.lib import clock
from luoshi.orgs.models import Organization, User
from luoshi.plans.models import Assignment, Measure, Plan, Target
from luoshi.plans.services import can_edit_plan, plans_for_user
from luoshi.reporting import calendar
from luoshi.reporting.models import (
    Attachment,
    ClosureRequest,
    HolidayNotice,
    LateEntryException,
    Period,
    PlanSchedule,
    Report,
    ReportEntry,
    TargetActual,
)


class WorkflowError(Exception):
    """The action is not possible in the object's current state; the message says why."""


class EditConflict(Exception):
    """Someone saved the entry since this user loaded it.

    `current` is the entry as stored now (with its version), `mine` the data this user tried
    to save, `expected_version` the version they started from: the page shows both.
    """

    def __init__(self, current: ReportEntry, mine: dict, expected_version: int):
        self.current = current
        self.mine = mine
        self.expected_version = expected_version
        super().__init__(
            _("This entry was changed by %(user)s while you were editing it.")
            % {"user": current.updated_by or _("someone else")}
        )


# --- Schedules and periods -------------------------------------------------------------------


def default_tracking_start(plan: Plan, today: datetime.date | None = None) -> datetime.date:
    """REPORTING_TRACKING_START if set, else the first day of the plan's issue month."""
    if settings.REPORTING_TRACKING_START:
        return datetime.date.fromisoformat(settings.REPORTING_TRACKING_START)
    day = plan.issue_date or today or clock.today()
    return day.replace(day=1)


def get_schedule(plan: Plan, tracking_start: datetime.date | None = None) -> PlanSchedule:
    """The plan's schedule, created the first time it is asked for: tracking from
    `tracking_start`, else REPORTING_TRACKING_START, else the month of issue."""
    schedule = PlanSchedule.objects.filter(plan=plan).first()
    if schedule is None:
        schedule, _created = PlanSchedule.objects.get_or_create(
            plan=plan, defaults={"tracking_start": tracking_start or default_tracking_start(plan)}
        )
    return schedule


@transaction.atomic
def set_schedule(
    user: User,
    plan: Plan,
    *,
    tracking_start: datetime.date,
    tracking_end: datetime.date | None,
    holiday_rule: str,
    today: datetime.date | None = None,
) -> PlanSchedule:
    """Change when a plan is tracked and its holiday rule (coordinator); audited.

    Periods not yet due get their due dates recomputed; periods are then ensured.
    """
    _require_plan_coordinator(user, plan)
    if tracking_end and tracking_end < tracking_start:
        raise ValidationError(_("Tracking cannot end before it starts."))
    if holiday_rule not in PlanSchedule.HolidayRule.values:
        raise ValidationError(_("Unknown holiday rule."))
    schedule = get_schedule(plan)
    old = _schedule_state(schedule)
    schedule.tracking_start = tracking_start
    schedule.tracking_end = tracking_end
    schedule.holiday_rule = holiday_rule
    schedule.save()
    today = today or clock.today()
    for period in plan.periods.filter(due_date__gte=today, closed_at__isnull=True):
        period.due_date = _due_date(plan, schedule, period.end)
        period.save(update_fields=["due_date"])
    changes = diff(old, _schedule_state(schedule))
    if changes:
        record_change(user, "change", schedule, changes)
    ensure_periods(plan, today, user=user)
    return schedule


def _schedule_state(schedule: PlanSchedule) -> dict:
    return {
        "tracking_start": str(schedule.tracking_start),
        "tracking_end": str(schedule.tracking_end) if schedule.tracking_end else None,
        "holiday_rule": schedule.holiday_rule,
    }


def _frequency(plan: Plan) -> str:
    return plan.report_frequency or Plan.Frequency.MONTHLY


def _due_date(plan: Plan, schedule: PlanSchedule, end: datetime.date) -> datetime.date:
    return calendar.due_date(
        end, plan.report_due_day, plan.report_due_offset_months, schedule.holiday_rule
    )


def _period_ranges(plan: Plan, schedule: PlanSchedule, today: datetime.date):
    """(start, end) of every period from the tracking start to the tracking end or horizon."""
    frequency = _frequency(plan)
    if frequency == Plan.Frequency.ONCE:
        end = (
            schedule.tracking_end
            or plan.key_tasks.aggregate(last=Max("measures__deadline"))["last"]
        )
        end = end or datetime.date(schedule.tracking_start.year, 12, 31)
        return [(schedule.tracking_start, end)]
    months = calendar.MONTHS_PER_PERIOD[frequency]
    start, _end = calendar.period_bounds(frequency, schedule.tracking_start)
    if schedule.tracking_end:
        last, _end = calendar.period_bounds(frequency, schedule.tracking_end)
    else:
        current, _end = calendar.period_bounds(frequency, max(today, schedule.tracking_start))
        last = calendar.add_months(current, months * settings.REPORTING_PERIODS_AHEAD)
    ranges = []
    while start <= last:
        following = calendar.add_months(start, months)
        ranges.append((start, following - datetime.timedelta(days=1)))
        start = following
    return ranges


def _expected(plan: Plan) -> list[tuple[int, int, str, datetime.datetime | None]]:
    """(measure id, department id, role, measure closed_at) of every department assignment."""
    return list(
        Assignment.objects.filter(
            measure__key_task__plan=plan, organization__kind=Organization.Kind.DEPARTMENT
        ).values_list("measure_id", "organization_id", "role", "measure__closed_at")
    )


def _in_period(closed_at, period: Period) -> bool:
    """A measure closed before a period starts leaves that period."""
    return closed_at is None or clock.local_date(closed_at) >= period.start


def _is_open(period: Period, today: datetime.date) -> bool:
    """Open periods follow the plan's assignments; past ones keep what was expected then."""
    return period.closed_at is None and period.due_date >= today


@transaction.atomic
def ensure_periods(
    plan: Plan, today: datetime.date | None = None, *, user: User | None = None
) -> list[Period]:
    """Create the plan's periods and their expected reports; idempotent.

    Periods run from the tracking start to the tracking end, or a few periods
    (REPORTING_PERIODS_AHEAD) past today when the plan is open-ended. New periods and periods
    not yet due expect a report from every department assigned to a measure that is still open
    in that period (kind department only); a not-started report of a department no longer
    assigned is removed from them, and untouched entries of dropped measures leave their
    drafts. Periods already due keep what was expected. Returns the plan's periods in order.
    """
    today = today or clock.today()
    schedule = get_schedule(plan)
    frequency = _frequency(plan)
    existing = {p.start: p for p in plan.periods.filter(frequency=frequency)}
    new_periods = [
        Period(
            plan=plan,
            frequency=frequency,
            start=start,
            end=end,
            label=calendar.period_label(frequency, start),
            due_date=_due_date(plan, schedule, end),
        )
        for start, end in _period_ranges(plan, schedule, today)
        if start not in existing
    ]
    Period.objects.bulk_create(new_periods, ignore_conflicts=True)
    periods = list(plan.periods.filter(frequency=frequency).order_by("start"))
    created_starts = {p.start for p in new_periods}
    assignments = _expected(plan)
    reports = {
        (r.period_id, r.organization_id): r
        for r in Report.objects.filter(period__in=periods).only(
            "id", "period_id", "organization_id", "status"
        )
    }
    to_create, to_delete, to_sync = [], [], []
    for period in periods:
        if period.start not in created_starts and not _is_open(period, today):
            continue
        expected = {org for _m, org, _r, closed in assignments if _in_period(closed, period)}
        for org in expected:
            report = reports.get((period.pk, org))
            if report is None:
                to_create.append(Report(period=period, organization_id=org))
            elif report.status in (Report.Status.DRAFT, Report.Status.RETURNED):
                to_sync.append(report)
        to_delete += [
            r.pk
            for (period_id, org), r in reports.items()
            if period_id == period.pk
            and org not in expected
            and r.status == Report.Status.NOT_STARTED
        ]
    Report.objects.bulk_create(to_create, ignore_conflicts=True)
    Report.objects.filter(pk__in=to_delete, status=Report.Status.NOT_STARTED).delete()
    synced = sum(_sync_entries(report, assignments) for report in to_sync)
    if new_periods or to_create or to_delete or synced:
        record_change(
            user,
            "generate periods",
            plan,
            {
                "periods": {"old": len(existing), "new": len(periods)},
                "expected reports added": {"old": None, "new": len(to_create)},
                "expected reports removed": {"old": None, "new": len(to_delete)},
                "entries added or removed": {"old": None, "new": synced},
            },
        )
    return periods


def expected_measures(report: Report, assignments=None) -> dict[int, str]:
    """{measure id: role} of the measures the report's department answers for in its period."""
    assignments = assignments if assignments is not None else _expected(report.period.plan)
    return {
        measure: role
        for measure, org, role, closed in assignments
        if org == report.organization_id and _in_period(closed, report.period)
    }


def _sync_entries(report: Report, assignments) -> int:
    """Add entries for newly assigned measures; drop untouched entries of dropped ones.
    Returns how many entries were added or removed."""
    report.period = Period.objects.get(pk=report.period_id)
    wanted = expected_measures(report, assignments)
    have = set(report.entries.values_list("measure_id", flat=True))
    added = {m: r for m, r in wanted.items() if m not in have}
    _create_entries(report, added)
    _total, removed = (
        report.entries.exclude(measure_id__in=wanted).filter(updated_by__isnull=True).delete()
    )
    return len(added) + removed.get(ReportEntry._meta.label, 0)


def _create_entries(report: Report, measures: dict[int, str]) -> None:
    """Entries for `measures`, pre-filled from the department's previous period."""
    if not measures:
        return
    previous = (
        Report.objects.filter(
            period__plan_id=report.period.plan_id,
            period__start__lt=report.period.start,
            organization_id=report.organization_id,
        )
        .order_by("-period__start")
        .first()
    )
    before = {}
    if previous is not None:
        before = {e.measure_id: e for e in previous.entries.filter(measure_id__in=measures)}
    entries = []
    for measure_id, role in measures.items():
        old = before.get(measure_id)
        entries.append(
            ReportEntry(
                report=report,
                measure_id=measure_id,
                role=role,
                progress=old.progress if old else "",
                status=old.status if old else ReportEntry.Status.NOT_STARTED,
                behind_reason=old.behind_reason if old else "",
                problems=old.problems if old else "",
                next_steps=old.next_steps if old else "",
            )
        )
    ReportEntry.objects.bulk_create(entries, ignore_conflicts=True)


# --- The holiday calendar --------------------------------------------------------------------

CALENDAR_ROLES = (User.Role.COORDINATOR, User.Role.SYSTEM_ADMIN)


@transaction.atomic
def set_holiday_notice(
    user: User | None, day: datetime.date, *, is_workday: bool, name: str = ""
) -> HolidayNotice:
    """Record one day of an official holiday notice (a day off, or a make-up workday).

    Coordinators and system administrators keep the calendar; None is the system (commands).
    """
    if user is not None and user.role not in CALENDAR_ROLES:
        raise PermissionDenied
    old = HolidayNotice.objects.filter(date=day).first()
    before = {"is_workday": old.is_workday, "name": old.name} if old else {}
    notice, _created = HolidayNotice.objects.update_or_create(
        date=day, defaults={"is_workday": is_workday, "name": name}
    )
    changes = diff(before, {"is_workday": is_workday, "name": name})
    if changes:
        record_change(user, "change" if old else "create", notice, changes)
    return notice


@transaction.atomic
def delete_holiday_notice(user: User | None, notice: HolidayNotice) -> None:
    if user is not None and user.role not in CALENDAR_ROLES:
        raise PermissionDenied
    record_change(user, "delete", notice, {"is_workday": {"old": notice.is_workday, "new": None}})
    notice.delete()


# --- Who may see what ------------------------------------------------------------------------


def reports_for_user(user: User):
    """Reports the user may read: their department's, their plans' (coordinator), all (leader)."""
    # The plan's source document (tens of kB) is never shown with a report: without the defer
    # a department's report list (20 plans × 36 periods at city scale, bench/results) pulled
    # it once per row.
    reports = Report.objects.select_related("period__plan", "organization").defer(
        "period__plan__source_text"
    )
    if user.is_leader:
        return reports
    if user.is_coordinator:
        return reports.filter(period__plan__coordinator=user.organization_id)
    if user.is_department_user and user.organization_id:
        return reports.filter(organization=user.organization_id)
    return reports.none()


def get_report(user: User, pk: int) -> Report:
    """The report `pk` if the user may read it, else Http404."""
    report = reports_for_user(user).filter(pk=pk).order_by().first()  # no ordering joins
    if report is None:
        raise Http404("no such report for this user")
    return report


def periods_for_user(user: User, plan: Plan | None = None):
    periods = Period.objects.select_related("plan").filter(plan__in=plans_for_user(user))
    return periods.filter(plan=plan) if plan is not None else periods


def get_period(user: User, pk: int) -> Period:
    period = periods_for_user(user).filter(pk=pk).first()
    if period is None:
        raise Http404("no such period for this user")
    return period


def entries_for_report(report: Report):
    """The report's entries with their measure, targets, actuals and attachments."""
    return report.entries.select_related("measure__key_task", "updated_by").prefetch_related(
        "measure__targets", "actuals", "attachments"
    )


def get_entry(user: User, pk: int) -> ReportEntry:
    entry = (
        ReportEntry.objects.select_related("report__period__plan", "report__organization")
        .filter(report__in=reports_for_user(user), pk=pk)
        .first()
    )
    if entry is None:
        raise Http404("no such entry for this user")
    return entry


def get_attachment(user: User, pk: int) -> Attachment:
    """An attachment the user may download (same visibility as its report)."""
    attachment = (
        Attachment.objects.select_related("entry__report")
        .filter(entry__report__in=reports_for_user(user), pk=pk)
        .first()
    )
    if attachment is None:
        raise Http404("no such attachment for this user")
    return attachment


def co_entries(user: User, entry: ReportEntry):
    """The co departments' entries of the same measure and period, for the lead to read.

    Empty unless `entry`'s department leads the measure now (coordinators and leaders see
    them all).
    """
    _require_visible(user, entry.report)
    others = (
        ReportEntry.objects.filter(
            measure_id=entry.measure_id, report__period=entry.report.period_id
        )
        .exclude(pk=entry.pk)
        .select_related("report__organization")
        .order_by("report__organization__name")
    )
    is_lead = Assignment.objects.filter(
        measure_id=entry.measure_id,
        organization_id=entry.report.organization_id,
        role=Assignment.Role.LEAD,
    ).exists()
    if user.is_coordinator or user.is_leader or is_lead:
        return others
    return others.none()


def entries_for_measure(user: User, measure: Measure, period: Period):
    """Every department's entry for one measure in one period (coordinator and leader)."""
    if not (user.is_leader or can_edit_plan(user, period.plan)):
        raise PermissionDenied
    return (
        ReportEntry.objects.filter(measure=measure, report__period=period)
        .select_related("report__organization")
        .prefetch_related("actuals", "attachments")
        .order_by("report__organization__name")
    )


def _require_visible(user: User, report: Report) -> None:
    if not reports_for_user(user).filter(pk=report.pk).exists():
        raise Http404("no such report for this user")


def _require_plan_coordinator(user: User, plan: Plan) -> None:
    if not plan_visible(user, plan):
        raise Http404("no such plan for this user")
    if not can_edit_plan(user, plan):
        raise PermissionDenied


def plan_visible(user: User, plan: Plan) -> bool:
    return plans_for_user(user).filter(pk=plan.pk).exists()


def _require_department_role(user: User, report: Report, *roles: str) -> None:
    """The user belongs to the report's department (else 404) and has one of `roles`."""
    _require_visible(user, report)
    if user.role not in roles or user.organization_id != report.organization_id:
        raise PermissionDenied


def _require_coordinator(user: User, report: Report) -> None:
    _require_visible(user, report)
    if not can_edit_plan(user, report.period.plan):
        raise PermissionDenied


def late_entry_allowed(report: Report, now: datetime.datetime | None = None) -> bool:
    """Whether the department may still work on the report: its period is open, or the
    coordinator granted it a late-entry exception that is still running."""
    if report.period.closed_at is None:
        return True
    exception = LateEntryException.objects.filter(
        period=report.period_id, organization=report.organization_id
    ).first()
    return exception is not None and exception.is_active(now or clock.now())


def can_edit(user: User, report: Report) -> bool:
    """Whether `user` may change the report's entries now (for showing or hiding the form)."""
    return (
        user.is_department_user
        and user.organization_id == report.organization_id
        and report.is_editable
        and late_entry_allowed(report)
    )


def _require_open(report: Report) -> None:
    if not late_entry_allowed(report):
        raise WorkflowError(_("The period is closed; ask the coordinator for late entry."))


def _locked(report: Report) -> Report:
    """The report re-read under a row lock, with its period and plan."""
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("period__plan")
        .get(pk=report.pk)
    )


# --- Drafting -------------------------------------------------------------------------------

EDITING_ROLES = (User.Role.REPORTER, User.Role.APPROVER)


@transaction.atomic
def start_draft(user: User, report: Report) -> Report:
    """Start the department's draft: one entry per expected measure, pre-filled with the
    same department's text of the previous period. Idempotent: a started report is returned
    unchanged."""
    _require_department_role(user, report, *EDITING_ROLES)
    report = _locked(report)
    if report.status != Report.Status.NOT_STARTED:
        return report
    _require_open(report)
    _create_entries(report, expected_measures(report))
    report.status = Report.Status.DRAFT
    report.drafted_by = user
    report.save(update_fields=["status", "drafted_by", "updated_at"])
    record_change(user, "start draft", report, {"status": {"old": "not_started", "new": "draft"}})
    return report


def _clean_entry_data(entry: ReportEntry, data: dict) -> tuple[dict, dict | None]:
    """Validate the fields to save; returns (text fields, {target id: value or None} | None)."""
    unknown = set(data) - set(ReportEntry.TEXT_FIELDS) - {"actuals"}
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)})
    fields = {k: (data[k] or "") for k in ReportEntry.TEXT_FIELDS if k in data}
    if "status" in fields and fields["status"] not in ReportEntry.Status.values:
        raise ValidationError(_("Unknown status."))
    actuals = None
    if data.get("actuals") is not None:
        targets = set(entry.measure.targets.values_list("pk", flat=True))
        actuals = {}
        for target_id, value in data["actuals"].items():
            if int(target_id) not in targets:
                raise ValidationError(_("That target does not belong to this measure."))
            if value in (None, ""):
                actuals[int(target_id)] = None
                continue
            try:
                actuals[int(target_id)] = Decimal(str(value))
            except InvalidOperation:
                raise ValidationError(_("An actual value must be a number.")) from None
    return fields, actuals


def _entry_state(entry: ReportEntry) -> dict:
    state = {k: getattr(entry, k) for k in ReportEntry.TEXT_FIELDS}
    state["actuals"] = {str(a.target_id): f"{a.value.normalize():f}" for a in entry.actuals.all()}
    return state


@transaction.atomic
def save_entry(user: User, entry: ReportEntry, data: dict, expected_version: int) -> ReportEntry:
    """Save the user's text for one measure; returns the entry with its new version.

    `data` holds any of progress, status, behind_reason, problems, next_steps and
    actuals ({target id: number or None}). Raises EditConflict when the entry's version is no
    longer `expected_version` (someone saved in between); nothing is written then. Entries of
    different measures never conflict.
    """
    _require_department_role(user, entry.report, *EDITING_ROLES)
    report = _locked(entry.report)
    if not report.is_editable:
        raise WorkflowError(_("This report can no longer be changed."))
    _require_open(report)
    current = ReportEntry.objects.select_for_update().get(pk=entry.pk)
    if current.version != expected_version:
        raise EditConflict(current, data, expected_version)
    fields, actuals = _clean_entry_data(current, data)
    old = _entry_state(current)
    now = clock.now()
    updated = ReportEntry.objects.filter(pk=current.pk, version=expected_version).update(
        **fields, version=F("version") + 1, updated_at=now, updated_by=user
    )
    if not updated:  # cannot happen under the row lock; kept so a lost update is impossible
        raise EditConflict(current, data, expected_version)
    if actuals is not None:
        for target_id, value in actuals.items():
            if value is None:
                TargetActual.objects.filter(entry=current, target_id=target_id).delete()
            else:
                TargetActual.objects.update_or_create(
                    entry=current, target_id=target_id, defaults={"value": value}
                )
    current.refresh_from_db()
    changes = diff(old, _entry_state(current))
    if changes:
        record_change(user, "change", current, changes)
    return current


# --- Attachments ----------------------------------------------------------------------------

ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


def sniff_content_type(file) -> str | None:
    """The content type told by the file's bytes, or None when it is not an allowed type."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            file.seek(0)
        if "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


@transaction.atomic
def add_attachment(user: User, entry: ReportEntry, upload) -> Attachment:
    """Store an uploaded evidence file (pdf, png, jpeg, docx, xlsx; size limit) for an entry."""
    _require_department_role(user, entry.report, *EDITING_ROLES)
    report = _locked(entry.report)
    if not report.is_editable:
        raise WorkflowError(_("This report can no longer be changed."))
    _require_open(report)
    if upload.size > settings.REPORTING_ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.")
            % {"mb": settings.REPORTING_ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        )
    content_type = sniff_content_type(upload)
    if content_type is None:
        raise ValidationError(_("Only PDF, PNG, JPEG, Word (.docx) and Excel (.xlsx) files."))
    original_name = (getattr(upload, "name", "") or "file")[-255:]
    attachment = Attachment(
        entry=entry,
        original_name=original_name,
        size=upload.size,
        content_type=content_type,
        uploaded_by=user,
    )
    attachment.file.save(f"upload{ALLOWED_TYPES[content_type]}", upload, save=False)
    attachment.save()
    record_change(user, "attach", entry, {"attachment": {"old": None, "new": original_name}})
    return attachment


@transaction.atomic
def delete_attachment(user: User, attachment: Attachment) -> None:
    entry = attachment.entry
    _require_department_role(user, entry.report, *EDITING_ROLES)
    report = _locked(entry.report)
    if not report.is_editable:
        raise WorkflowError(_("This report can no longer be changed."))
    name = attachment.original_name
    stored = attachment.file.name
    attachment.delete()
    storage = Attachment._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(stored))
    record_change(user, "detach", entry, {"attachment": {"old": name, "new": None}})


# --- The workflow ---------------------------------------------------------------------------


def _transition(
    user: User, report: Report, action: str, sources: tuple, target: str, **fields
) -> tuple[Report, bool]:
    """Move `report` from one of `sources` to `target` with a conditional UPDATE.

    Returns (report, changed). A repeated action (the report already in `target`) changes
    nothing and records nothing, so a double-clicked button acts once on SQLite and PostgreSQL.
    """
    updated = Report.objects.filter(pk=report.pk, status__in=sources).update(
        status=target, updated_at=clock.now(), **fields
    )
    old_status = report.status
    report.refresh_from_db()
    if not updated:
        if report.status == target:
            return report, False
        raise WorkflowError(
            _("This report is %(status)s and cannot be changed this way.")
            % {"status": report.get_status_display()}
        )
    changes = {"status": {"old": old_status, "new": target}}
    for name, value in fields.items():
        if name.endswith("_by"):
            continue
        changes[name] = {"old": None, "new": str(value) if value is not None else None}
    record_change(user, action, report, changes)
    return report, True


def _check_complete(report: Report) -> None:
    problems = []
    for entry in report.entries.select_related("measure__key_task"):
        if not entry.progress.strip():
            problems.append(_("%(code)s: progress is empty") % {"code": entry.measure.code})
        if entry.status == ReportEntry.Status.BEHIND and not entry.behind_reason.strip():
            problems.append(
                _("%(code)s: give the reason for the delay") % {"code": entry.measure.code}
            )
    if problems:
        raise WorkflowError("; ".join(problems))


@transaction.atomic
def submit_for_signoff(user: User, report: Report) -> Report:
    """The reporter sends the finished draft (or the corrected returned report) to the head."""
    _require_department_role(user, report, User.Role.REPORTER)
    report = _locked(report)
    if report.status == Report.Status.AWAITING_SIGNOFF:
        return report
    _require_open(report)
    _check_complete(report)
    report, _changed = _transition(
        user,
        report,
        "submit for sign-off",
        (Report.Status.DRAFT, Report.Status.RETURNED),
        Report.Status.AWAITING_SIGNOFF,
        sent_for_signoff_at=clock.now(),
        drafted_by=user,
    )
    return report


@transaction.atomic
def send_back(user: User, report: Report, comment: str = "") -> Report:
    """The head sends a report awaiting sign-off back to the reporter as a draft."""
    _require_department_role(user, report, User.Role.APPROVER)
    report = _locked(report)
    report, _changed = _transition(
        user,
        report,
        "send back",
        (Report.Status.AWAITING_SIGNOFF,),
        Report.Status.DRAFT,
        return_comment=comment,
    )
    return report


@transaction.atomic
def sign_off(user: User, report: Report) -> Report:
    """The department head signs the report off: it is submitted to the coordinator.

    The first submission is timestamped and flagged late when made after the due day
    (Asia/Shanghai, the due day itself included); a resubmission keeps that flag.
    """
    _require_department_role(user, report, User.Role.APPROVER)
    report = _locked(report)
    if report.status == Report.Status.SUBMITTED:
        return report
    _require_open(report)
    now = clock.now()
    fields = {"signed_off_by": user}
    if report.submitted_at is None:
        fields["submitted_at"] = now
        fields["late"] = clock.local_date(now) > report.period.due_date
    else:
        fields["resubmitted_at"] = now
    report, _changed = _transition(
        user,
        report,
        "sign off",
        (Report.Status.AWAITING_SIGNOFF,),
        Report.Status.SUBMITTED,
        **fields,
    )
    return report


@transaction.atomic
def return_report(user: User, report: Report, comment: str) -> Report:
    """The coordinator returns a submitted report with comments for the department to fix."""
    _require_coordinator(user, report)
    if not comment.strip():
        raise ValidationError(_("Say what must be changed."))
    report = _locked(report)
    report, _changed = _transition(
        user,
        report,
        "return",
        (Report.Status.SUBMITTED,),
        Report.Status.RETURNED,
        returned_at=clock.now(),
        returned_by=user,
        return_comment=comment.strip(),
    )
    return report


def took_part(user: User, report: Report) -> bool:
    """Whether the user wrote, edited or signed the report: they may not accept it."""
    return (
        user.pk in (report.drafted_by_id, report.signed_off_by_id)
        or report.entries.filter(updated_by=user).exists()
    )


@transaction.atomic
def accept(user: User, report: Report) -> Report:
    """The coordinator accepts a submitted report; it is read-only from then on.

    Nobody accepts a report they wrote or signed (the coordinating office reports too).
    """
    _require_coordinator(user, report)
    report = _locked(report)
    if took_part(user, report):
        raise PermissionDenied(_("You cannot accept a report you wrote or signed."))
    report, _changed = _transition(
        user,
        report,
        "accept",
        (Report.Status.SUBMITTED,),
        Report.Status.ACCEPTED,
        accepted_at=clock.now(),
        accepted_by=user,
    )
    return report


def bulk_accept(user: User, report_ids) -> tuple[list[Report], list[Report]]:
    """Accept many submitted reports; returns (accepted, skipped) — each in its own
    transaction, so one report that cannot be accepted does not hold up the others."""
    accepted, skipped = [], []
    for report in reports_for_user(user).filter(pk__in=list(report_ids)).order_by("pk"):
        try:
            accepted.append(accept(user, report))
        except (WorkflowError, PermissionDenied):
            skipped.append(report)
    return accepted, skipped


@transaction.atomic
def reopen(user: User, report: Report, reason: str) -> Report:
    """The coordinator reopens an accepted report with a reason; the department can edit it
    again (it is returned with that reason)."""
    _require_coordinator(user, report)
    if not reason.strip():
        raise ValidationError(_("Give a reason for reopening."))
    report = _locked(report)
    now = clock.now()
    report, _changed = _transition(
        user,
        report,
        "reopen",
        (Report.Status.ACCEPTED,),
        Report.Status.RETURNED,
        reopened_at=now,
        reopened_by=user,
        reopen_reason=reason.strip(),
        return_comment=reason.strip(),
        returned_at=now,
        returned_by=user,
    )
    return report


@transaction.atomic
def close_period(user: User, period: Period) -> Period:
    """Close a period: departments can no longer enter it without a late-entry exception."""
    _require_plan_coordinator(user, period.plan)
    updated = Period.objects.filter(pk=period.pk, closed_at__isnull=True).update(
        closed_at=clock.now(), closed_by=user
    )
    period.refresh_from_db()
    if updated:
        record_change(
            user, "close", period, {"closed_at": {"old": None, "new": str(period.closed_at)}}
        )
    return period


@transaction.atomic
def grant_late_entry(
    user: User,
    period: Period,
    organization: Organization,
    *,
    until: datetime.datetime | None = None,
    reason: str = "",
) -> LateEntryException:
    """Let one department enter its report in a closed period (until `until`, or open-ended)."""
    _require_plan_coordinator(user, period.plan)
    if not Report.objects.filter(period=period, organization=organization).exists():
        raise ValidationError(_("That department has no report in this period."))
    exception, _created = LateEntryException.objects.update_or_create(
        period=period,
        organization=organization,
        defaults={
            "until": until,
            "reason": reason,
            "granted_by": user,
            "granted_at": clock.now(),
        },
    )
    record_change(
        user,
        "grant late entry",
        period,
        {
            "department": {"old": None, "new": organization.name},
            "until": {"old": None, "new": str(until) if until else None},
        },
    )
    return exception


# --- Measures and targets -------------------------------------------------------------------


@transaction.atomic
def request_closure(user: User, measure: Measure, evidence: str, upload=None) -> ClosureRequest:
    """The lead department asks for the measure to be closed (办结), with evidence."""
    plan = measure.key_task.plan
    if not user.is_department_user or not plan_visible(user, plan):
        if not plan_visible(user, plan):
            raise Http404("no such measure for this user")
        raise PermissionDenied
    is_lead = measure.assignments.filter(
        organization=user.organization_id, role=Assignment.Role.LEAD
    ).exists()
    if not is_lead:
        raise PermissionDenied(_("Only the lead department can ask to close a measure."))
    if measure.closed_at:
        raise WorkflowError(_("This measure is already closed."))
    if not evidence.strip():
        raise ValidationError(_("Describe the evidence that the measure is done."))
    if ClosureRequest.objects.filter(
        measure=measure, status=ClosureRequest.Status.PENDING
    ).exists():
        raise WorkflowError(_("A closure request for this measure is already waiting."))
    request = ClosureRequest(
        measure=measure,
        organization=user.organization,
        evidence=evidence.strip(),
        requested_by=user,
    )
    if upload is not None:
        content_type = sniff_content_type(upload)
        if content_type is None or upload.size > settings.REPORTING_ATTACHMENT_MAX_BYTES:
            raise ValidationError(_("Only PDF, PNG, JPEG, Word (.docx) and Excel (.xlsx) files."))
        request.evidence_file_name = (upload.name or "file")[-255:]
        request.evidence_file.save(f"closure{ALLOWED_TYPES[content_type]}", upload, save=False)
    request.save()
    record_change(user, "request closure", measure, {"evidence": {"old": None, "new": evidence}})
    return request


@transaction.atomic
def close_measure(
    user: User, request: ClosureRequest, comment: str = "", today: datetime.date | None = None
) -> Measure:
    """The coordinator approves a closure request: the measure is closed (Measure.closed_at)
    and leaves the expected entries of the periods that start afterwards."""
    measure = request.measure
    plan = measure.key_task.plan
    _require_plan_coordinator(user, plan)
    claimed = ClosureRequest.objects.filter(
        pk=request.pk, status=ClosureRequest.Status.PENDING
    ).update(
        status=ClosureRequest.Status.APPROVED,
        decided_at=clock.now(),
        decided_by=user,
        comment=comment,
    )
    if not claimed:
        raise WorkflowError(_("This closure request has already been decided."))
    now = clock.now()
    Measure.objects.filter(pk=measure.pk, closed_at__isnull=True).update(closed_at=now)
    measure.refresh_from_db()
    record_change(user, "close", measure, {"closed_at": {"old": None, "new": str(now)}})
    ensure_periods(plan, today, user=user)
    return measure


@transaction.atomic
def reject_closure(user: User, request: ClosureRequest, comment: str) -> ClosureRequest:
    _require_plan_coordinator(user, request.measure.key_task.plan)
    claimed = ClosureRequest.objects.filter(
        pk=request.pk, status=ClosureRequest.Status.PENDING
    ).update(
        status=ClosureRequest.Status.REJECTED,
        decided_at=clock.now(),
        decided_by=user,
        comment=comment,
    )
    if not claimed:
        raise WorkflowError(_("This closure request has already been decided."))
    request.refresh_from_db()
    record_change(
        user, "reject closure", request.measure, {"comment": {"old": None, "new": comment}}
    )
    return request


@transaction.atomic
def set_target(
    user: User, target: Target, *, owner: Organization | None = None, kind: str | None = None
) -> Target:
    """The coordinator sets whose actual value counts for a target, and its kind."""
    _require_plan_coordinator(user, target.measure.key_task.plan)
    old = {"owner": target.owner.name if target.owner else None, "kind": target.kind}
    if owner is not None:
        if not target.measure.assignments.filter(organization=owner).exists():
            raise ValidationError(_("The owner must be a department of the measure."))
        target.owner = owner
    if kind is not None:
        if kind not in Target.Kind.values:
            raise ValidationError(_("Unknown target kind."))
        target.kind = kind
    target.save(update_fields=["owner", "kind"])
    changes = diff(old, {"owner": target.owner.name if target.owner else None, "kind": target.kind})
    if changes:
        record_change(user, "change", target, changes)
    return target


# --- The coordinator's overview -------------------------------------------------------------


class ReportState:
    """What the matrix shows in a cell (a report's status, with lateness and missing)."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    AWAITING_SIGNOFF = "awaiting_signoff"
    ON_TIME = "submitted_on_time"
    LATE = "submitted_late"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    MISSING = "missing"

    LABELS = {
        NOT_STARTED: pgettext_lazy("report state", "Not started"),
        DRAFT: pgettext_lazy("report state", "Draft"),
        AWAITING_SIGNOFF: pgettext_lazy("report state", "Awaiting sign-off"),
        ON_TIME: pgettext_lazy("report state", "Submitted on time"),
        LATE: pgettext_lazy("report state", "Submitted late"),
        RETURNED: pgettext_lazy("report state", "Returned"),
        ACCEPTED: pgettext_lazy("report state", "Accepted"),
        MISSING: pgettext_lazy("report state", "Missing"),
    }


def report_state(status: str, late: bool, due_date: datetime.date, today: datetime.date) -> str:
    if status in Report.UNSUBMITTED and today > due_date:
        return ReportState.MISSING
    if status == Report.Status.SUBMITTED:
        return ReportState.LATE if late else ReportState.ON_TIME
    return status


@dataclass
class Matrix:
    """Departments × periods: `cells[(department id, period id)]` = (report id, state)."""

    periods: list[Period]
    departments: list[tuple[int, str]]
    cells: dict[tuple[int, int], tuple[int, str]] = field(default_factory=dict)

    def row(self, department_id: int) -> list[tuple[int, str] | None]:
        return [self.cells.get((department_id, p.pk)) for p in self.periods]


def report_matrix(
    user: User,
    plan: Plan,
    today: datetime.date | None = None,
    periods: list[Period] | None = None,
) -> Matrix:
    """The coordinator's (or a leader's) matrix of a plan in two queries, whatever its size;
    of some of its periods only (in one query) if `periods` are given."""
    if not (user.is_leader or can_edit_plan(user, plan)):
        raise PermissionDenied
    today = today or clock.today()
    if periods is None:
        periods = list(Period.objects.filter(plan=plan).order_by("start"))
        reports = Report.objects.filter(period__plan=plan)
    else:
        reports = Report.objects.filter(period__in=[p.pk for p in periods])
    # No ORDER BY: the cells go into a dict and departments are sorted below. Report's default
    # ordering (period, organization name) made the database sort every report of the plan
    # (bench/results: matrix at province scale, 14,000 reports per plan).
    rows = reports.order_by().values_list(
        "pk",
        "period_id",
        "organization_id",
        "organization__name",
        "status",
        "late",
        "period__due_date",
    )
    departments, cells = {}, {}
    for pk, period_id, org_id, org_name, status, late, due in rows:
        departments[org_id] = org_name
        cells[(org_id, period_id)] = (pk, report_state(status, late, due, today))
    return Matrix(
        periods=periods,
        departments=sorted(departments.items(), key=lambda item: item[1]),
        cells=cells,
    )


def review_queue(user: User, plan: Plan | None = None):
    """Submitted reports waiting for the coordinator, oldest submission first."""
    if not user.is_coordinator:
        raise PermissionDenied
    reports = reports_for_user(user).filter(status=Report.Status.SUBMITTED)
    if plan is not None:
        reports = reports.filter(period__plan=plan)
    return reports.order_by("submitted_at", "pk")


def missing_reports(user: User, today: datetime.date | None = None):
    """Reports past their due day and never submitted, that the user may see."""
    return reports_for_user(user).missing(today)
