"""The site's icon: every page names the static SVG icon, and /favicon.ico, which browsers ask
for by themselves where no page names one (a JSON or an SVG opened directly), is served
instead of a 404 in the console."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

ICON_LINK = re.compile(r'<link rel="icon" href="/static/([^"]+)"')


def test_favicon_ico_is_served_at_the_root_without_logging_in():
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # the ICO header: reserved 0, type 1 (icon)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/portal/"])
def test_the_pages_name_an_icon_that_the_static_files_hold(url):
    page = Client().get(url).content.decode()
    (name,) = ICON_LINK.findall(page)
    assert name == "favicon.svg" and finders.find(name)
