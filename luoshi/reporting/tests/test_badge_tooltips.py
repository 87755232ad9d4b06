"""Every badge of the department's home says what it counts or means in a tooltip (its title),
in the user's language."""

import pytest
from django.urls import reverse

from luoshi.plans.models import Assignment
from luoshi.reporting import services
from luoshi.testing import badges, measure

pytestmark = pytest.mark.usefixtures("mid_november")

MEASURES = "本部门牵头或配合的未办结措施数（全部方案）"
PENDING = "本部门已申请销号，统筹单位尚未审核"
REJECTED = "统筹单位驳回了本措施的销号申请，点击查看原因"


def test_every_badge_of_the_department_home_has_a_tooltip(
    client_for, coordinator, commerce_reporter, commerce_leads
):
    client = client_for(commerce_reporter)
    request = services.request_closure(commerce_reporter, measure("一.2"), "已完成。")
    services.reject_closure(coordinator, request, "缺少验收材料。")
    page = client.get(reverse("reporting:home")).content.decode()
    count = Assignment.objects.filter(organization=commerce_reporter.organization).count()
    assert (str(count), MEASURES) in badges(page)
    assert ("销号被驳回", REJECTED) in badges(page)

    services.request_closure(commerce_reporter, measure("一.2"), "已补充验收材料。")
    found = badges(client.get(reverse("reporting:home")).content.decode())
    assert ("销号待审核", PENDING) in found
    assert found and all(title for _text, title in found), found


def test_the_tooltips_follow_the_language(client_for, commerce_reporter, commerce_leads):
    client = client_for(commerce_reporter)
    client.cookies["django_language"] = "en"
    found = badges(client.get(reverse("reporting:home")).content.decode())
    assert found[0][1] == "Open measures your department leads or co-operates on, in every plan"
