"""The holiday calendar: the official notices (days off, make-up workdays) that correct
chinesecalendar. `luoshi.reporting.calendar` reads them; these functions keep them."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from luoshi.audit.services import diff, record_change
from luoshi.orgs.models import User
from luoshi.reporting.models import HolidayNotice

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
