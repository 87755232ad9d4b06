"""The pages of the reporting cycle: the department's report form with its workflow buttons,
the department's list of reports, and the coordinator's matrix, review queue and measure view.

Every object comes through a permission-checked helper (reporting.access, which the services
re-export, plans.access or queries.py); every change goes through a service. Entries save
themselves through htmx (see static/reporting/report-form.js): a save answers 200 (saved), 409
(someone else saved first: both versions shown), 422 (refused, e.g. the report was submitted
meanwhile) or 401 (the session expired: the text stays in the browser).
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, trigger_client_event

from luoshi.lib import clock
from luoshi.lib.auth import role_required
from luoshi.lib.fragments import cached_fragment, cached_value, csrf_slot, fill_csrf
from luoshi.lib.urls import url_template
from luoshi.orgs.models import User
from luoshi.plans.access import get_plan_for_coordinator, require_plan_coordinator
from luoshi.plans.services import can_edit_plan
from luoshi.reporting import queries, rollup
from luoshi.reporting import services as reporting
from luoshi.reporting.forms import (
    AttachmentForm,
    BulkAcceptForm,
    CommentForm,
    EntryForm,
    LateEntryForm,
)
from luoshi.reporting.home import department_home
from luoshi.reporting.models import Report
from luoshi.reporting.version import data_version


def htmx_login_required(view):
    """login_required, except that an htmx request gets a 401 with a message to show, never
    the login page swapped into the form (the text typed stays in the browser)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if not request.htmx:
            return redirect_to_login(request.get_full_path())
        page = request.htmx.current_url_abs_path or request.get_full_path()
        login_url = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': page})}"
        message = _(
            "Your session has expired and this was not saved. Your text is kept in this "
            "browser: log in again and it will be saved."
        )
        response = render(
            request,
            "reporting/session_expired.html",
            {"message": message, "login_url": login_url},
            status=401,
        )
        reswap(response, "none")
        return trigger_client_event(
            response, "sessionExpired", {"message": message, "login_url": login_url}
        )

    return wrapped


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _report_url(report: Report, entry_pk: int | None = None) -> str:
    url = reverse("reporting:report", args=[report.pk])
    return f"{url}#entry-{entry_pk}" if entry_pk else url


def _go(request, url: str):
    """Back to a page: a client-side redirect for htmx, a plain redirect otherwise."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# The department's reports per page of its home: a year of monthly reports of three plans.
HOME_PAGE_SIZE = 36


@require_GET
@login_required
def home(request):
    user = request.user
    if user.is_department_user:
        today = clock.today()
        to_act_on = queries.reports_to_act_on(user, today)
        # Every report the department ever had, newest first, a page at a time.
        pages = Paginator(queries.department_reports(user, today), HOME_PAGE_SIZE)
        page = pages.get_page(request.GET.get("page"))
        page.object_list = queries.with_states(user, page.object_list, today)
        context = {
            "home": department_home(user, to_act_on, today),
            "page": page,
            "today": today,
            # A report's URL is this prefix, its pk and "/" (no reverse() per row).
            "report_url": url_template("reporting:report").prefix,
        }
        return render(request, "reporting/my_reports.html", context)
    if user.is_coordinator or user.is_leader:
        context = {"plans": queries.coordinated_plans(user)}
        return render(request, "reporting/plans.html", context)
    raise PermissionDenied


# --- The report form ------------------------------------------------------------------------


# The co departments' entries shown beside a measure the department leads, unless all are
# asked for (?co=all): a province measure can have dozens of co departments.
CO_ENTRIES_SHOWN = 10


def _with_co_entries(report: Report, entries, show_all: bool, user: User) -> None:
    """Set `entry.co_entries` (the first ones, or all) and `entry.co_count` (all of them)."""
    co = queries.co_entries_by_measure(report, entries, user)
    for entry in entries:
        others = co.get(entry.measure_id, [])
        entry.co_count = len(others)
        entry.co_entries = others if show_all else others[:CO_ENTRIES_SHOWN]


def _entry_rows(report: Report, entries, all_co: bool, user: User):
    _with_co_entries(report, queries.with_details(entries), all_co, user)
    queries.with_flag_labels(entries)
    return queries.grouped_by_task(entries)


# The texts every entry of a report repeats, translated once per page (see _entry_fields).
ENTRY_TEXTS = {
    "every_period": gettext_lazy("Every department, every period"),
    "lead": gettext_lazy("Lead"),
    "co": gettext_lazy("Co-operating"),
    "deadline": gettext_lazy("Deadline"),
    "report": gettext_lazy("report"),
    "required": gettext_lazy("required"),
    "actual": gettext_lazy("Actual value"),
    "target": pgettext_lazy("target value", "target"),
    "save": gettext_lazy("Save"),
    "evidence": gettext_lazy("Evidence"),
    "none_yet": gettext_lazy("None yet."),
    "delete": gettext_lazy("Delete"),
    "delete_confirm": gettext_lazy("Delete this file?"),
    "evidence_file": gettext_lazy("Evidence file"),
    "upload": gettext_lazy("Upload"),
    "file_types": gettext_lazy("PDF, PNG, JPEG, Word (.docx) or Excel (.xlsx)"),
    "last_period": gettext_lazy("Last period's text (for reference)"),
    "take_over": gettext_lazy("Take it over and edit"),
    "no_new_progress": gettext_lazy("No new progress this period"),
    "flags": gettext_lazy("Quality flags"),
}


def _entry_fields() -> dict:
    """What the `entry` partial of report.html needs besides the entry, computed once per page
    rather than once per entry: the entry form's fields are written there in plain HTML (with
    the names, ids and labels of forms.EntryForm), because rendering a Django form, and
    translating the same texts, for every entry cost most of the page's time."""
    fields = EntryForm.base_fields
    return {
        "labels": {name: str(field.label) for name, field in fields.items()}
        | {"progress_placeholder": str(fields["progress"].widget.attrs["placeholder"])},
        "status_choices": [(value, str(label)) for value, label in fields["status"].choices],
        "t": {name: str(text) for name, text in ENTRY_TEXTS.items()},
        # An entry's URL is this prefix, its pk and "/" (no reverse() per entry).
        "entry_url": url_template("reporting:entry").prefix,
    }


def _workflow(user: User, report: Report, editable: bool, today) -> dict:
    """Which buttons the user gets on this report in its state."""
    status = report.status
    mine = user.is_department_user and user.organization_id == report.organization_id
    coordinating = can_edit_plan(user, report.period.plan)
    return {
        "start": mine and status == Report.Status.NOT_STARTED and editable,
        "submit": mine
        and user.role == User.Role.REPORTER
        and status in (Report.Status.DRAFT, Report.Status.RETURNED)
        and editable,
        "signoff": mine
        and user.role == User.Role.APPROVER
        and status == Report.Status.AWAITING_SIGNOFF,
        "would_be_late": today > report.period.due_date,
        "review": coordinating and status == Report.Status.SUBMITTED,
        "took_part": coordinating
        and status == Report.Status.SUBMITTED
        and reporting.took_part(user, report),
        "reopen": coordinating and status == Report.Status.ACCEPTED,
        "late_entry": coordinating
        and report.period.is_closed
        and status in Report.UNSUBMITTED + (Report.Status.RETURNED,)
        and not reporting.late_entry_allowed(report),
    }


@require_GET
@login_required
def report_detail(request, pk):
    return _report_page(request, reporting.get_report(request.user, pk))


def _report_page(request, report: Report):
    """The report's page: its entries (the form for the department), its workflow buttons.
    A report not yet submitted shows the coordinator and leaders its state, not its text.
    The entries are rendered once per data version and viewer (see lib.fragments)."""
    user = request.user
    editable = reporting.can_edit(user, report)
    withheld = queries.withheld_label(user, report)
    all_co = request.GET.get("co") == "all"

    def entries_html() -> tuple[str, int]:
        entries = queries.report_entries(report)
        context = {
            "report": report,
            "user": user,
            "editable": editable,
            # Last period's text beside each entry, for the department writing it.
            "last_label": queries.with_last_period(report, entries) if editable else "",
            "tasks": _entry_rows(report, entries, all_co, user),
            "csrf_token": csrf_slot(),
            **_entry_fields(),
        }
        return render_to_string("reporting/report.html#entries", context), len(entries)

    html, entry_count = (
        ("", 0)  # nothing of the text to show yet
        if withheld
        else cached_value(
            "reporting:report",
            data_version(),
            (report.pk, user.pk, editable, all_co),
            entries_html,
        )
    )
    today = clock.today()
    state = queries.state_of(report, today)
    actions = _workflow(user, report, editable, today)
    context = {
        "report": report,
        "state": state,
        "state_label": queries.STATE_LABELS[state],
        "withheld": withheld,
        "entries_html": fill_csrf(request, html),
        "entry_count": entry_count,
        "editable": editable,
        "actions": actions,
        # The late entry running for the department of a closed period (its deadline shown),
        # and the deadline a new one gets unless the coordinator picks another.
        "late_entry": reporting.late_entry_for(report) if report.period.is_closed else None,
        "late_deadline": (
            reporting.default_late_entry_deadline(today) if actions["late_entry"] else None
        ),
    }
    return render(request, "reporting/report.html", context)


def _entry_context(user: User, entry) -> dict:
    report = entry.report
    editable = reporting.can_edit(user, report)
    _with_co_entries(report, queries.with_details([entry]), show_all=False, user=user)
    queries.with_flag_labels([entry])
    last_label = queries.with_last_period(report, [entry]) if editable else ""
    return {
        "entry": entry,
        "report": report,
        "editable": editable,
        "last_label": last_label,
        **_entry_fields(),
    }


def _entry_saved(request, entry, form):
    invalid = [form.fields[name].label for name in form.errors]
    queries.with_flag_labels([entry])
    texts = {key: ENTRY_TEXTS[key] for key in ("flags", "no_new_progress")}
    context = {"entry": entry, "invalid": invalid, "t": texts}
    return render(request, "reporting/entry_saved.html", context)


@require_http_methods(["GET", "POST"])
@htmx_login_required
def entry(request, pk):
    """GET: the entry's card (htmx); POST: save the entry (autosave and the save button)."""
    entry = reporting.get_entry(request.user, pk)
    if request.method == "GET":
        if not request.htmx:
            return redirect(_report_url(entry.report, entry.pk))
        if queries.withheld_label(request.user, entry.report):
            raise Http404("the report is not submitted")
        return render(request, "reporting/report.html#entry", _entry_context(request.user, entry))
    form = EntryForm(request.POST, entry=entry)
    form.is_valid()  # invalid fields are left out of the save and reported
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponseBadRequest("version")
    try:
        saved = reporting.save_entry(request.user, entry, form.data_to_save(), version)
    except reporting.EditConflict as conflict:
        if not request.htmx:
            messages.error(request, str(conflict))
            return redirect(_report_url(entry.report, entry.pk))
        context = {
            "entry": entry,
            "conflict": conflict,
            "rows": form.side_by_side(conflict.current),
        }
        response = render(request, "reporting/entry_conflict.html", context, status=409)
        response["HX-Retarget"] = f"#conflict-{entry.pk}"
        return reswap(response, "innerHTML")
    except (reporting.WorkflowError, ValidationError) as error:
        if not request.htmx:
            messages.error(request, _error_text(error))
            return redirect(_report_url(entry.report, entry.pk))
        context = {"entry": entry, "message": _error_text(error)}
        return render(request, "reporting/entry_refused.html", context, status=422)
    if not request.htmx:
        messages.success(request, _("Measure %(code)s saved.") % {"code": entry.measure.code})
        return redirect(_report_url(entry.report, entry.pk))
    return _entry_saved(request, saved, form)


# --- Attachments ----------------------------------------------------------------------------


def _attachments(request, entry, error: str = ""):
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(_report_url(entry.report, entry.pk))
    entry.evidence = list(entry.attachments.all())
    context = {
        "entry": entry,
        "editable": reporting.can_edit(request.user, entry.report),
        "upload_error": error,
        **_entry_fields(),
    }
    return render(request, "reporting/report.html#attachments", context)


@require_POST
@htmx_login_required
def attachment_upload(request, pk):
    entry = reporting.get_entry(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    error = ""
    if not form.is_valid():
        error = " ".join(form.errors.get("file", []))
    else:
        try:
            reporting.add_attachment(request.user, entry, form.cleaned_data["file"])
        except (reporting.WorkflowError, ValidationError) as exc:
            error = _error_text(exc)
    return _attachments(request, entry, error)


@require_GET
@login_required
def attachment_download(request, pk):
    attachment = reporting.get_attachment(request.user, pk)
    if queries.withheld_label(request.user, attachment.entry.report):
        raise Http404("the report is not submitted")
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.download_name,
        content_type=attachment.content_type,
    )


@require_POST
@htmx_login_required
def attachment_delete(request, pk):
    attachment = reporting.get_attachment(request.user, pk)
    entry = attachment.entry
    error = ""
    try:
        reporting.delete_attachment(request.user, attachment)
    except reporting.WorkflowError as exc:
        error = _error_text(exc)
    return _attachments(request, reporting.get_entry(request.user, entry.pk), error)


# --- The workflow ---------------------------------------------------------------------------


def _signed_off_message(report: Report) -> str:
    values = {"due": report.period.due_date.strftime("%Y-%m-%d")}
    if report.late:
        return _("Signed off and submitted late (due %(due)s).") % values
    return _("Signed off and submitted on time (due %(due)s).") % values


# action: (service, takes a comment, message after success)
ACTIONS = {
    "start": (reporting.start_draft, False, lambda r: _("The draft is started.")),
    "submit": (
        reporting.submit_for_signoff,
        False,
        lambda r: _("Sent to the department head for sign-off."),
    ),
    "send-back": (
        reporting.send_back,
        False,
        lambda r: _("Sent back to the reporter as a draft."),
    ),
    "signoff": (reporting.sign_off, False, _signed_off_message),
    "return": (reporting.return_report, True, lambda r: _("Returned to the department.")),
    "accept": (reporting.accept, False, lambda r: _("Report accepted.")),
    "reopen": (reporting.reopen, True, lambda r: _("Report reopened for the department.")),
}


@require_POST
@htmx_login_required
def report_action(request, pk, action):
    """One workflow step. The services make a repeated step a no-op (double clicks)."""
    report = reporting.get_report(request.user, pk)
    if action not in ACTIONS:
        return HttpResponseBadRequest("unknown action")
    service, takes_comment, message = ACTIONS[action]
    args = []
    if takes_comment:
        form = CommentForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Write a comment or a reason first."))
            return _go(request, _report_url(report))
        args.append(form.cleaned_data["comment"])
    elif action == "send-back":
        args.append(request.POST.get("comment", "")[:4000])
    before = report.status
    try:
        report = service(request.user, report, *args)
    except (reporting.WorkflowError, ValidationError) as error:
        messages.error(request, _error_text(error))
        return _go(request, _report_url(report))
    if action == "start" and request.htmx:
        # The form appears in the page (report.html swaps its #report-body): no page load.
        return _report_page(request, reporting.get_report(request.user, pk))
    if report.status != before:  # a repeated click changes nothing and says nothing
        messages.success(request, message(report))
    return _go(request, _report_url(report))


@require_POST
@htmx_login_required
def late_entry(request, pk):
    """The coordinator lets the department enter this report although its period is closed."""
    report = reporting.get_report(request.user, pk)
    require_plan_coordinator(request.user, report.period.plan)
    form = LateEntryForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _go(request, _report_url(report))
    deadline = form.cleaned_data["deadline"]
    try:
        reporting.grant_late_entry(
            request.user,
            report.period,
            report.organization,
            deadline=deadline,
            reason=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("%(department)s may now enter this report late, until %(day)s.")
            % {"department": report.organization.name, "day": f"{deadline:%Y-%m-%d}"},
        )
    return _go(request, _report_url(report))


# --- The coordinator's pages ----------------------------------------------------------------


@require_POST
@htmx_login_required
def period_close(request, pk):
    """Close a period: its reports can no longer change without a late-entry exception."""
    period = reporting.get_period(request.user, pk)
    reporting.close_period(request.user, period)
    messages.success(
        request,
        _("%(period)s is closed: departments need your permission to enter it late.")
        % {"period": period.label},
    )
    return _go(request, reverse("reporting:matrix", args=[period.plan_id]))


def _matrix_row_writer(labels: dict[str, str]):
    """A function writing a department's row of the matrix as HTML, its `<td>` cells: the
    matrix has hundreds of cells (thousands at province scale), and writing them through
    template tags, with a reverse() and a lazy translation per cell, cost most of the page's
    time (docs/architecture.md, "Fast rendering"). Each piece is escaped once: the labels and
    the empty cell per page, the department per row; a cell adds its report's URL, the mark of
    a report submitted late (once accepted or returned, its state no longer says so) and the
    counts of its flagged entries and of those marked "no new progress"."""
    report_url = url_template("reporting:report")
    labels = {state: escape(label) for state, label in labels.items()}
    empty = format_html(
        '<td><span class="text-muted" title="{}">·</span></td>', _("No report expected")
    )
    late_word = escape(_("late"))
    late_mark = f'<span class="late-mark small text-danger ms-1">{late_word}</span>'
    flagged_title = escape(_("Entries with a quality flag"))
    unchanged_title = escape(_("Entries marked “no new progress this period”"))

    def row(department: str, cells, late: set[int], flags: dict) -> SafeString:
        name = escape(department)
        html = []
        for report in cells:
            if report is None:
                html.append(empty)
                continue
            pk, state = report
            label = labels[state]
            marks = late_mark if pk in late else ""
            flagged, unchanged = flags.get(pk, (0, 0))
            if flagged:
                marks += (
                    f'<span class="badge text-bg-warning ms-1" data-flagged="{flagged}" '
                    f'title="{flagged_title}">{flagged}</span>'
                )
            if unchanged:
                marks += (
                    f'<span class="badge text-bg-info ms-1" data-unchanged="{unchanged}" '
                    f'title="{unchanged_title}">{unchanged}</span>'
                )
            title = f"{name} · {label}" + (f" · {late_word}" if pk in late else "")
            html.append(
                f'<td><a class="state state-{state}" href="{report_url(pk)}" '
                f'title="{title}">{label}</a>{marks}</td>'
            )
        # Escaped above: the labels and the department; the states, counts and URLs are
        # luoshi's own.
        return mark_safe("".join(html))

    return row


# The matrix shows this many periods (a year of months and the next one) and departments.
MATRIX_PERIODS = 13
MATRIX_DEPARTMENTS = 50


@require_GET
@login_required
def matrix(request, pk):
    plan = get_plan_for_coordinator(request.user, pk, leaders_too=True)
    today = clock.today()
    window = queries.period_window(plan, today, request.GET.get("from"), MATRIX_PERIODS)
    grid = reporting.report_matrix(request.user, plan, today, periods=window.periods)
    page = Paginator(grid.departments, MATRIX_DEPARTMENTS).get_page(request.GET.get("page"))
    labels = {state: str(label) for state, label in queries.STATE_LABELS.items()}
    write_row = _matrix_row_writer(labels)
    # The page's departments with their cells, (report id, state, label) or None per period,
    # and the same cells as HTML for the template.
    page_cells = [(dept, name, grid.row(dept)) for dept, name in page.object_list]
    # The quality flags of the reports whose text the coordinator sees (submitted once).
    flags = queries.flag_counts(
        [c[0] for _d, _n, cells in page_cells for c in cells if c and c[1] in queries.READABLE]
    )
    rows, table = [], []
    for _dept, name, cells in page_cells:
        rows.append((name, [(c[0], c[1], labels[c[1]]) if c else None for c in cells]))
        table.append((name, write_row(name, cells, grid.late, flags)))
    context = {
        "plan": plan,
        "rows": rows,
        "table": table,
        "page": page,
        "window": window,
        # The department pages keep the periods asked for.
        "keep": (
            f"from={window.periods[0].start:%Y-%m-%d}&"
            if "from" in request.GET and window.periods
            else ""
        ),
        "totals": queries.period_totals(grid),
        "today": today,
        "labels": labels,
        "can_review": can_edit_plan(request.user, plan),
        "pending_closures": queries.pending_closure_count(plan),
    }
    # The districts' answers on the measures they carry out (issue 23), counted, and the
    # collectives whose members are the districts, received when all of them reported.
    context["rollup"] = rollup.measure_rollup(plan, today, periods=window.periods)
    context["collectives"] = rollup.collective_receipts(plan, context["rollup"])
    return render(request, "reporting/matrix.html", context)


# Reports per page of the review queue (a province plan can have hundreds waiting).
QUEUE_PAGE_SIZE = 50


@require_http_methods(["GET", "POST"])
@role_required(User.Role.COORDINATOR)
def queue(request, pk):
    plan = get_plan_for_coordinator(request.user, pk)
    if request.method == "POST":
        form = BulkAcceptForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Tick the reports to accept first."))
        else:
            accepted, skipped = reporting.bulk_accept(request.user, form.cleaned_data["reports"])
            if accepted:
                messages.success(
                    request, _("%(count)d reports accepted.") % {"count": len(accepted)}
                )
            if skipped:
                names = "、".join(str(r) for r in skipped)
                messages.warning(
                    request,
                    _("Not accepted (you wrote or signed them, or they changed): %(names)s.")
                    % {"names": names},
                )
        return _go(request, reverse("reporting:queue", args=[plan.pk]))
    today = clock.today()
    pages = Paginator(reporting.review_queue(request.user, plan), QUEUE_PAGE_SIZE)
    page = pages.get_page(request.GET.get("page"))
    flags = queries.flag_counts([report.pk for report in page])
    for report in page:
        report.state = queries.state_of(report, today)
        report.state_label = queries.STATE_LABELS[report.state]
        report.flagged, report.unchanged = flags.get(report.pk, (0, 0))
    return render(request, "reporting/queue.html", {"plan": plan, "page": page})


# Periods per page of a measure's history (every department's entries of each).
# A year of monthly reports per page.
MEASURE_PERIODS = 12


@require_GET
@login_required
def measure_entries(request, pk):
    """A measure's history, for the plan's coordinators and leaders. The same for all of them:
    cached by page until the next change (lib.fragments)."""
    measure = queries.get_measure_for_review(request.user, pk)
    number = request.GET.get("page", "")
    number = number if number.isdigit() else "1"  # Paginator.get_page's answer to others

    def history_html():
        pages = Paginator(queries.measure_periods(measure), MEASURE_PERIODS)
        page = pages.get_page(number)
        prefetch_related_objects([measure], "targets")
        entries = queries.measure_history(measure, list(page))
        # What the districts report on the measures carrying this one out (issue 23); the
        # fragment's key holds the day, on which a district's report falls late.
        below = rollup.measure_rollup(measure.key_task.plan, clock.today(), [measure.pk])
        context = {
            "measure": measure,
            "periods": queries.grouped_by_period(entries),
            "page": page,
            "assignments": measure.assignments.select_related("organization"),
            "targets": list(measure.targets.all()),
            "districts": below.measures.get(measure.pk, []),
            "rollup_period": below.period,
        }
        return render_to_string("reporting/measure_history.html", context)

    context = {
        "measure": measure,
        "plan": measure.key_task.plan,
        "history_html": cached_fragment(
            "reporting:measure", data_version(), (measure.pk, number), history_html
        ),
    }
    return render(request, "reporting/measure.html", context)
