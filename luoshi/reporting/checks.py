"""A system check that shows the administrator when the holiday calendar runs out."""

from django.core import checks
from django.db import DatabaseError
from django.utils.translation import gettext as _

from luoshi.lib import clock


def calendar_warnings(today=None) -> list[str]:
    """Warnings for this year and next if no holiday calendar covers them (for admin pages)."""
    from luoshi.reporting.calendar import uncovered_years

    year = (today or clock.today()).year
    return [
        _(
            "The holiday calendar does not cover %(year)s: due dates count Monday to Friday "
            "as workdays until the holiday notice for %(year)s is entered."
        )
        % {"year": y}
        for y in uncovered_years([year, year + 1])
    ]


@checks.register(checks.Tags.database)
def check_holiday_calendar(app_configs=None, databases=None, **kwargs):
    # Database-tagged checks run only when asked for (migrate, check --database default).
    if not databases:
        return []
    try:
        messages = calendar_warnings()
    except DatabaseError:  # not migrated yet
        return []
    return [checks.Warning(m, id="reporting.W001") for m in messages]
