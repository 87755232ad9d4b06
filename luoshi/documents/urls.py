# NAV (for base.html's owner): a "Documents" (公文与台账) link to {% url 'documents:home' %} for
# coordinators, leaders and department users.
from django.urls import path

from luoshi.documents import upward_views, views

app_name = "documents"
urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<int:pk>/", views.plan_documents, name="plan"),
    path("plans/<int:pk>/ledger.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("plans/<int:pk>/periods/<int:period_pk>/", views.report_page, name="report"),
    path(
        "plans/<int:pk>/periods/<int:period_pk>/report.docx", views.report_docx, name="report_docx"
    ),
    path("plans/<int:pk>/periods/<int:period_pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("plans/<int:pk>/preset/", views.preset_page, name="preset"),
    path("plans/<int:pk>/periods/<int:period_pk>/issue/", views.report_issue, name="report_issue"),
    path(
        "plans/<int:pk>/periods/<int:period_pk>/tasks/<int:task_pk>/",
        views.task_page,
        name="task",
    ),
    path("reports/<int:pk>/word/", views.template_page, name="template"),
    path("reports/<int:pk>/word/template.docx", views.template_download, name="template_docx"),
    path(
        "reports/<int:pk>/draft-from-below/",
        upward_views.draft_from_below,
        name="draft_from_below",
    ),
]
