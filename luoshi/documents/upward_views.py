"""从本级落实情况生成草稿: a lower region's unit drafts its report on the upper plan from what
its region accepted on the measures carrying it out (`luoshi.documents.upward`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.documents import upward
from luoshi.reporting.services import get_report


@require_POST
@login_required
def draft_from_below(request, pk):
    report = get_report(request.user, pk)  # 404 for whoever may not read it
    try:
        done = upward.draft_from_below(request.user, report)
    except upward.DraftRefused as refused:
        messages.error(request, str(refused))
        return redirect("reporting:report", report.pk)
    if done.filled:
        messages.success(
            request,
            _("Drafted from the progress your region accepted: %(codes)s. Check and edit it.")
            % {"codes": "、".join(done.filled)},
        )
    else:
        messages.info(request, _("Nothing new was drafted."))
    notes = [
        (done.kept, _("Already written, left as they were: %(codes)s.")),
        (done.waiting, _("Nothing accepted in your region for this period yet: %(codes)s.")),
        (done.alone, _("Not carried out by a measure of your region, left alone: %(codes)s.")),
    ]
    for codes, note in notes:
        if codes:
            messages.info(request, note % {"codes": "、".join(codes)})
    return redirect("reporting:report", report.pk)
