"""Measures are numbered as the plan issued them: 一、1. or （一）1., never 一.1, .1, or a
number glued to the text (a bare label 1 before 2026年完成… read 12026年完成…)."""

import pytest
from django.urls import reverse

from luoshi.plans.models import KeyTask, Measure
from luoshi.testing import measure


@pytest.mark.parametrize(
    ("task_label", "path", "label", "no", "code", "number"),
    [
        ("一、", [], "1、", 1, "一、1.", "1."),  # the seed's table: 一、 and 1、
        ("（一）", [], "1.", 1, "（一）1.", "1."),  # a notice's prose: （一） and 1.
        ("一、", [], "（3）", 3, "一、（3）", "（3）"),
        ("二、", ["（二）"], "3．", 5, "二、（二）3.", "3."),  # a measure under a group
        ("三", [], "2", 2, "三、2.", "2."),  # bare labels get their punctuation
        ("", [], "", 4, "4.", "4."),  # no labels at all: the measure's own number
        ("四、", [], "", 7, "四、7.", "7."),
    ],
)
def test_a_measure_reads_as_issued(task_label, path, label, no, code, number):
    item = Measure(key_task=KeyTask(label=task_label), path=path, label=label, no=no)
    assert item.code == code
    assert item.number == number


def test_the_pages_show_the_issued_numbers(client_for, coordinator, seed_plan):
    client = client_for(coordinator)
    target = measure("五.4")
    edit = client.get(reverse("plans:measure_edit", args=[target.pk])).content.decode()
    assert "五、4." in edit
    assert "五.4" not in edit
    ledger = client.get(reverse("plans:detail", args=[seed_plan.pk])).content.decode()
    # The measure's number stands apart from its text (the seed labels it 4、).
    assert '<span class="text-muted">4.</span>严格落实一次性塑料制品' in ledger
