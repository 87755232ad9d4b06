"""The report exchange file's pages: a report's download, the upper plan's import."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from luoshi.lib.auth import role_required
from luoshi.orgs.models import User
from luoshi.plans.access import get_plan_for_coordinator
from luoshi.reporting import exchange
from luoshi.reporting.access import get_report


@require_GET
@login_required
def export(request, pk):
    """导出上报文件: the report as JSON (docs/report-json.md), for whoever may read it."""
    report = get_report(request.user, pk)
    try:
        data = exchange.export_report(request.user, report)
    except exchange.ExchangeError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("reporting:report", report.pk)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = content_disposition_header(True, exchange.file_name(data))
    return response


@require_http_methods(["GET", "POST"])
@role_required(User.Role.COORDINATOR)
def import_file(request, pk):
    """导入下级上报文件: upload, preview, confirm; the plan's coordinator only."""
    plan = get_plan_for_coordinator(request.user, pk)
    context = {"plan": plan, "max_mb": exchange.MAX_BYTES // (1024 * 1024)}
    if request.method == "GET":
        context["imported"] = exchange.imported_files(plan)
        return render(request, "reporting/report_file_import.html", context)
    try:
        data, name = _posted_file(request)
        if request.POST.get("confirm"):
            report = exchange.import_file(request.user, plan, data, name)
            messages.success(request, _("The report file was imported as a submitted report."))
            return redirect("reporting:report", report.pk)
        context.update(
            preview=exchange.check_file(plan, data),
            payload=json.dumps(data, ensure_ascii=False),
            name=name,
        )
    except exchange.ExchangeError as error:
        context["errors"] = error.messages
    return render(request, "reporting/report_file_import.html", context, status=200)


def _posted_file(request) -> tuple[dict, str]:
    """The uploaded file's JSON, or the one the preview carries to its confirmation."""
    if request.POST.get("confirm"):
        payload = request.POST.get("payload", "").encode()
        return exchange.read_file(payload), request.POST.get("name", "")[:255]
    upload = request.FILES.get("file")
    if upload is None:
        raise exchange.ExchangeError([_("Choose a report file to upload.")])
    if upload.size > exchange.MAX_BYTES:
        raise exchange.ExchangeError([_("The file is too large for a report file (at most 1 MB).")])
    return exchange.read_file(upload.read()), upload.name
