"""The API tokens page: a user's own tokens (create, list, revoke); a security administrator
also sees and revokes those of every account of their region."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from luoshi.api import services
from luoshi.api.forms import TokenForm


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.create_token(
            request.user, form.cleaned_data["name"], days=form.cleaned_data["days"], by=request.user
        )
        form = TokenForm()
    context = {
        "form": form,
        "new_key": new_key,
        "tokens": services.tokens_for_user(request.user),
    }
    return render(request, "api/tokens.html", context, status=201 if new_key else 200)


@login_required
@require_POST
def revoke(request, pk):
    token = services.get_token_for_user(request.user, pk)
    services.revoke_token(token, by=request.user)
    messages.success(request, _("The token %(token)s was revoked.") % {"token": token})
    return redirect("api:tokens")
