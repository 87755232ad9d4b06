from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path

from luoshi.api.api import api
from luoshi.orgs import admin_urls
from luoshi.orgs.views import home

# MEDIA_ROOT is never served by URL: uploads are downloaded only through views that check who
# asks (reporting's attachment view, the plan import's source file).
urlpatterns = [
    path("", home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True,
            extra_context={"otp_required": settings.LUOSHI_REQUIRE_OTP},
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include(admin_urls.account)),
    path("account/tokens/", include("luoshi.api.urls")),
    path("accounts/", include(admin_urls.sysadmin)),
    path("security/", include(admin_urls.security)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("plans/", include("luoshi.plans.urls")),
    path("departments/", include("luoshi.orgs.urls")),
    path("audit/", include("luoshi.audit.urls")),
    path("reporting/", include("luoshi.reporting.urls")),
    path("supervision/", include("luoshi.supervision.urls")),
    path("documents/", include("luoshi.documents.urls")),
    path("insights/", include("luoshi.insights.urls")),
    path("portal/", include("luoshi.portal.urls")),
    path("api/v1/", api.urls),
    path("", include("luoshi.ops.urls")),
]
