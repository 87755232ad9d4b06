from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo that `make run` loads (`manage.py load_demo`): no models, no pages."""

    name = "luoshi.demo"
