"""Supervision: the day's reminders, escalations, manual chasing, deliveries through the
outside channels, supervision notices (督办单) and timeliness scores.

Exactly once: every automatic reminder has a unique key (kind, working-day offset, period,
department, sending day). `send_reminders()` creates each reminder, its in-app notifications
and its delivery rows in one transaction; a second run (or one running at the same time)
hits the unique key and skips it; a run killed half-way has committed whole reminders only,
and the next run creates the rest. Deliveries are sent by a task that claims its row with a
conditional update, so a delivery enqueued twice is still sent once; a failed one is retried
later by `retry_deliveries()` (which `supervise` calls), never lost.
"""

import datetime
import hashlib
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from luoshi.audit.services import diff, record_change
from luoshi.lib import clock, logs
from luoshi.orgs.models import Organization, User
from luoshi.plans.access import require_plan_coordinator
from luoshi.plans.models import Plan
from luoshi.plans.services import coordinator_region, plan_reach, plans_for_user
from luoshi.reporting.calendar import Workdays
from luoshi.reporting.models import Period, Report, ReportEntry
from luoshi.reporting.services import ensure_periods
from luoshi.supervision import channels
from luoshi.supervision.models import (
    Delivery,
    DepartmentChannels,
    Notice,
    Notification,
    Reminder,
    ReminderRule,
    ScoreSheet,
)

logger = logging.getLogger(__name__)

RETRY_MINUTES = (5, 15, 60, 180, 720)
# A delivery claimed this long ago whose worker died is tried again.
STUCK_MINUTES = 15


# --- Rules ---------------------------------------------------------------------------------


def get_rule(plan: Plan, today: datetime.date | None = None) -> ReminderRule:
    """The plan's reminder rule, created with the defaults on first use.

    A new rule starts on `today`: periods due before the first run are not chased
    automatically.
    """
    rule, _created = ReminderRule.objects.get_or_create(
        plan=plan, defaults={"starts_on": today or clock.today()}
    )
    return rule


@transaction.atomic
def set_rule(user: User, plan: Plan, *, days_before, daily_when_late, escalate_after, starts_on):
    require_plan_coordinator(user, plan)
    days = sorted({int(d) for d in days_before}, reverse=True)
    if any(d < 1 or d > 20 for d in days):
        raise ValidationError(_("Reminder days must be 1 to 20 working days before the due day."))
    if not 1 <= int(escalate_after) <= 60:
        raise ValidationError(_("Escalation must come after 1 to 60 working days late."))
    rule = get_rule(plan)
    fields = ("days_before", "daily_when_late", "escalate_after", "starts_on")
    old = {f: str(getattr(rule, f)) for f in fields}
    rule.days_before = days
    rule.daily_when_late = bool(daily_when_late)
    rule.escalate_after = int(escalate_after)
    rule.starts_on = starts_on
    rule.save()
    record_change(
        user, "change reminder rule", rule, diff(old, {f: str(getattr(rule, f)) for f in fields})
    )
    return rule


# --- Planning the day's reminders -----------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """A reminder that is due to go out on `day` (not yet sent)."""

    kind: str
    offset: int
    period: Period
    organization_id: int
    organization_name: str
    day: datetime.date

    @property
    def key(self):
        return (self.kind, self.offset, self.period.pk, self.organization_id, self.day)

    def message(self) -> str:
        due = self.period.due_date.isoformat()
        plan = self.period.plan.title
        label = self.period.label
        if self.kind == Reminder.Kind.BEFORE:
            return (
                f"【报送提醒】{self.organization_name}：《{plan}》{label}进展情况请于"
                f"{due}前报送，距截止还有{self.offset}个工作日。"
            )
        if self.kind == Reminder.Kind.LATE:
            return (
                f"【逾期提醒】{self.organization_name}：《{plan}》{label}进展情况已逾期"
                f"{self.offset}个工作日（截止 {due}），请尽快报送。"
            )
        return (
            f"【逾期督办】{self.organization_name}《{plan}》{label}进展情况已逾期"
            f"{self.offset}个工作日（截止 {due}）仍未报送，请督促落实。"
        )


def planned_reminders(day: datetime.date, plans=None) -> list[Planned]:
    """Every automatic reminder due on `day` (the dry run lists exactly these).

    Before the due day: on the working days `rule.days_before` before it. After it: every
    working day until the report is submitted (if the rule says so), and one escalation
    after `rule.escalate_after` working days late. Nothing on a non-working day, nothing for
    a closed period or one due before the rule starts.
    """
    plans = list(plans if plans is not None else Plan.objects.filter(reminder_rule__isnull=False))
    rules = {r.plan_id: r for r in ReminderRule.objects.filter(plan__in=plans)}
    # A plan without a rule yet (a dry run before the first start) gets the defaults.
    rules.update({p.pk: ReminderRule(plan=p, starts_on=day) for p in plans if p.pk not in rules})
    # Only periods someone still owes a report for (one query).
    periods = list(
        Period.objects.filter(plan__in=rules, closed_at__isnull=True)
        .filter(Exists(Report.objects.filter(period=OuterRef("pk"), status__in=Report.UNSUBMITTED)))
        .select_related("plan")
    )
    periods = [p for p in periods if p.due_date >= rules[p.plan_id].starts_on]
    if not periods:
        return []
    workdays = Workdays.load(
        min(p.due_date for p in periods), max(day, *(p.due_date for p in periods))
    )
    if not workdays.is_workday(day):
        return []
    wanted: dict[int, list[tuple[str, int]]] = {}
    for period in periods:
        rule = rules[period.plan_id]
        kinds = []
        if day <= period.due_date:
            kinds += [
                (Reminder.Kind.BEFORE, n)
                for n in sorted(rule.days_before, reverse=True)
                if workdays.add(period.due_date, -n) == day
            ]
        else:
            late = workdays.between(period.due_date, day)
            if rule.daily_when_late:
                kinds.append((Reminder.Kind.LATE, late))
            if late == rule.escalate_after:
                kinds.append((Reminder.Kind.ESCALATION, late))
        if kinds:
            wanted[period.pk] = kinds
    by_pk = {p.pk: p for p in periods}
    rows = (
        Report.objects.filter(period__in=wanted, status__in=Report.UNSUBMITTED)
        .values_list("period_id", "organization_id", "organization__name")
        .order_by("period__due_date", "organization__name")
    )
    return [
        Planned(kind, offset, by_pk[period_id], org, name, day)
        for period_id, org, name in rows
        for kind, offset in wanted[period_id]
    ]


# --- Sending -------------------------------------------------------------------------------


def _department_users(org_ids):
    users = {}
    for user in User.objects.filter(
        organization__in=org_ids,
        role__in=(User.Role.REPORTER, User.Role.APPROVER),
        is_active=True,
    ):
        users.setdefault(user.organization_id, []).append(user)
    return users


def _recipients(kind: str, organization_id: int, plan: Plan, users: dict) -> list[User]:
    """Who is told: the department's reporters and approvers; an escalation goes to the
    department's approvers and the leaders of the plan's region."""
    department = users.get(organization_id, [])
    if kind != Reminder.Kind.ESCALATION:
        return department
    leaders = list(
        User.objects.filter(
            Q(organization=plan.region_id) | Q(organization__isnull=True),
            role=User.Role.LEADER,
            is_active=True,
        )
    )
    return [u for u in department if u.role == User.Role.APPROVER] + leaders


def _create_reminder(planned_kind, offset, period, organization_id, day, message, users, by=None):
    """The reminder, its notifications and deliveries (inside the caller's transaction)."""
    reminder = Reminder.objects.create(
        kind=planned_kind,
        offset=offset,
        period=period,
        organization_id=organization_id,
        day=day,
        message=message,
        created_by=by,
    )
    recipients = _recipients(planned_kind, organization_id, period.plan, users)
    title = reminder.get_kind_display() + "：" + period.label
    report = Report.objects.filter(period=period, organization=organization_id).first()
    url = reverse("reporting:report", args=[report.pk]) if report else ""
    Notification.objects.bulk_create(
        [
            Notification(user=u, reminder=reminder, title=title, body=message, url=url)
            for u in recipients
        ]
    )
    setup = DepartmentChannels.objects.filter(organization=organization_id).first()
    deliveries = []
    if setup is None or setup.email:
        deliveries += [
            Delivery(reminder=reminder, channel=Delivery.Channel.EMAIL, recipient=u.email)
            for u in recipients
            if u.email
        ]
    if setup is not None and planned_kind != Reminder.Kind.ESCALATION:
        if setup.wecom_key:
            deliveries.append(
                Delivery(reminder=reminder, channel="wecom", recipient=setup.wecom_key)
            )
        if setup.dingtalk_token:
            deliveries.append(
                Delivery(reminder=reminder, channel="dingtalk", recipient=setup.dingtalk_token)
            )
        if setup.sms_phone:
            deliveries.append(Delivery(reminder=reminder, channel="sms", recipient=setup.sms_phone))
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    ids = list(reminder.deliveries.values_list("pk", flat=True))
    transaction.on_commit(lambda: enqueue_deliveries(ids))
    return reminder


def send_reminders(day: datetime.date, plans=None, planned=None) -> list[Reminder]:
    """Create (and so send) the reminders due on `day`; each exactly once."""
    planned = planned if planned is not None else planned_reminders(day, plans)
    users = _department_users({p.organization_id for p in planned})
    created = []
    for item in planned:
        try:
            with transaction.atomic():
                created.append(
                    _create_reminder(
                        item.kind,
                        item.offset,
                        item.period,
                        item.organization_id,
                        day,
                        item.message(),
                        users,
                    )
                )
        except IntegrityError:
            continue  # already sent today (another run, or this one before a crash)
    return created


def enqueue_deliveries(ids) -> None:
    from luoshi.supervision.tasks import deliver

    for pk in ids:
        deliver.enqueue(pk, request_id=logs.current_request_id())


def send_delivery(pk: int, now: datetime.datetime | None = None) -> str:
    """Send one delivery if it is still due: claimed by a conditional update, so two
    workers (or a task enqueued twice) never send it twice. Returns its status."""
    now = now or clock.now()
    claimed = Delivery.objects.filter(
        pk=pk,
        status__in=(Delivery.Status.PENDING, Delivery.Status.FAILED),
        next_attempt_at__lte=now,
    ).update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    delivery = Delivery.objects.select_related("reminder__organization", "reminder__period").get(
        pk=pk
    )
    if not claimed:
        return delivery.status
    reminder = delivery.reminder
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            channels.send_email(delivery.recipient, reminder.get_kind_display(), reminder.message)
        elif delivery.channel == Delivery.Channel.WECOM:
            channels.send_wecom(delivery.recipient, reminder.message)
        elif delivery.channel == Delivery.Channel.DINGTALK:
            setup = DepartmentChannels.objects.filter(organization=reminder.organization_id).first()
            channels.send_dingtalk(
                delivery.recipient, reminder.message, setup.dingtalk_secret if setup else ""
            )
        else:
            channels.send_sms(delivery.recipient, reminder.message)
    except channels.ChannelError as error:
        wait = RETRY_MINUTES[min(delivery.attempts, len(RETRY_MINUTES)) - 1]
        Delivery.objects.filter(pk=pk).update(
            status=Delivery.Status.FAILED,
            last_error=str(error)[:2000],
            next_attempt_at=now + datetime.timedelta(minutes=wait),
        )
        logger.warning("delivery %s failed (attempt %s): %s", pk, delivery.attempts, error)
        return Delivery.Status.FAILED
    Delivery.objects.filter(pk=pk).update(status=Delivery.Status.SENT, sent_at=now, last_error="")
    return Delivery.Status.SENT


def retry_deliveries(now: datetime.datetime | None = None) -> list[int]:
    """Enqueue the deliveries due again: failed ones whose wait is over, pending ones whose
    task was lost, and claimed ones whose worker died. Returns their ids."""
    now = now or clock.now()
    Delivery.objects.filter(
        status=Delivery.Status.SENDING,
        claimed_at__lt=now - datetime.timedelta(minutes=STUCK_MINUTES),
    ).update(status=Delivery.Status.FAILED, last_error="worker stopped while sending")
    ids = list(
        Delivery.objects.filter(
            status__in=(Delivery.Status.PENDING, Delivery.Status.FAILED),
            next_attempt_at__lte=now,
        ).values_list("pk", flat=True)
    )
    enqueue_deliveries(ids)
    return ids


# --- The day's work ------------------------------------------------------------------------


@dataclass
class DayReport:
    day: datetime.date
    planned: list[Planned]
    sent: int = 0
    retried: int = 0


def supervise(day: datetime.date, *, dry_run: bool = False) -> DayReport:
    """The day's work: periods ensured, reminders and escalations sent, failed sends retried.

    Idempotent: run it as often as you like on the same day.
    """
    plans = list(Plan.objects.filter(schedule__isnull=False).select_related("schedule"))
    if dry_run:
        return DayReport(day, planned_reminders(day, plans))
    for plan in plans:
        ensure_periods(plan, day)
        get_rule(plan, day)
    planned = planned_reminders(day, plans)
    sent = send_reminders(day, plans, planned)
    retried = retry_deliveries()
    return DayReport(day, planned, sent=len(sent), retried=len(retried))


# --- Manual chasing (催办) -------------------------------------------------------------------


def late_reports(user: User, plan: Plan, today: datetime.date | None = None):
    """The plan's reports past their due day and not submitted, for the coordinator."""
    require_plan_coordinator(user, plan)
    return (
        Report.objects.filter(period__plan=plan)
        .missing(today)
        .select_related("period", "organization")
        .order_by("period__due_date", "organization__name")
    )


def default_chase_message(plan: Plan) -> str:
    return (
        f"《{plan.title}》进展情况已超过报送期限，请贵单位抓紧填报并经单位负责人审核后报送，"
        "如有困难请及时与我单位联系。"
    )


@transaction.atomic
def chase(user: User, plan: Plan, report_ids, message: str) -> list[Reminder]:
    """The coordinator chases the departments of the given late reports with `message`."""
    require_plan_coordinator(user, plan)
    message = (message or "").strip()
    if not message:
        raise ValidationError(_("Write the message of the chase."))
    if len(message) > 2000:
        raise ValidationError(_("The message may have at most 2000 characters."))
    reports = list(late_reports(user, plan).filter(pk__in=report_ids))
    if not reports:
        raise ValidationError(_("Choose at least one late department."))
    users = _department_users({r.organization_id for r in reports})
    today = clock.today()
    reminders = []
    for report in reports:
        text = f"【催办】{report.organization.name}：{report.period.label}。{message}"
        reminder = _create_reminder(
            Reminder.Kind.CHASE, 0, report.period, report.organization_id, today, text, users, user
        )
        record_change(
            user,
            "chase",
            reminder,
            {
                "department": {"old": None, "new": report.organization.name},
                "message": {"old": None, "new": message},
            },
        )
        reminders.append(reminder)
    return reminders


# --- Notifications (the bell) ----------------------------------------------------------------


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(user: User):
    return Notification.objects.filter(user=user)


@transaction.atomic
def mark_read(user: User, ids=None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    count = unread.update(read_at=clock.now())
    if count:
        record_change(user, "read notifications", user, {"count": {"old": None, "new": count}})
    return count


# --- Supervision notices (督办单) -------------------------------------------------------------


def notices_for_user(user: User):
    notices = Notice.objects.select_related("plan", "organization", "issued_by")
    if user.is_leader or user.is_coordinator:
        return notices.filter(plan_reach(user, "plan"))
    if user.is_department_user and user.organization_id:
        return notices.filter(organization=user.organization_id)
    return notices.none()


def get_notice(user: User, pk: int) -> Notice:
    notice = notices_for_user(user).filter(pk=pk).first()
    if notice is None:
        raise Http404("no such notice for this user")
    return notice


def notice_draft(user: User, plan: Plan, organization_id: int | None, period_id: int | None):
    """What a notice starts with when the coordinator comes from a late report of the chase
    page: the department, and while its report of the period is late, a red notice about that
    report. A period of another plan, or a report no longer late, adds nothing."""
    if organization_id is None:
        return {}
    draft = {"organization": organization_id}
    late = late_reports(user, plan).filter(organization=organization_id, period=period_id)
    report = late.first() if period_id else None
    if report is not None:
        period, due = report.period, report.period.due_date
        draft |= {
            "colour": Notice.Colour.RED,
            "subject": f"关于{period.label}进展情况逾期未报送的督办",
            "body": (
                f"《{plan.title}》{period.label}进展情况应于{due.year}年{due.month}月{due.day}日"
                "前报送，贵单位至今未报送。请抓紧填报并经单位负责人审核后报送，"
                "同时书面说明未按时报送的原因和整改措施。"
            ),
        }
    return draft


@transaction.atomic
def issue_notice(
    user: User, plan: Plan, organization: Organization, *, colour, subject, body, reply_by
) -> Notice:
    """The coordinator issues a 督办单 to a department of the plan; the department is told."""
    require_plan_coordinator(user, plan)
    if colour not in Notice.Colour.values:
        raise ValidationError(_("Choose the colour of the notice."))
    if not plan.key_tasks.filter(measures__assignments__organization=organization).exists():
        raise ValidationError(_("This department is not responsible for any measure of the plan."))
    if not (subject or "").strip() or not (body or "").strip():
        raise ValidationError(_("Write the subject and the text of the notice."))
    today = clock.today()
    if reply_by < today:
        raise ValidationError(_("The reply date cannot be before today."))
    year = today.year
    # Numbers are per plan and year; the plan row lock serialises two coordinators.
    Plan.objects.select_for_update().filter(pk=plan.pk).first()
    last = Notice.objects.filter(plan=plan, year=year).aggregate(n=Max("number"))["n"] or 0
    notice = Notice.objects.create(
        plan=plan,
        organization=organization,
        colour=colour,
        number=last + 1,
        year=year,
        subject=subject.strip(),
        body=body.strip(),
        reply_by=reply_by,
        issued_by=user,
        issued_at=clock.now(),
    )
    users = _department_users({organization.pk}).get(organization.pk, [])
    url = reverse("supervision:notice", args=[notice.pk])
    Notification.objects.bulk_create(
        [
            Notification(
                user=u,
                notice=notice,
                title=f"{notice}（{notice.get_colour_display()}）",
                body=notice.subject,
                url=url,
            )
            for u in users
        ]
    )
    record_change(
        user,
        "issue notice",
        notice,
        {
            "department": {"old": None, "new": organization.name},
            "colour": {"old": None, "new": colour},
            "subject": {"old": None, "new": notice.subject},
        },
    )
    return notice


@transaction.atomic
def acknowledge_notice(user: User, notice: Notice, response: str) -> Notice:
    """The department acknowledges (签收) the notice with its response."""
    notice = get_notice(user, notice.pk)
    if not user.is_department_user or user.organization_id != notice.organization_id:
        raise PermissionDenied
    if notice.acknowledged_at is not None:
        raise ValidationError(_("This notice was already acknowledged."))
    response = (response or "").strip()
    if not response:
        raise ValidationError(_("Write what your department has done or will do."))
    Notice.objects.filter(pk=notice.pk).update(
        acknowledged_at=clock.now(), acknowledged_by=user, response=response
    )
    record_change(user, "acknowledge notice", notice, {"response": {"old": "", "new": response}})
    return get_notice(user, notice.pk)


# --- Timeliness and scores -------------------------------------------------------------------


def score_sheet(plan: Plan) -> ScoreSheet:
    """The plan's sheet, else its region's, else the defaults (unsaved)."""
    sheet = ScoreSheet.objects.filter(Q(plan=plan) | Q(region=plan.region_id)).order_by(
        F("plan").asc(nulls_last=True)
    )
    return sheet.first() or ScoreSheet(plan=plan)


SHEET_FIELDS = ("start", "per_missing", "per_late", "per_returned", "per_flagged")


@transaction.atomic
def set_score_sheet(
    user: User, plan: Plan, *, start, per_missing, per_late, per_returned, per_flagged=0
):
    """The plan's own score sheet (its coordinator); audited."""
    require_plan_coordinator(user, plan)
    sheet = ScoreSheet.objects.filter(plan=plan).first() or ScoreSheet(plan=plan)
    values = {
        "start": start,
        "per_missing": per_missing,
        "per_late": per_late,
        "per_returned": per_returned,
        "per_flagged": per_flagged,
    }
    return _save_sheet(user, sheet, values)


def _save_sheet(user: User, sheet: ScoreSheet, values: dict) -> ScoreSheet:
    for value in values.values():
        if value is None or value < 0 or value > 1000:
            raise ValidationError(_("Points must be between 0 and 1000."))
    old = {k: str(getattr(sheet, k)) for k in values} if sheet.pk else {}
    for name, value in values.items():
        setattr(sheet, name, value)
    sheet.save()
    record_change(
        user, "change score sheet", sheet, diff(old, {k: str(v) for k, v in values.items()})
    )
    return sheet


def _own_region(user: User) -> Organization:
    """The region a coordinator's office belongs to; others are refused."""
    region = coordinator_region(user) if user.is_coordinator else None
    if region is None:
        raise PermissionDenied
    return region


def region_score_sheet(user: User) -> ScoreSheet:
    """The default score sheet of the coordinator's region (unsaved defaults if none yet):
    what `score_sheet` gives every plan of the region without a sheet of its own."""
    region = _own_region(user)
    sheet = ScoreSheet.objects.filter(region=region).first() or ScoreSheet()
    sheet.region = region
    return sheet


@transaction.atomic
def set_region_score_sheet(
    user: User, *, start, per_missing, per_late, per_returned, per_flagged=0
):
    """The region's default score sheet, kept by the coordinators of the region; audited."""
    sheet = region_score_sheet(user)
    values = {
        "start": start,
        "per_missing": per_missing,
        "per_late": per_late,
        "per_returned": per_returned,
        "per_flagged": per_flagged,
    }
    try:
        with transaction.atomic():
            return _save_sheet(user, sheet, values)
    except IntegrityError:  # another tab created the region's sheet first
        raise ValidationError(_("The sheet was saved meanwhile: save again.")) from None


@transaction.atomic
def use_region_score_sheet(user: User, plan: Plan) -> None:
    """The plan drops its own score sheet and follows its region's default again; audited."""
    require_plan_coordinator(user, plan)
    sheet = ScoreSheet.objects.filter(plan=plan).first()
    if sheet is None:
        return
    old = {k: str(getattr(sheet, k)) for k in SHEET_FIELDS}
    record_change(user, "change score sheet", sheet, diff(old, {}))
    sheet.delete()


def plans_with_own_sheet(user: User) -> list[tuple[Plan, bool]]:
    """The coordinator's plans, each with whether it has a score sheet of its own (not the
    plans of the regions below, which it reads but does not keep)."""
    _own_region(user)
    own = ScoreSheet.objects.filter(plan=OuterRef("pk"))
    plans = plans_for_user(user).filter(coordinator=user.organization_id)
    plans = plans.annotate(own_sheet=Exists(own)).order_by("title", "pk")
    return [(plan, plan.own_sheet) for plan in plans]


@dataclass
class Score:
    organization_id: int
    name: str
    due: int
    on_time: int
    late: int
    missing: int
    returned: int
    score: Decimal
    # Entries of its submitted reports with a quality flag (deducted by sheet.per_flagged).
    flagged: int = 0
    rank: int = 0


def timeliness(user: User, plan: Plan, year: int, today: datetime.date | None = None):
    """Per department: reports due in `year` (by today), on time, late, missing, returned, and
    the score by the plan's score sheet, ranked best first (one aggregate query)."""
    require_plan_coordinator(user, plan, leaders_too=True)
    today = today or clock.today()
    sheet = score_sheet(plan)
    rows = (
        Report.objects.filter(
            period__plan=plan, period__due_date__year=year, period__due_date__lt=today
        )
        .values("organization_id", "organization__name")
        .annotate(
            due=Count("pk"),
            missing=Count("pk", filter=Q(status__in=Report.UNSUBMITTED)),
            late=Count("pk", filter=Q(late=True) & ~Q(status__in=Report.UNSUBMITTED)),
            returned=Count("pk", filter=Q(returned_at__isnull=False)),
        )
        .order_by("organization__name")
    )
    # The flagged entries of the reports the departments submitted (drafts are not scored).
    flagged = dict(
        ReportEntry.objects.filter(
            report__period__plan=plan,
            report__period__due_date__year=year,
            report__period__due_date__lt=today,
        )
        .exclude(report__status__in=Report.UNSUBMITTED)
        .exclude(flags=[])
        .values("report__organization_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("report__organization_id", "n")
    )
    scores = []
    for row in rows:
        on_time = row["due"] - row["missing"] - row["late"]
        value = (
            sheet.start
            - sheet.per_missing * row["missing"]
            - sheet.per_late * row["late"]
            - sheet.per_returned * row["returned"]
            - sheet.per_flagged * flagged.get(row["organization_id"], 0)
        )
        scores.append(
            Score(
                row["organization_id"],
                row["organization__name"],
                row["due"],
                on_time,
                row["late"],
                row["missing"],
                row["returned"],
                value,
                flagged.get(row["organization_id"], 0),
            )
        )
    scores.sort(key=lambda s: (-s.score, s.name))
    rank, previous = 0, None
    for index, item in enumerate(scores, 1):
        if item.score != previous:
            rank, previous = index, item.score
        item.rank = rank
    return sheet, scores


# --- Department channels ---------------------------------------------------------------------

CHANNEL_FIELDS = ("email", "wecom_key", "dingtalk_token", "dingtalk_secret", "sms_phone")


@transaction.atomic
def save_channels(user: User, form) -> DepartmentChannels:
    """The department's approver chooses how the department is reminded (a validated form)."""
    setup = form.instance
    if user.role != User.Role.APPROVER or setup.organization_id != user.organization_id:
        raise PermissionDenied
    before = DepartmentChannels.objects.filter(pk=setup.pk).first() if setup.pk else None

    def state(obj):
        if obj is None:
            return {}
        values = {f: str(getattr(obj, f)) for f in CHANNEL_FIELDS}
        for secret in ("wecom_key", "dingtalk_token", "dingtalk_secret"):
            # Never the value in the log: "set", with a short digest so a change shows.
            value = getattr(obj, secret)
            digest = hashlib.sha256(value.encode()).hexdigest()[:6]
            values[secret] = f"*** {digest}" if value else ""
        return values

    setup = form.save()
    record_change(user, "change reminder channels", setup, diff(state(before), state(setup)))
    return setup
