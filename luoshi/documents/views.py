"""The documents pages: the consolidated report (.docx / .pdf) of a plan and period, the ledger
(.xlsx) with the ledger page's filters, and a department's Word template of its report.

Objects come through permission-checked helpers (404 for what the user cannot see, 403 for a
role that may not act); every change goes through a service.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from luoshi.documents import drafting, services, template_docx
from luoshi.documents.brief import build_brief
from luoshi.documents.brief_docx import build_document
from luoshi.documents.forms import (
    LedgerExportForm,
    ParagraphForm,
    PresetForm,
    ReportOptionsForm,
    TemplateUploadForm,
)
from luoshi.documents.ledger_xlsx import build_ledger_xlsx
from luoshi.documents.models import DocumentPreset
from luoshi.documents.pdf import PdfUnavailable, docx_to_pdf, pdf_available
from luoshi.lib import clock
from luoshi.lib.text import attachment_disposition
from luoshi.orgs.models import Organization
from luoshi.plans.access import get_plan_for_coordinator, require_plan_coordinator
from luoshi.plans.services import can_edit_plan, measures_with_details, plans_for_user
from luoshi.reporting.models import Report
from luoshi.reporting.services import reports_for_user

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    # Plan titles and department names are data: the header is built from a sanitised name.
    response["Content-Disposition"] = attachment_disposition(filename)
    return response


@require_GET
@login_required
def home(request):
    user = request.user
    if user.is_department_user:
        reports = (
            reports_for_user(user)
            .filter(status__in=Report.EDITABLE, period__start__lte=clock.today())
            .order_by("-period__start", "period__plan__title")
        )
        return render(request, "documents/my_templates.html", {"reports": reports})
    if not (user.is_coordinator or user.is_leader):
        raise PermissionDenied
    # Every plan a coordinator or leader sees, their own and those below, is theirs to export.
    plans = list(plans_for_user(user))
    return render(request, "documents/home.html", {"plans": plans})


def _ledger_form(request, plan):
    departments = Organization.objects.filter(
        kind=Organization.Kind.DEPARTMENT, assignments__measure__key_task__plan=plan
    ).distinct()
    periods = services.ledger_periods(plan)
    return LedgerExportForm(request.GET or None, departments=departments, periods=periods)


@require_GET
@login_required
def plan_documents(request, pk):
    plan = services.get_plan_for_export(request.user, pk)
    periods = list(services.ledger_periods(plan))
    context = {
        "plan": plan,
        "periods": periods[::-1],
        "ledger_periods": periods,
        "form": _ledger_form(request, plan),
        "may_edit": can_edit_plan(request.user, plan),
    }
    return render(request, "documents/plan.html", context)


def _report_form(request, period):
    defaults = services.default_options(period.plan, clock.today())
    return ReportOptionsForm(request.GET or None, defaults=defaults)


@require_GET
@login_required
def report_page(request, pk, period_pk):
    period = services.get_period_for_export(request.user, pk, period_pk)
    form = _report_form(request, period)
    report = brief = None
    if not form.is_bound or form.is_valid():
        report = services.consolidated_report(request.user, period, form.options())
        brief = build_brief(report, services.accepted_paragraphs(period))
    context = {
        "plan": period.plan,
        "period": period,
        "form": form,
        "report": report,
        "brief": brief,
        "preset": DocumentPreset.objects.filter(plan=period.plan).first(),
        "may_edit": can_edit_plan(request.user, period.plan),
        "query": request.GET.urlencode(),
        "pdf_available": pdf_available(),
    }
    return render(request, "documents/report.html", context, status=200 if report else 400)


def _built_report(request, pk, period_pk):
    period = services.get_period_for_export(request.user, pk, period_pk)
    form = _report_form(request, period)
    if form.is_bound and not form.is_valid():
        return period, None
    report = services.consolidated_report(request.user, period, form.options())
    return period, build_document(report)


def _report_name(period) -> str:
    return f"{period.plan.title}{period.label}落实情况的报告"


@require_GET
@login_required
def report_docx(request, pk, period_pk):
    period, data = _built_report(request, pk, period_pk)
    if data is None:
        return _back_to_report(request, period)
    return _download(data, DOCX, f"{_report_name(period)}.docx")


@require_GET
@login_required
def report_pdf(request, pk, period_pk):
    period, data = _built_report(request, pk, period_pk)
    if data is None:
        return _back_to_report(request, period)
    try:
        pdf = docx_to_pdf(data)
    except PdfUnavailable as error:
        messages.error(request, str(error))
        return _back_to_report(request, period)
    return _download(pdf, "application/pdf", f"{_report_name(period)}.pdf")


@require_POST
@login_required
def report_issue(request, pk, period_pk):
    """The document that can be sent: the plan's preset and the period's 文号 (taken once)."""
    period = services.get_period_for_export(request.user, pk, period_pk)
    require_plan_coordinator(request.user, period.plan)
    preset = DocumentPreset.objects.filter(plan=period.plan).first()
    if preset is None:
        messages.error(request, _("Set the plan's document preset first."))
        return redirect("documents:preset", period.plan_id)
    options = services.issued_options(request.user, period, preset, clock.today())
    options.full = bool(request.POST.get("full"))
    report = services.consolidated_report(request.user, period, options)
    name = f"{options.doc_number}{_report_name(period)}.docx"
    return _download(build_document(report), DOCX, name)


@require_http_methods(["GET", "POST"])
@login_required
def preset_page(request, pk):
    plan = get_plan_for_coordinator(request.user, pk)
    preset = DocumentPreset.objects.filter(plan=plan).first()
    initial = None if preset else services.preset_initial(plan)
    form = PresetForm(request.POST or None, instance=preset, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_preset(request.user, plan, form.cleaned_data)
        messages.success(request, _("The document preset is saved."))
        return redirect("documents:plan", plan.pk)
    status = 400 if request.method == "POST" else 200
    context = {"plan": plan, "form": form, "preset": preset}
    return render(request, "documents/preset.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def task_page(request, pk, period_pk, task_pk):
    """A key task's paragraph of the brief: the rules' text, a draft from the office's model
    (when configured), edited and accepted by the coordinator."""
    period, task = services.get_task_for_brief(request.user, pk, period_pk, task_pk)
    report = services.consolidated_report(
        request.user, period, services.default_options(period.plan)
    )
    accepted = services.accepted_paragraphs(period)
    brief = build_brief(report, accepted)
    current = next(text for t, text, _accepted in brief.paragraphs if t.pk == task.pk)
    form = ParagraphForm(request.POST or None, initial={"text": current})
    if request.method == "POST" and request.POST.get("action") == "draft":
        form = ParagraphForm(initial={"text": current})
        if drafting.configured():
            try:
                draft = drafting.draft_paragraph(request.user, report, task)
            except drafting.DraftError as error:
                messages.error(
                    request, _("%(error)s The paragraph stays as it was.") % {"error": error}
                )
            else:
                form = ParagraphForm(initial={"text": draft.text, "draft": draft.record_id})
                messages.info(request, _("The model's draft: edit it, then accept it."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        drafting.accept_paragraph(request.user, period, task, data["text"], data["draft"])
        messages.success(request, _("The paragraph is saved for the brief."))
        return redirect("documents:report", pk, period_pk)
    sections = next((s for t, s in report.tasks if t.pk == task.pk), [])
    context = {
        "plan": period.plan,
        "period": period,
        "task": task,
        "sections": sections,
        "form": form,
        "accepted": task.pk in accepted,
        "llm": drafting.configured(),
    }
    return render(request, "documents/task.html", context, status=200)


def _back_to_report(request, period):
    url = reverse("documents:report", args=[period.plan_id, period.pk])
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


@require_GET
@login_required
def ledger_xlsx(request, pk):
    plan = services.get_plan_for_export(request.user, pk)
    form = _ledger_form(request, plan)
    if form.is_bound and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("documents:plan", plan.pk)
    department = form.cleaned_data["department"] if form.is_bound else None
    chosen = list(form.cleaned_data["periods"]) if form.is_bound else None
    measures = form.filter(measures_with_details())
    periods, rows, summary = services.ledger(
        request.user, plan, measures, department, periods=chosen
    )
    filters = []
    if department:
        filters.append(department.name)
    if form.is_bound and form.cleaned_data["needs_review"]:
        filters.append(_("only measures to review"))
    data = build_ledger_xlsx(plan, periods, rows, summary, "，".join(filters))
    return _download(data, XLSX, f"{plan.title}台账.xlsx")


@require_GET
@login_required
def template_download(request, pk):
    report = template_docx.get_report_for_template(request.user, pk)
    data = template_docx.build_template(report)
    name = f"{report.organization.name}{report.period.label}进展情况报告（模板）.docx"
    return _download(data, DOCX, name)


@require_http_methods(["GET", "POST"])
@login_required
def template_page(request, pk):
    report = template_docx.get_report_for_template(request.user, pk)
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = template_docx.import_template(request.user, report, form.cleaned_data["file"])
        except template_docx.TemplateRefused as refused:
            problems = refused.problems
        else:
            if saved:
                messages.success(
                    request,
                    _("Imported into the draft: %(codes)s.") % {"codes": "、".join(saved)},
                )
            else:
                messages.info(request, _("The file holds nothing new: the draft is unchanged."))
            return redirect(reverse("reporting:report", args=[report.pk]))
    context = {
        "report": report,
        "form": form,
        "problems": problems,
        "editable": report.is_editable,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "documents/template.html", context, status=status)
