# NAV (base.html, for coordinators and leaders): a "Dashboard" (看板) link to
# {% url 'insights:index' %}.
from django.urls import path

from luoshi.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.index, name="index"),
    path("overview.json", views.overview_data, name="overview_data"),
    path("plans/<int:pk>/", views.plan_dashboard, name="plan"),
    path("plans/<int:pk>/levels/", views.levels, name="levels"),
    path("plans/<int:pk>/progress.json", views.progress_data, name="progress_data"),
    path("plans/<int:pk>/heatmap.json", views.heatmap_data, name="heatmap_data"),
    path("plans/<int:pk>/timeliness.json", views.timeliness_data, name="timeliness_data"),
    path("plans/<int:pk>/targets.json", views.targets_data, name="targets_data"),
    path("plans/<int:pk>/lights.json", views.lights_data, name="lights_data"),
]
