from django.urls import path

from luoshi.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/send-down/", views.plan_send_down, name="send_down"),
    path("delegations/<int:pk>/draft/", views.delegation_draft, name="delegation_draft"),
    path("<int:pk>/plan.json", views.plan_json, name="json"),
    path("<int:pk>/source/", views.plan_source_file, name="source_file"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/parent/", views.measure_parent, name="measure_parent"),
    path("departments/<int:pk>/", views.department_measures, name="department"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/pages/<int:page>/", views.import_page, name="import_page"),
    path("import/<int:pk>/edit/", views.import_edit, name="import_edit"),
    path("import/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
]
