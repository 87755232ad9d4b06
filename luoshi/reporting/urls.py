# NAV: the "Reports" (报送) link to {% url 'reporting:home' %} is in base.html. Still wanted, for
# the plans app's owner: on plans/plan_detail.html, for coordinators and leaders, a link
# "Reporting status" (报送情况) to {% url 'reporting:matrix' plan.pk %}.
from django.urls import path

from luoshi.reporting import (
    calendar_views,
    closure_views,
    exchange_views,
    phrase_views,
    schedule_views,
    views,
)

app_name = "reporting"
urlpatterns = [
    path("", views.home, name="home"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("entries/<int:pk>/", views.entry, name="entry"),
    path("entries/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("reports/<int:pk>/report-file/", exchange_views.export, name="export_file"),
    path("plans/<int:pk>/report-files/", exchange_views.import_file, name="import_file"),
    path("reports/<int:pk>/late-entry/", views.late_entry, name="late_entry"),
    path("reports/<int:pk>/<slug:action>/", views.report_action, name="action"),
    path("periods/<int:pk>/close/", views.period_close, name="period_close"),
    path("plans/<int:pk>/", views.matrix, name="matrix"),
    path("plans/<int:pk>/queue/", views.queue, name="queue"),
    path("measures/<int:pk>/", views.measure_entries, name="measure"),
    path("imports/<int:pk>/go-live/", schedule_views.go_live, name="go_live"),
    path("plans/<int:pk>/schedule/", schedule_views.schedule, name="schedule"),
    path("measures/<int:pk>/closure/", closure_views.measure_closure, name="closure"),
    path("plans/<int:pk>/closures/", closure_views.closures, name="closures"),
    path("closures/<int:pk>/evidence/", closure_views.closure_evidence, name="closure_evidence"),
    path("closures/<int:pk>/<slug:decision>/", closure_views.closure_decide, name="closure_decide"),
    path("periods/<int:pk>/late-entries/", closure_views.late_entries, name="late_entries"),
    path(
        "late-entries/<int:pk>/withdraw/",
        closure_views.late_entry_withdraw,
        name="late_entry_withdraw",
    ),
    path("holidays/", calendar_views.holidays, name="holidays"),
    path("holidays/upload/", calendar_views.holiday_upload, name="holiday_upload"),
    path("holidays/<int:pk>/delete/", calendar_views.holiday_delete, name="holiday_delete"),
    path("holidays/banner/", calendar_views.holiday_banner, name="holiday_banner"),
    path("phrases/", phrase_views.phrases, name="phrases"),
    path("phrases/<int:pk>/delete/", phrase_views.phrase_delete, name="phrase_delete"),
]
