"""What a department sees when it lands (reporting:home): its next due day, its returned reports
and its open measures. The supervision notices it must acknowledge are supervision's card on the
same page (`{% notices_to_acknowledge %}`), not read here: reporting imports no higher app."""

import datetime
from dataclasses import dataclass

from luoshi.orgs.models import User
from luoshi.plans.models import Assignment
from luoshi.reporting.calendar import Workdays
from luoshi.reporting.models import Report


@dataclass
class DepartmentHome:
    reports: list  # the department's reports that ask for work (with .state)
    current: list  # reports still to submit whose due day has not passed, soonest first
    next_due: datetime.date | None
    workdays_left: int | None
    returned: list  # returned reports, with the coordinator's comment
    measures: list  # (plan title, measure code, measure text, role, measure id)


def department_home(user: User, reports: list, today: datetime.date) -> DepartmentHome:
    """What a department needs on landing: its measures, the next due day with the working
    days left, and the returned comments. `reports` are
    reporting.queries.reports_to_act_on(user, today). Two queries."""
    open_reports = [
        r
        for r in reports
        if r.period.due_date >= today and r.status in (*Report.UNSUBMITTED, Report.Status.RETURNED)
    ]
    current = sorted(open_reports, key=lambda r: r.period.due_date)
    next_due = current[0].period.due_date if current else None
    workdays_left = Workdays.load(today, next_due).between(today, next_due) if next_due else None
    measures = list(
        Assignment.objects.filter(
            organization=user.organization_id, measure__closed_at__isnull=True
        )
        .order_by("-measure__key_task__plan__issue_date", "measure__key_task__no", "measure__no")
        .values_list(
            "measure__key_task__plan__title",
            "measure__key_task__label",
            "measure__no",
            "measure__text",
            "role",
            "measure_id",
        )
    )
    return DepartmentHome(
        reports=reports,
        current=current,
        next_due=next_due,
        workdays_left=workdays_left,
        returned=[r for r in reports if r.status == Report.Status.RETURNED],
        measures=[
            (plan, f"{label.strip('、.．，, （）()')}.{no}", text, role, pk)
            for plan, label, no, text, role, pk in measures
        ],
    )
