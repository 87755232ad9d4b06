from django.urls import path  # noqa: F401  (the app's engineer adds its pages)

app_name = "supervision"
urlpatterns = []
