from django.urls import path

from luoshi.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/plan.json", views.plan_json, name="json"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
]
