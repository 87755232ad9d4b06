"""The holiday notices page: a year's working-day calendar with the plans' due days, where
coordinators and the system administrator enter the State Council's notice day by day, as a
range or from the CSV file that `manage.py load_holiday_notices` reads."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from luoshi.lib import clock
from luoshi.lib.auth import role_required
from luoshi.reporting import services
from luoshi.reporting.forms import HolidayFileForm, HolidayRangeForm

MAX_FILE_BYTES = 100_000


def _year(request) -> int:
    """The year asked for; by default this year, and from November the next one."""
    text = request.GET.get("year", "")
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    if text:
        messages.error(request, _("Enter a year such as 2026."))
    today = clock.today()
    return today.year + 1 if today.month >= 11 else today.year


def _back(year: int):
    return redirect(f"{reverse('reporting:holidays')}?year={year}")


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


@role_required(*services.CALENDAR_ROLES)
@require_http_methods(["GET", "POST"])
def holidays(request):
    year = _year(request)
    form = HolidayRangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            days = services.notice_range(
                data["first"], data["last"], is_workday=data["kind"] == "workday", name=data["name"]
            )
            changed = services.save_holiday_notices(request.user, days)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("%(count)s days saved.") % {"count": changed})
            return _back(data["first"].year)
    return render(
        request,
        "reporting/holidays.html",
        {
            "calendar": services.year_calendar(request.user, year),
            "form": form,
            "file_form": HolidayFileForm(),
        },
    )


@role_required(*services.CALENDAR_ROLES)
@require_POST
def holiday_upload(request):
    form = HolidayFileForm(request.POST, request.FILES)
    year = _year(request)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file."))
        return _back(year)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_FILE_BYTES:
        messages.error(request, _("The file is too large for a holiday notice."))
        return _back(year)
    try:
        days = services.parse_notice_csv(upload.read())
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        messages.error(request, _("Nothing was saved: correct the file and upload it again."))
        return _back(year)
    changed = services.save_holiday_notices(request.user, days)
    messages.success(
        request,
        _("%(count)s days read from the file, %(changed)s of them new or changed.")
        % {"count": len(days), "changed": changed},
    )
    return _back(days[0].day.year)


@role_required(*services.CALENDAR_ROLES)
@require_POST
def holiday_delete(request, pk):
    notice = services.get_holiday_notice(request.user, pk)
    if notice is None:
        messages.info(request, _("That day was already removed."))
        return _back(_year(request))
    services.delete_holiday_notice(request.user, notice)
    messages.success(request, _("%(day)s was removed from the notices.") % {"day": notice.date})
    return _back(notice.date.year)


@role_required(*services.CALENDAR_ROLES)
@require_GET
def holiday_banner(request):
    """The banner's first load of the day (base.html asks for it when it is not cached)."""
    years = services.missing_calendar_years()
    return render(request, "reporting/holiday_banner.html", {"years": years})
