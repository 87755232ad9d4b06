"""The workflow of a report: drafting, saving entries, sign-off, review, lateness and locking.

An action the user's role may not take raises PermissionDenied, an object they may not see
Http404 (see `luoshi.reporting.access`), and an action the object's state forbids raises
WorkflowError. Every change is audited with `record_change()` inside the same transaction.

    not_started --start_draft--> draft --submit_for_signoff--> awaiting_signoff
    awaiting_signoff --sign_off--> submitted (on time or late)   [send_back --> draft]
    submitted --return_report--> returned --(edit)--> submit_for_signoff --> sign_off --> ...
    submitted --accept--> accepted --reopen--> returned
A resubmission is the same submit_for_signoff + sign_off; lateness is judged by the first
submission only. A closed period takes no more changes unless the coordinator grants the
department a late-entry exception.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.audit.services import diff, record_change
from luoshi.lib import clock
from luoshi.lib.text import strip_control
from luoshi.orgs.models import Organization, User
from luoshi.plans.access import require_plan_coordinator
from luoshi.reporting.access import (
    reports_for_user,
    require_department_role,
    require_report_coordinator,
)
from luoshi.reporting.calendar import Workdays
from luoshi.reporting.models import LateEntryException, Period, Report, ReportEntry, TargetActual
from luoshi.reporting.services.flags import refresh_flags
from luoshi.reporting.services.periods import _create_entries, expected_measures


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


# --- Locking and late entry ------------------------------------------------------------------


def late_entry_for(report: Report, now: datetime.datetime | None = None):
    """The late-entry exception running for the report's department in its period (not
    withdrawn, its deadline not passed), or None. One query."""
    exception = LateEntryException.objects.filter(
        period=report.period_id, organization=report.organization_id
    ).first()
    if exception is not None and exception.is_active(now or clock.now()):
        return exception
    return None


def late_entry_allowed(report: Report, now: datetime.datetime | None = None) -> bool:
    """Whether the department may still work on the report: its period is open, or the
    coordinator granted it a late-entry exception that is still running."""
    return report.period.closed_at is None or late_entry_for(report, now) is not None


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


# --- Drafting --------------------------------------------------------------------------------

EDITING_ROLES = (User.Role.REPORTER, User.Role.APPROVER)


@transaction.atomic
def start_draft(user: User, report: Report) -> Report:
    """Start the department's draft: one entry per expected measure, its text empty (last
    period's text is shown beside it, not copied in). Idempotent: a started report is returned
    unchanged."""
    require_department_role(user, report, *EDITING_ROLES)
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
    # Control characters are no text a person typed, and the exports (XML) refuse them.
    fields = {
        k: strip_control(data[k] or "")
        for k in ReportEntry.TEXT_FIELDS
        if k in data and k != "no_new_progress"
    }
    if "no_new_progress" in data:
        fields["no_new_progress"] = data["no_new_progress"] in (True, "on", "true", "1", 1)
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
            actuals[int(target_id)] = _actual_value(value)
    return fields, actuals


# What TargetActual.value holds: 18 digits, 4 of them after the point.
ACTUAL_LIMIT = Decimal(10) ** 14


def _actual_value(value) -> Decimal:
    """`value` as the Decimal to store; a ValidationError for what is not a finite number that
    fits (1e100, inf, nan, "abc")."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(_("An actual value must be a number.")) from None
    if not number.is_finite() or abs(number) >= ACTUAL_LIMIT:
        raise ValidationError(
            _("An actual value must be a number smaller than %(limit)s.")
            % {"limit": "100000000000000"}
        )
    return number.quantize(Decimal("0.0001"))


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
    require_department_role(user, entry.report, *EDITING_ROLES)
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
    refresh_flags(report, [current])
    changes = diff(old, _entry_state(current))
    if changes:
        record_change(user, "change", current, changes)
    return current


# --- Sign-off and review ---------------------------------------------------------------------


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
    entries = list(report.entries.select_related("measure__key_task"))
    refresh_flags(report, entries)
    for entry in entries:
        if not entry.progress.strip():
            problems.append(_("%(code)s: progress is empty") % {"code": entry.measure.code})
        elif entry.no_new_progress and not entry.no_new_progress_reason.strip():
            problems.append(
                _("%(code)s: give the reason why there is no new progress")
                % {"code": entry.measure.code}
            )
        elif entry.blocked:
            problems.append(
                _(
                    "%(code)s: the text repeats last period's or names another period; write "
                    "this period's progress, or tick “no new progress this period” and say why"
                )
                % {"code": entry.measure.code}
            )
        if entry.status == ReportEntry.Status.BEHIND and not entry.behind_reason.strip():
            problems.append(
                _("%(code)s: give the reason for the delay") % {"code": entry.measure.code}
            )
    if problems:
        raise WorkflowError("; ".join(problems))


@transaction.atomic
def submit_for_signoff(user: User, report: Report) -> Report:
    """The reporter sends the finished draft (or the corrected returned report) to the head."""
    require_department_role(user, report, User.Role.REPORTER)
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
    require_department_role(user, report, User.Role.APPROVER)
    report = _locked(report)
    report, _changed = _transition(
        user,
        report,
        "send back",
        (Report.Status.AWAITING_SIGNOFF,),
        Report.Status.DRAFT,
        return_comment=strip_control(comment),
    )
    return report


@transaction.atomic
def sign_off(user: User, report: Report) -> Report:
    """The department head signs the report off: it is submitted to the coordinator.

    The first submission is timestamped and flagged late when made after the due day
    (Asia/Shanghai, the due day itself included); a resubmission keeps that flag.
    """
    require_department_role(user, report, User.Role.APPROVER)
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
    require_report_coordinator(user, report)
    comment = strip_control(comment)  # PostgreSQL refuses a NUL, the Word export most controls
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
    require_report_coordinator(user, report)
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
    require_report_coordinator(user, report)
    reason = strip_control(reason)
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


# --- Closing periods -------------------------------------------------------------------------


@transaction.atomic
def close_period(user: User, period: Period) -> Period:
    """Close a period: departments can no longer enter it without a late-entry exception."""
    require_plan_coordinator(user, period.plan)
    updated = Period.objects.filter(pk=period.pk, closed_at__isnull=True).update(
        closed_at=clock.now(), closed_by=user
    )
    period.refresh_from_db()
    if updated:
        record_change(
            user, "close", period, {"closed_at": {"old": None, "new": str(period.closed_at)}}
        )
    return period


# A late entry runs this many working days after the day it is granted, unless the coordinator
# picks another deadline; at most LATE_ENTRY_MAX_DAYS ahead.
LATE_ENTRY_WORKDAYS = 3
LATE_ENTRY_MAX_DAYS = 90


def default_late_entry_deadline(today: datetime.date) -> datetime.date:
    """The deadline a late-entry exception granted `today` gets unless the coordinator picks
    another: LATE_ENTRY_WORKDAYS working days later."""
    return Workdays.load(today, today + datetime.timedelta(days=30)).add(today, LATE_ENTRY_WORKDAYS)


def _end_of_day(day: datetime.date) -> datetime.datetime:
    """The last moment of `day` in Asia/Shanghai (aware)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


@transaction.atomic
def grant_late_entry(
    user: User,
    period: Period,
    organization: Organization,
    *,
    deadline: datetime.date,
    reason: str = "",
) -> LateEntryException:
    """Let one department enter its report in a closed period until the end of `deadline`
    (Asia/Shanghai), today or a later day at most LATE_ENTRY_MAX_DAYS ahead. Granting again
    replaces the department's exception of the period (a withdrawn one runs again)."""
    require_plan_coordinator(user, period.plan)
    if not Report.objects.filter(period=period, organization=organization).exists():
        raise ValidationError(_("That department has no report in this period."))
    today = clock.today()
    if deadline < today:
        raise ValidationError(_("The deadline must be today or a later day."))
    if deadline > today + datetime.timedelta(days=LATE_ENTRY_MAX_DAYS):
        raise ValidationError(
            _("The deadline can be at most %(days)d days ahead.") % {"days": LATE_ENTRY_MAX_DAYS}
        )
    reason = strip_control(reason).strip()
    old = LateEntryException.objects.filter(period=period, organization=organization).first()
    exception, _created = LateEntryException.objects.update_or_create(
        period=period,
        organization=organization,
        defaults={
            "until": _end_of_day(deadline),
            "reason": reason,
            "granted_by": user,
            "granted_at": clock.now(),
            "withdrawn_at": None,
            "withdrawn_by": None,
        },
    )
    record_change(
        user,
        "grant late entry",
        period,
        {
            "department": {"old": None, "new": organization.name},
            "deadline": {
                "old": str(old.deadline) if old and old.is_active() else None,
                "new": str(deadline),
            },
            "reason": {"old": old.reason if old else None, "new": reason},
        },
    )
    return exception


@transaction.atomic
def withdraw_late_entry(user: User, exception: LateEntryException) -> LateEntryException:
    """End a running late-entry exception now. Withdrawing one already ended (withdrawn, or
    its deadline passed) is refused with a WorkflowError and records nothing."""
    require_plan_coordinator(user, exception.period.plan)
    now = clock.now()
    running = Q(until__isnull=True) | Q(until__gte=now)
    ended = LateEntryException.objects.filter(
        running, pk=exception.pk, withdrawn_at__isnull=True
    ).update(withdrawn_at=now, withdrawn_by=user)
    exception.refresh_from_db()
    if not ended:
        raise WorkflowError(_("This late entry has already ended."))
    record_change(
        user,
        "withdraw late entry",
        exception.period,
        {
            "department": {"old": exception.organization.name, "new": None},
            "withdrawn_at": {"old": None, "new": str(now)},
        },
    )
    return exception
