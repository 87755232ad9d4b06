"""The stock phrases page: the coordinators' list of 积极推进, 稳步推进… that the quality flags
take for boilerplate (luoshi.reporting.quality)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luoshi.lib.auth import role_required
from luoshi.orgs.models import User
from luoshi.reporting import services
from luoshi.reporting.models import StockPhrase


@role_required(User.Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def phrases(request):
    if request.method == "POST":
        try:
            phrase = services.add_stock_phrase(request.user, request.POST.get("text", ""))
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, _("“%(text)s” was added.") % {"text": phrase.text})
        return redirect(reverse("reporting:phrases"))
    return render(request, "reporting/phrases.html", {"phrases": StockPhrase.objects.all()})


@role_required(User.Role.COORDINATOR)
@require_POST
def phrase_delete(request, pk):
    services.delete_stock_phrase(request.user, pk)
    messages.success(request, _("The phrase was removed."))
    return redirect(reverse("reporting:phrases"))
