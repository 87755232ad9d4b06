"""The plan list's 待核实 badge says what it counts: a leader met "待核实 36" unexplained."""

import pytest
from django.urls import reverse

from luoshi.plans.models import Measure
from luoshi.testing import badges

pytestmark = pytest.mark.django_db

TO_REVIEW = "原文未单独列明责任部门、需统筹单位在方案页逐项核实的措施数"


@pytest.mark.parametrize("persona", ["leader", "coordinator"])
def test_the_to_review_badge_says_what_it_counts(request, client_for, persona, seed_plan):
    to_review = Measure.objects.filter(key_task__plan=seed_plan, needs_review=True).count()
    assert to_review > 0  # the seed plan names some measures' departments only as a group
    page = client_for(request.getfixturevalue(persona)).get(reverse("plans:list"))
    found = badges(page.content.decode())
    assert found == [(str(to_review), TO_REVIEW)]
    # The column's header carries it too.
    assert f'<th class="text-end" title="{TO_REVIEW}">待核实</th>' in page.content.decode()
