from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from luoshi.audit.version import change_version
from luoshi.importing import ParseError
from luoshi.importing.sources import UnreadableFile
from luoshi.lib import clock
from luoshi.lib.auth import role_required
from luoshi.lib.fragments import cached_fragment
from luoshi.lib.text import attachment_disposition, download_name
from luoshi.lib.urls import url_template
from luoshi.orgs.models import User
from luoshi.orgs.services import get_department_for_user, plan_units
from luoshi.plans import delegation
from luoshi.plans.draft_edits import EditError
from luoshi.plans.forms import (
    EDIT_FORMS,
    ROLE_CHOICES,
    AssignmentFormSet,
    GoLiveForm,
    HeaderForm,
    LedgerFilterForm,
    MeasureParentForm,
    ReviewForm,
    SendDownForm,
    UploadForm,
    VersionForm,
)
from luoshi.plans.ledger import add_html
from luoshi.plans.models import ImportDraft, Measure, ScanState, Target
from luoshi.plans.services import (
    DraftConflict,
    PlanExists,
    UploadRefused,
    can_edit_plan,
    cancel_import_draft,
    create_import_draft,
    drafts_for_user,
    edit_import_draft,
    get_draft_for_user,
    get_measure_for_editing,
    get_plan_for_user,
    get_plan_source_file,
    measures_with_details,
    parent_measure_choices,
    parsed_plan_from_db,
    plan_departments,
    plan_ledger,
    plan_lineage,
    plans_for_user,
    preview_of_draft,
    scan_page_image,
    set_measure_departments,
    set_measure_parent,
)


@require_GET
@login_required
def plan_list(request):
    plans = plans_for_user(request.user).annotate(
        task_count=Count("key_tasks", distinct=True),
        measure_count=Count("key_tasks__measures", distinct=True),
        review_count=Count(
            "key_tasks__measures", filter=Q(key_tasks__measures__needs_review=True), distinct=True
        ),
    )
    context = {"plans": plans, "delegations": delegation.delegations_for_user(request.user)}
    return render(request, "plans/plan_list.html", context)


@require_GET
@login_required
def plan_detail(request, pk):
    plan = get_plan_for_user(request.user, pk)
    form = LedgerFilterForm(request.GET or None, departments=plan_departments(plan))
    shown = form.filter(Measure.objects.filter(key_task__plan=plan))
    ledger = plan_ledger(plan, shown)
    can_edit = can_edit_plan(request.user, plan)
    edit_url = url_template("plans:measure_edit") if can_edit else None
    add_html(ledger, request.user, edit_url)
    lineage = plan_lineage(plan, request.user)
    readable = {parent.pk for _number, parent in lineage["parents"] if parent}
    for task in ledger["tasks"]:  # what the user may not open is named, not linked
        for reference in [task["parent"], *(m.get("parent") for m in task["measures"])]:
            if reference and reference["plan_id"] not in readable:
                reference["url"] = ""
    context = {
        "plan": plan,
        "form": form,
        "ledger": ledger,
        "shown_count": ledger["shown_count"],  # the exports' tests compare their rows with it
        "can_edit": can_edit,
        "has_source_file": ImportDraft.objects.filter(plan=plan).exists(),
        **lineage,
    }
    return render(request, "plans/plan_detail.html", context)


@require_http_methods(["GET", "POST"])
@role_required(User.Role.COORDINATOR)
def plan_send_down(request, pk):
    """下发: the plan's coordinating office sends it to the regions below its own."""
    plan = delegation.plan_for_sending(request.user, pk)
    sent = list(delegation.delegations_of_plan(plan))
    regions = delegation.child_regions(plan).exclude(pk__in=[d.region_id for d in sent])
    form = SendDownForm(request.POST if request.method == "POST" else None, regions=regions)
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["regions"])
        delegation.send_down(request.user, plan, chosen)
        messages.success(
            request,
            _("Sent down to %(regions)s: their coordinators now find it under their plans.")
            % {"regions": "、".join(region.name for region in chosen)},
        )
        return redirect("plans:send_down", plan.pk)
    return render(
        request, "plans/send_down.html", {"plan": plan, "form": form, "delegations": sent}
    )


@require_POST
@role_required(User.Role.COORDINATOR)
def delegation_draft(request, pk):
    """A region's coordinator makes the draft of its implementing plan from a plan sent down."""
    draft = delegation.create_delegated_draft(request.user, pk)
    return redirect("plans:import_preview", draft.pk)


@require_GET
@login_required
def plan_json(request, pk):
    plan = get_plan_for_user(request.user, pk)
    response = JsonResponse(
        parsed_plan_from_db(plan).to_dict(), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = attachment_disposition(f"plan-{plan.pk}.json")
    return response


@require_GET
@login_required
def department_measures(request, pk):
    """A department's measures across every plan (a department user sees only its own). The
    list is cached until the next recorded change (lib.fragments): the same for every viewer
    allowed here, but for the closure links its own department's users get."""
    user = request.user
    department = get_department_for_user(user, pk)
    own = user.is_department_user and user.organization_id == department.pk

    def measures_html():
        measures = (
            measures_with_details()
            .filter(assignments__organization=department)
            .select_related("key_task__plan")
            .order_by("-key_task__plan__issue_date", "key_task__plan", "key_task__no", "no")
        )
        context = {"department": department, "measures": measures, "own": own}
        return render_to_string("plans/department_measures_list.html", context)

    html = cached_fragment(
        "plans:department", change_version(), (department.pk, own), measures_html
    )
    context = {"department": department, "measures_html": html}
    return render(request, "plans/department_measures.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def measure_edit(request, pk):
    measure = get_measure_for_editing(request.user, pk)
    plan = measure.key_task.plan
    # The region's units, then those of the regions directly below (named with their region).
    organizations = plan_units(plan.region)
    initial = [
        {"organization": a.organization, "role": a.role}
        for a in measure.assignments.select_related("organization")
    ]
    formset = AssignmentFormSet(
        request.POST or None, initial=initial, form_kwargs={"organizations": organizations}
    )
    review = ReviewForm(request.POST or None, initial={"needs_review": measure.needs_review})
    if request.method == "POST" and formset.is_valid() and review.is_valid():
        set_measure_departments(
            request.user,
            measure,
            formset.departments(),
            needs_review=review.cleaned_data["needs_review"],
        )
        messages.success(request, _("Measure %(code)s saved.") % {"code": measure.code})
        return redirect(reverse("plans:detail", args=[plan.pk]) + f"#measure-{measure.pk}")
    context = {
        "plan": plan,
        "measure": measure,
        "formset": formset,
        "review": review,
        "organizations": list(organizations),  # one query for every row's choices
        "parent_form": _measure_parent_form(measure),
    }
    return render(request, "plans/measure_edit.html", context)


def _measure_parent_form(measure, data=None) -> MeasureParentForm | None:
    choices = parent_measure_choices(measure.key_task.plan)
    if not choices:
        return None
    return MeasureParentForm(data, measures=choices, initial={"parent": measure.parent_id})


@require_POST
@login_required
def measure_parent(request, pk):
    """Link a live measure to the measure of a parent plan it carries out, or unlink it."""
    measure = get_measure_for_editing(request.user, pk)
    form = _measure_parent_form(measure, request.POST)
    if form is None or not form.is_valid():
        messages.error(request, _("Pick a measure of a parent plan."))
        return redirect("plans:measure_edit", measure.pk)
    set_measure_parent(request.user, measure, form.chosen())
    messages.success(request, _("Measure %(code)s saved.") % {"code": measure.code})
    plan_url = reverse("plans:detail", args=[measure.key_task.plan_id])
    return redirect(f"{plan_url}#measure-{measure.pk}")


# --- Importing a plan through the preview ------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(User.Role.COORDINATOR)
def import_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            draft = create_import_draft(request.user, upload.name, upload.read())
        except PlanExists as error:
            form.add_error(
                "file",
                _("This plan has already been imported: %(title)s (%(doc)s).")
                % {"title": error.plan.title, "doc": error.plan.doc_number},
            )
        except (UnreadableFile, ParseError, UploadRefused) as error:
            form.add_error("file", str(error))
        else:
            return redirect("plans:import_preview", draft.pk)
    drafts = drafts_for_user(request.user).select_related("uploaded_by")
    return render(request, "plans/import_upload.html", {"form": form, "drafts": drafts})


@require_GET
@role_required(User.Role.COORDINATOR)
def import_preview(request, pk):
    draft = get_draft_for_user(request.user, pk)
    reading = draft.scan_state in (ScanState.QUEUED, ScanState.READING)
    if request.htmx and not reading:  # the reading page polled, the reading is over: reload
        return HttpResponseClientRefresh()
    if reading or draft.scan_state == ScanState.FAILED:
        return render(request, "plans/import_reading.html", {"draft": draft})
    context = {
        "draft": draft,
        "header": HeaderForm(initial=HeaderForm.initial_from(draft.data)),
        # A plan issued years ago is tracked from now on: the month of the import.
        "go_live": GoLiveForm(
            initial={"version": draft.version, "tracking_start": clock.today().replace(day=1)}
        ),
        "roles": ROLE_CHOICES,
        "comparators": Target.Comparator.choices,
        **preview_of_draft(draft, request.user),
        "scan_page_numbers": range(1, draft.scan_pages + 1),
    }
    return render(request, "plans/import_preview.html", context)


@require_GET
@role_required(User.Role.COORDINATOR)
def import_page(request, pk, page):
    """Page `page` (from 1) of a scanned draft as a picture, shown beside what OCR read."""
    draft = get_draft_for_user(request.user, pk)
    image = scan_page_image(draft, page - 1)
    if image is None:
        raise Http404("no such page")
    response = HttpResponse(image, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@role_required(User.Role.COORDINATOR)
def import_edit(request, pk):
    draft = get_draft_for_user(request.user, pk)
    op = request.POST.get("op", "")
    version, form = VersionForm(request.POST), EDIT_FORMS.get(op, VersionForm)(request.POST)
    url = reverse("plans:import_preview", args=[draft.pk])
    if op not in EDIT_FORMS or not version.is_valid() or not form.is_valid():
        messages.error(
            request,
            _("The change could not be read: %(errors)s") % {"errors": _form_errors(version, form)},
        )
        return redirect(url)
    try:
        edit_import_draft(
            request.user, draft, version.cleaned_data["version"], op, **form.cleaned_data
        )
    except (DraftConflict, EditError) as error:
        messages.error(request, str(error))
        return redirect(url)
    cleaned = form.cleaned_data
    anchor = ""
    if "t" in form.fields:
        anchor = f"#m-{cleaned['t']}-{cleaned['m']}" if cleaned.get("m") is not None else ""
        anchor = anchor or f"#task-{cleaned['t']}"
    return redirect(url + anchor)


def _form_errors(*forms) -> str:
    return " ".join(str(e) for form in forms for errors in form.errors.values() for e in errors)


@require_POST
@role_required(User.Role.COORDINATOR)
def import_cancel(request, pk):
    draft = get_draft_for_user(request.user, pk)
    cancel_import_draft(request.user, draft)
    messages.info(
        request,
        _("The import of %(name)s was cancelled; nothing was kept.")
        % {"name": draft.original_name},
    )
    return redirect("plans:import_upload")


@require_GET
@login_required
def plan_source_file(request, pk):
    draft = get_plan_source_file(request.user, pk)
    return FileResponse(
        draft.file.open("rb"), as_attachment=True, filename=download_name(draft.original_name)
    )
