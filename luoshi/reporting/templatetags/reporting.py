"""Reporting's pieces of the project's pages: base.html shows the holiday calendar banner."""

from django import template

from luoshi.reporting.services import CALENDAR_ROLES, missing_calendar_years

register = template.Library()


@register.inclusion_tag("reporting/holiday_banner.html", takes_context=True)
def holiday_banner(context):
    """To those who keep the calendar: the years no holiday calendar covers yet (this year, and
    from 1 November the next). Never a query: from the day's cache, or, the first time in the
    day, a placeholder that fetches the banner (which computes and caches it)."""
    user = context.get("user")
    if user is None or not user.is_authenticated or user.role not in CALENDAR_ROLES:
        return {"years": []}
    years = missing_calendar_years(compute=False)
    return {"years": years or [], "fetch": years is None}
