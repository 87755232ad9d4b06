"""What a department sees when it lands (reporting:home): its next due day, its returned reports,
the closed periods it may still enter late, and its open measures with their closure (销号)
requests. The supervision notices it must acknowledge are supervision's card on the
same page (`{% notices_to_acknowledge %}`), not read here: reporting imports no higher app."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, Subquery

from luoshi.lib import clock
from luoshi.orgs.models import User
from luoshi.plans.models import Assignment, measure_code
from luoshi.reporting.calendar import Workdays
from luoshi.reporting.models import ClosureRequest, LateEntryException, Report


@dataclass
class DepartmentHome:
    reports: list  # the department's reports that ask for work (with .state)
    current: list  # reports still to submit whose due day has not passed, soonest first
    next_due: datetime.date | None
    workdays_left: int | None
    returned: list  # returned reports, with the coordinator's comment
    # (plan title, measure code, measure text, role, measure id, status of the department's
    # last closure request or None, whether the department may ask to close it)
    measures: list
    # The closed periods the department may still enter: (report id, period label, plan title,
    # last day), soonest deadline first.
    late_entries: list


def department_home(user: User, reports: list, today: datetime.date) -> DepartmentHome:
    """What a department needs on landing: its measures, the next due day with the working
    days left, and the returned comments. `reports` are
    reporting.queries.reports_to_act_on(user, today). Three queries."""
    open_reports = [
        r
        for r in reports
        if r.period.due_date >= today and r.status in (*Report.UNSUBMITTED, Report.Status.RETURNED)
    ]
    current = sorted(open_reports, key=lambda r: r.period.due_date)
    next_due = current[0].period.due_date if current else None
    workdays_left = Workdays.load(today, next_due).between(today, next_due) if next_due else None
    # Whether the department answers for the measure's closure: it leads it, or it is the
    # measure's only department and no lead is named (services.closure.answers_for).
    others = Assignment.objects.filter(measure=OuterRef("measure_id")).exclude(
        organization=user.organization_id
    )
    last_request = ClosureRequest.objects.filter(
        measure=OuterRef("measure_id"), organization=user.organization_id
    ).order_by("-requested_at", "-pk")
    measures = list(
        Assignment.objects.filter(
            organization=user.organization_id, measure__closed_at__isnull=True
        )
        .annotate(
            closure=Subquery(last_request.values("status")[:1]),
            alone=~Exists(others),
        )
        .order_by("-measure__key_task__plan__issue_date", "measure__key_task__no", "measure__no")
        .values_list(
            "measure__key_task__plan__title",
            "measure__key_task__label",
            "measure__path",
            "measure__label",
            "measure__no",
            "measure__text",
            "role",
            "measure_id",
            "closure",
            "alone",
        )
    )
    return DepartmentHome(
        reports=reports,
        current=current,
        next_due=next_due,
        workdays_left=workdays_left,
        returned=[r for r in reports if r.status == Report.Status.RETURNED],
        measures=[
            (
                plan,
                measure_code(task_label, path, label, no),
                text,
                role,
                pk,
                closure,
                role == Assignment.Role.LEAD or alone,
            )
            for plan, task_label, path, label, no, text, role, pk, closure, alone in measures
        ],
        late_entries=late_entries(user),
    )


def late_entries(user: User) -> list[tuple]:
    """The department's running late-entry exceptions of closed periods whose report it still
    has to submit: (report id, period label, plan title, last day). One query."""
    report = Report.objects.filter(
        period=OuterRef("period_id"),
        organization=user.organization_id,
        status__in=Report.EDITABLE,
    )
    rows = (
        LateEntryException.objects.filter(
            Q(until__isnull=True) | Q(until__gte=clock.now()),
            organization=user.organization_id,
            withdrawn_at__isnull=True,
            period__closed_at__isnull=False,
        )
        .annotate(report_id=Subquery(report.values("pk")[:1]))
        .filter(report_id__isnull=False)
        .order_by("until", "period__start")
        .values_list("report_id", "period__label", "period__plan__title", "until")
    )
    return [
        (pk, label, plan, clock.local_date(until) if until else None)
        for pk, label, plan, until in rows
    ]
