from django.urls import path

from luoshi.supervision import views

app_name = "supervision"
urlpatterns = [
    path("bell/", views.bell, name="bell"),
    path("notifications/", views.notifications, name="notifications"),
    path("channels/", views.department_channels, name="channels"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/acknowledge/", views.notice_acknowledge, name="acknowledge"),
    path("plans/<int:pk>/chase/", views.chase, name="chase"),
    path("plans/<int:pk>/reminders/", views.reminder_rule, name="rule"),
    path("plans/<int:pk>/notices/new/", views.notice_new, name="notice_new"),
    path("plans/<int:pk>/scores/", views.scores, name="scores"),
    path(
        "plans/<int:pk>/scores/use-region-sheet/",
        views.scores_use_region_sheet,
        name="scores_use_region_sheet",
    ),
    path("score-sheet/", views.region_score_sheet, name="region_scores"),
]
