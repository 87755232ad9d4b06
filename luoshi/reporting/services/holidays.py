"""The holiday calendar: the official notices (days off, make-up workdays) that correct
chinesecalendar. `luoshi.reporting.calendar` reads them; these functions keep them, read the
CSV file of a notice, lay out a year for the holiday notices page and say which years the
banner asks for."""

import calendar as _weeks
import csv
import datetime
from dataclasses import dataclass, field

import chinese_calendar
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.audit.services import diff, record_change
from luoshi.lib import clock
from luoshi.orgs.models import User
from luoshi.plans.models import Plan
from luoshi.plans.services import plans_for_user
from luoshi.reporting import calendar
from luoshi.reporting.models import HolidayNotice, PlanSchedule
from luoshi.reporting.services.periods import refresh_due_dates

CALENDAR_ROLES = (User.Role.COORDINATOR, User.Role.SYSTEM_ADMIN)
# A notice's longest run of days off is 8 or 9 days; a longer range is a typing mistake.
MAX_RANGE_DAYS = 31
# Other workers of the server keep their own copy (the cache is per process): an hour at most.
BANNER_SECONDS = 60 * 60


@dataclass(frozen=True)
class NoticeDay:
    day: datetime.date
    is_workday: bool
    name: str = ""


def _require_calendar_role(user: User | None) -> None:
    if user is not None and user.role not in CALENDAR_ROLES:
        raise PermissionDenied


@transaction.atomic
def save_holiday_notices(
    user: User | None, days: list[NoticeDay], today: datetime.date | None = None
) -> int:
    """Record days of an official holiday notice (days off, make-up workdays), one audit record
    per day that changed; the open periods not yet due then follow the new calendar.

    Coordinators and system administrators keep the calendar; None is the system (commands).
    Returns how many days changed.
    """
    _require_calendar_role(user)
    changed = 0
    for item in days:
        old = HolidayNotice.objects.filter(date=item.day).first()
        before = {"is_workday": old.is_workday, "name": old.name} if old else {}
        after = {"is_workday": item.is_workday, "name": item.name}
        changes = diff(before, after)
        if not changes:
            continue
        notice, _created = HolidayNotice.objects.update_or_create(date=item.day, defaults=after)
        record_change(user, "change" if old else "create", notice, changes)
        changed += 1
    if changed:
        _calendar_changed(today)
    return changed


def get_holiday_notice(user: User, pk: int) -> HolidayNotice | None:
    """The notice day `pk` for the users who keep the calendar; None once it was removed."""
    _require_calendar_role(user)
    return HolidayNotice.objects.filter(pk=pk).first()


@transaction.atomic
def delete_holiday_notice(
    user: User | None, notice: HolidayNotice, today: datetime.date | None = None
) -> None:
    _require_calendar_role(user)
    record_change(user, "delete", notice, {"is_workday": {"old": notice.is_workday, "new": None}})
    notice.delete()
    _calendar_changed(today)


def _calendar_changed(today: datetime.date | None) -> None:
    """Open periods not yet due take the due dates of the new calendar; the banner is
    computed again (after the commit, so that no request caches the old calendar)."""
    today = today or clock.today()
    for schedule in PlanSchedule.objects.select_related("plan"):
        refresh_due_dates(schedule.plan, schedule, today)
    transaction.on_commit(lambda: cache.delete(_banner_key(today)))


def notice_range(
    first: datetime.date, last: datetime.date | None, *, is_workday: bool, name: str = ""
) -> list[NoticeDay]:
    """The days from `first` to `last` (or `first` alone) as one kind of notice day."""
    last = last or first
    if last < first:
        raise ValidationError(_("The range ends before it starts."))
    if (last - first).days >= MAX_RANGE_DAYS:
        raise ValidationError(
            _("A range covers at most %(days)s days: check the dates.") % {"days": MAX_RANGE_DAYS}
        )
    count = (last - first).days + 1
    return [NoticeDay(first + datetime.timedelta(days=n), is_workday, name) for n in range(count)]


def parse_notice_csv(data: bytes) -> list[NoticeDay]:
    """The days of a CSV file of `date,holiday|workday,name` rows (blank lines and lines
    starting with # are skipped), in UTF-8 or GB18030 (as Excel saves it).

    Raises ValidationError listing every bad line by its number; nothing is half-read.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not a CSV text file.")) from None
    if "\x00" in text:
        raise ValidationError(_("The file is not a CSV text file."))
    days, errors, seen = [], [], {}
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        line = {"line": number, "value": cells[0][:20]}
        try:
            day = datetime.date.fromisoformat(cells[0])
        except ValueError:
            errors.append(_("Line %(line)s: “%(value)s” is not a date like 2027-02-15.") % line)
            continue
        kind = cells[1].lower() if len(cells) > 1 else ""
        name = cells[2] if len(cells) > 2 else ""
        if kind not in ("holiday", "workday"):
            errors.append(
                _(
                    "Line %(line)s: the second column must be holiday (a day off) or workday "
                    "(a make-up workday)."
                )
                % line
            )
        elif len(name) > HolidayNotice._meta.get_field("name").max_length:
            errors.append(_("Line %(line)s: the name is longer than 100 characters.") % line)
        elif day in seen:
            errors.append(
                _("Line %(line)s: %(value)s is already on line %(first)s.")
                % {**line, "first": seen[day]}
            )
        else:
            seen[day] = number
            days.append(NoticeDay(day, kind == "workday", name))
    if errors:
        raise ValidationError(errors)
    if not days:
        raise ValidationError(_("The file lists no day."))
    return days


# --- The year's page -------------------------------------------------------------------------

HOLIDAY_NAMES = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}


@dataclass
class Day:
    date: datetime.date
    kind: str  # "work", "weekend", "off" (a holiday, or a weekday off), "makeup" (调休上班)
    name: str = ""
    due: list[str] = field(default_factory=list)  # the plans due that day


@dataclass
class DueDay:
    plan: Plan
    date: datetime.date
    label: str
    is_workday: bool


@dataclass
class YearCalendar:
    year: int
    months: list[tuple[int, list[list[Day | None]]]]  # (month, weeks of Monday to Sunday)
    notices: list[HolidayNotice]
    due_days: list[DueDay]
    covered_by_package: bool


def year_calendar(user: User, year: int) -> YearCalendar:
    """The year's working-day calendar for the holiday notices page: days off and make-up
    workdays (from the notices and the package) and the due days that the schedules of the
    plans the user sees give in that year, after their holiday rule. Three queries."""
    _require_calendar_role(user)
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    workdays = calendar.Workdays.load(first, last)
    covered = calendar.package_covers(year)
    notices = list(HolidayNotice.objects.filter(date__year=year))
    names = {notice.date: notice.name for notice in notices}
    days = {}
    day = first
    while day <= last:
        days[day] = _day(day, workdays, covered, names)
        day += calendar.ONE_DAY
    due_days = _due_days(user, year, workdays)
    for due in due_days:
        days[due.date].due.append(due.plan.title)
    return YearCalendar(year, _months(year, days), notices, due_days, covered)


def _day(day: datetime.date, workdays: calendar.Workdays, covered: bool, names) -> Day:
    """A day off on a weekday or named in a notice is "off"; a weekend at work is "makeup"."""
    name = names.get(day, "")
    if day not in names and covered:
        _on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
        name = HOLIDAY_NAMES.get(holiday, holiday or "")
    weekend = day.weekday() >= 5
    if workdays.is_workday(day):
        return Day(day, "makeup", name) if weekend else Day(day, "work")
    return Day(day, "off" if name or not weekend else "weekend", name)


def _months(year: int, days: dict[datetime.date, Day]):
    months = []
    for month in range(1, 13):
        weeks = [
            [days[d] if d.month == month else None for d in week]
            for week in _weeks.Calendar().monthdatescalendar(year, month)
        ]
        months.append((month, weeks))
    return months


def _due_days(user: User, year: int, workdays: calendar.Workdays) -> list[DueDay]:
    """The due days in `year` of the tracked recurring plans the user sees, by their rule."""
    plans = plans_for_user(user).filter(schedule__isnull=False).select_related("schedule")
    due_days = []
    for plan in plans.order_by("title", "pk"):
        frequency = plan.report_frequency or Plan.Frequency.MONTHLY
        if frequency not in calendar.MONTHS_PER_PERIOD:
            continue
        schedule = plan.schedule
        months = calendar.MONTHS_PER_PERIOD[frequency]
        start, _end = calendar.period_bounds(frequency, datetime.date(year - 1, 1, 1))
        while start.year <= year:
            following = calendar.add_months(start, months)
            end = following - calendar.ONE_DAY
            due = calendar.due_date(
                end,
                plan.report_due_day,
                plan.report_due_offset_months,
                schedule.holiday_rule,
                workdays,
            )
            tracked = end >= schedule.tracking_start and (
                schedule.tracking_end is None or start <= schedule.tracking_end
            )
            if tracked and due.year == year:
                label = calendar.period_label(frequency, start)
                due_days.append(DueDay(plan, due, label, workdays.is_workday(due)))
            start = following
    return due_days


# --- The banner ------------------------------------------------------------------------------


def _banner_key(today: datetime.date) -> str:
    return f"holiday-calendar-missing:{today.isoformat()}"


def missing_calendar_years(
    today: datetime.date | None = None, *, compute: bool = True
) -> list[int] | None:
    """The years the banner asks to enter: this year if neither the package nor a notice
    covers it, and from 1 November the next one too. Computed once a day per server process
    and cached (a saved notice clears it); with `compute=False`, None when not cached yet."""
    today = today or clock.today()
    key = _banner_key(today)
    years = cache.get(key)
    if years is None and compute:
        wanted = [today.year, today.year + 1] if today.month >= 11 else [today.year]
        years = calendar.uncovered_years(wanted)
        cache.set(key, years, BANNER_SECONDS)
    return years
