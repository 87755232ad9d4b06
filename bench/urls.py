"""The app's URLs plus /bench/trivial/: the ceiling of this stack for the throughput ratios."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from luoshi.urls import urlpatterns as app_urlpatterns


@login_required
def trivial(request):
    """Logged in, through every middleware, no query of its own beyond the session and user."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [*app_urlpatterns, path("bench/trivial/", trivial, name="bench_trivial")]
