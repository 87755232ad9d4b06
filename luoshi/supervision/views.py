"""Pages of supervision: the bell, chasing, reminder rules with a dry run, department
channels, supervision notices (督办单) and the timeliness ranking (通报).

Objects come through permission-checked helpers; changes go through services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luoshi.lib import clock
from luoshi.lib.auth import role_required
from luoshi.orgs.models import Organization, User
from luoshi.plans.access import get_plan_for_coordinator, require_plan_coordinator
from luoshi.plans.services import can_edit_plan
from luoshi.supervision import services
from luoshi.supervision.forms import (
    AcknowledgeForm,
    ChannelsForm,
    ChaseForm,
    LateReportForm,
    NoticeForm,
    RuleForm,
    ScoreSheetForm,
)
from luoshi.supervision.lights import department_lights
from luoshi.supervision.models import Delivery, DepartmentChannels, Reminder

COORDINATOR = User.Role.COORDINATOR
DEPARTMENT = (User.Role.REPORTER, User.Role.APPROVER)


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


@require_http_methods(["GET"])
def bell(request):
    """The bell's unread count, loaded by the page after it shows (no query on every page).

    An anonymous request (the session ended) gets an empty badge, never the login page."""
    count = services.unread_count(request.user) if request.user.is_authenticated else 0
    return render(request, "supervision/bell_badge.html", {"unread_notifications": count})


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    if request.method == "POST":
        services.mark_read(request.user)
        return redirect("supervision:notifications")
    items = list(services.notifications_for(request.user)[:100])
    unread = sum(1 for item in items if item.read_at is None)
    return render(request, "supervision/notifications.html", {"items": items, "unread": unread})


@role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def chase(request, pk):
    plan = get_plan_for_coordinator(request.user, pk)
    late = list(services.late_reports(request.user, plan))
    form = ChaseForm(
        request.POST or None,
        late=late,
        initial={"reports": [r.pk for r in late], "message": services.default_chase_message(plan)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.chase(
                request.user, plan, form.cleaned_data["reports"], form.cleaned_data["message"]
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            departments = len({reminder.organization_id for reminder in sent})
            messages.success(
                request,
                _("Chased %(departments)d department(s) for %(reports)d report(s).")
                % {"departments": departments, "reports": len(sent)},
            )
            return redirect("supervision:chase", plan.pk)
    recent = (
        Reminder.objects.filter(period__plan=plan, kind=Reminder.Kind.CHASE)
        .select_related("organization", "period", "created_by")
        .order_by("-created_at")[:20]
    )
    lights = department_lights(plan, clock.today())
    names = dict(
        Organization.objects.filter(pk__in=lights).values_list("pk", "name").order_by("name")
    )
    rows = [(names[pk], lights[pk]) for pk in sorted(lights, key=lambda pk: names[pk])]
    return render(
        request,
        "supervision/chase.html",
        {
            "plan": plan,
            "form": form,
            "late": late,
            "late_rows": list(zip(form["reports"], late, strict=True)),
            "recent": recent,
            "lights": rows,
        },
    )


@role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def reminder_rule(request, pk):
    plan = get_plan_for_coordinator(request.user, pk)
    rule = services.get_rule(plan)
    initial = {
        "days_before": ",".join(str(d) for d in rule.days_before),
        "daily_when_late": rule.daily_when_late,
        "escalate_after": rule.escalate_after,
        "starts_on": rule.starts_on,
    }
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.set_rule(request.user, plan, **form.cleaned_data)
        messages.success(request, _("The reminder rule was saved."))
        return redirect("supervision:rule", plan.pk)
    day, day_error = clock.today(), ""
    if request.GET.get("date"):
        try:
            day = clock.parse_day(request.GET["date"])
        except ValueError:
            day_error = _("Enter a date as YYYY-MM-DD between %(first)s and %(last)s.") % {
                "first": clock.FIRST_YEAR,
                "last": clock.LAST_YEAR,
            }
    planned = services.planned_reminders(day, [plan])
    deliveries = (
        Delivery.objects.filter(reminder__period__plan=plan)
        .exclude(status=Delivery.Status.SENT)
        .select_related("reminder__organization", "reminder__period")
        .order_by("-id")[:50]
    )
    return render(
        request,
        "supervision/rule.html",
        {
            "plan": plan,
            "form": form,
            "day": day,
            "day_error": day_error,
            "planned": planned,
            "deliveries": deliveries,
        },
    )


@role_required(User.Role.APPROVER)
@require_http_methods(["GET", "POST"])
def department_channels(request):
    """The department head's page only: the channels hold the robots' keys and secrets."""
    setup = DepartmentChannels.objects.filter(organization=request.user.organization_id).first()
    setup = setup or DepartmentChannels(organization=request.user.organization)
    form = ChannelsForm(request.POST or None, instance=setup)
    if request.method == "POST" and form.is_valid():
        services.save_channels(request.user, form)
        messages.success(request, _("The reminder channels were saved."))
        return redirect("supervision:channels")
    return render(request, "supervision/channels.html", {"form": form})


@login_required
def notice_list(request):
    notices = list(services.notices_for_user(request.user)[:200])
    return render(request, "supervision/notice_list.html", {"notices": notices})


@role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def notice_new(request, pk):
    plan = get_plan_for_coordinator(request.user, pk)
    departments = (
        Organization.objects.filter(
            kind=Organization.Kind.DEPARTMENT, assignments__measure__key_task__plan=plan
        )
        .distinct()
        .order_by("name")
    )
    # Come from a late report of the chase page: what is valid of it fills the form.
    about = LateReportForm(request.GET)
    about.is_valid()
    initial = services.notice_draft(
        request.user, plan, about.cleaned_data.get("department"), about.cleaned_data.get("period")
    )
    form = NoticeForm(request.POST or None, departments=departments, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = services.issue_notice(
                request.user,
                plan,
                departments.get(pk=data["organization"]),
                colour=data["colour"],
                subject=data["subject"],
                body=data["body"],
                reply_by=data["reply_by"],
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("The supervision notice was issued."))
            return redirect("supervision:notice", notice.pk)
    return render(request, "supervision/notice_new.html", {"plan": plan, "form": form})


@login_required
def notice_detail(request, pk):
    notice = services.get_notice(request.user, pk)
    can_acknowledge = (
        request.user.is_department_user
        and request.user.organization_id == notice.organization_id
        and notice.acknowledged_at is None
    )
    return render(
        request,
        "supervision/notice.html",
        {"notice": notice, "form": AcknowledgeForm(), "can_acknowledge": can_acknowledge},
    )


@role_required(*DEPARTMENT)
@require_POST
def notice_acknowledge(request, pk):
    notice = services.get_notice(request.user, pk)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            services.acknowledge_notice(request.user, notice, form.cleaned_data["response"])
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("The notice was acknowledged."))
    else:
        messages.error(request, _("Write what your department has done or will do."))
    return redirect("supervision:notice", notice.pk)


@login_required
@require_http_methods(["GET", "POST"])
def scores(request, pk):
    plan = get_plan_for_coordinator(request.user, pk, leaders_too=True)
    year_text = request.GET.get("year") or str(clock.today().year)
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else None
    if year is None:
        messages.error(request, _("Enter a year such as 2026."))
        year = clock.today().year
    sheet, rows = services.timeliness(request.user, plan, year)
    form = ScoreSheetForm(request.POST or None, instance=sheet)
    if request.method == "POST":
        require_plan_coordinator(request.user, plan)
        if form.is_valid():
            try:
                services.set_score_sheet(request.user, plan, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, _("The score sheet was saved."))
                return redirect(f"{request.path}?year={year}")
    return render(
        request,
        "supervision/scores.html",
        {
            "plan": plan,
            "year": year,
            "rows": rows,
            "sheet": sheet,
            "form": form,
            "can_edit": can_edit_plan(request.user, plan),
            "own_sheet": sheet.plan_id == plan.pk and sheet.pk is not None,
        },
    )


@role_required(COORDINATOR)
@require_POST
def scores_use_region_sheet(request, pk):
    plan = get_plan_for_coordinator(request.user, pk)
    services.use_region_score_sheet(request.user, plan)
    messages.success(request, _("The plan now follows the region's default score sheet."))
    return redirect("supervision:scores", plan.pk)


@role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def region_score_sheet(request):
    """The region's default score sheet: what the ranking of every plan of the region without
    a sheet of its own reads."""
    sheet = services.region_score_sheet(request.user)
    form = ScoreSheetForm(request.POST or None, instance=sheet)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_region_score_sheet(request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("The score sheet was saved."))
            return redirect("supervision:region_scores")
    return render(
        request,
        "supervision/region_scores.html",
        {
            "region": sheet.region,
            "form": form,
            "plans": services.plans_with_own_sheet(request.user),
        },
    )
