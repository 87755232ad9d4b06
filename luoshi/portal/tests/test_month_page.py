"""The portal's month page is folded: one section per key task, its measures inside, with a
search box that the page's script shows (without JavaScript the sections still open)."""

import lxml.html
import pytest
from django.urls import reverse

from luoshi.portal.services import publish

pytestmark = pytest.mark.usefixtures("mid_november")


def test_the_month_is_folded_by_key_task(client_for, coordinator, reported, tracked, november):
    publish(coordinator, november)
    html = client_for(None).get(reverse("portal:plan", args=[tracked.pk])).content.decode()
    tree = lxml.html.fromstring(html)
    sections = tree.xpath("//details[contains(@class, 'task')]")
    # The seed plan: 18 key tasks (一 to 十八), 77 measures; none is open.
    assert len(sections) == 18
    assert not [section for section in sections if section.get("open") is not None]
    measures = [section.xpath(".//div[contains(@class, 'measure ')]") for section in sections]
    assert sum(len(inside) for inside in measures) == 77
    first = sections[0].xpath("summary")[0].text_content()
    assert "一、加快提升食品消费绿色化水平" in first and "6 条推进措施" in first
    search = tree.xpath("//*[@data-portal-search]")[0]
    assert search.get("hidden") is not None  # shown by portal/month.js
    assert search.xpath(".//input[@type='search']")[0].get("id") == "portal-search"
    assert '/static/portal/month.js"' in html
