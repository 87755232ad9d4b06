# NAV (base.html footer, for everyone): a "Public portal" (公开门户) link to
# {% url 'portal:index' %}.
from django.urls import path

from luoshi.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("p/<int:pk>/", views.publication, name="publication"),
    path("p/<int:pk>/data.csv", views.publication_csv, name="publication_csv"),
    path("p/<int:pk>/data.json", views.publication_json, name="publication_json"),
    path("manage/plans/<int:pk>/", views.manage, name="manage"),
    path("manage/plans/<int:pk>/periods/<int:period_pk>/", views.preview, name="preview"),
    path("manage/plans/<int:pk>/periods/<int:period_pk>/publish/", views.publish, name="publish"),
    path("manage/publications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
