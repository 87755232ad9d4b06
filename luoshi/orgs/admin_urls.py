from django.urls import path

from luoshi.orgs import account_views, admin_views

sysadmin = (
    [
        path("", admin_views.account_list, name="accounts"),
        path("new/", admin_views.account_create, name="account_create"),
        path("<int:pk>/active/", admin_views.account_active, name="account_active"),
        path("system/", admin_views.system, name="system"),
    ],
    "sysadmin",
)
security = (
    [
        path("", admin_views.security, name="home"),
        path("accounts/<int:pk>/role/", admin_views.account_role, name="account_role"),
        path("accounts/<int:pk>/reset/", admin_views.account_reset_password, name="account_reset"),
        path("unlock/", admin_views.unlock, name="unlock"),
    ],
    "security",
)
account = [
    path("password/", account_views.password_change, name="password_change"),
    path("2fa/", account_views.two_factor, name="two_factor"),
    path("waiting/", account_views.awaiting_role, name="awaiting_role"),
]
