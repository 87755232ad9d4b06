"""Importing the seed plan (枣发改经贸〔2022〕243号) creates it live, whole and audited."""

import pytest
from django.db import IntegrityError

from luoshi.audit.models import AuditRecord
from luoshi.importing import ParsedMeasure, ParsedPlan, ParsedTask
from luoshi.importing.sources import parse_file
from luoshi.orgs.models import Organization
from luoshi.plans.models import Assignment, KeyTask, Measure, Plan
from luoshi.plans.seed import SEED
from luoshi.plans.services import PlanExists, import_plan, parsed_plan_from_db

NUMERALS = [
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十一",
    "十二",
    "十三",
    "十四",
    "十五",
    "十六",
    "十七",
    "十八",
]


def test_seed_plan_has_its_header_as_issued(seed_plan):
    assert seed_plan.doc_number == "枣发改经贸〔2022〕243号"
    assert seed_plan.title == "促进绿色消费重点任务贯彻落实分工方案"
    assert str(seed_plan.issue_date) == "2022-09-21"
    assert seed_plan.region.name == "枣庄市"
    assert seed_plan.coordinator.name == "市发展改革委"
    assert (seed_plan.report_frequency, seed_plan.report_due_day) == ("monthly", 28)
    assert seed_plan.parent_documents == [
        "国办发〔2022〕9号",
        "发改就业〔2022〕107号",
        "鲁发改经贸〔2022〕518号",
    ]
    assert len(seed_plan.issuers) == 6


def test_seed_plan_has_18_tasks_and_77_measures_in_document_order(seed_plan):
    tasks = list(KeyTask.objects.filter(plan=seed_plan))
    assert [t.numeral for t in tasks] == NUMERALS
    assert Measure.objects.filter(key_task__plan=seed_plan).count() == 77
    per_task = [t.measures.count() for t in tasks]
    assert per_task == [6, 4, 5, 4, 5, 4, 5, 3, 5, 6, 2, 7, 2, 5, 3, 3, 4, 4]
    first = Measure.objects.get(key_task=tasks[0], no=1)
    assert first.text.startswith("深入推进绿色高质高效行动")


def test_seed_plan_names_32_departments_and_keeps_the_placeholder(seed_plan):
    assigned = Organization.objects.filter(assignments__measure__key_task__plan=seed_plan)
    departments = assigned.filter(kind=Organization.Kind.DEPARTMENT).distinct()
    assert departments.count() == 32
    placeholder = Assignment.objects.get(
        measure__key_task__plan=seed_plan, organization__kind=Organization.Kind.PLACEHOLDER
    )
    assert placeholder.organization.name == "市有关部门"
    assert placeholder.measure.code == "十七、2."


def test_aliases_in_the_document_resolve_to_the_directory_department(seed_plan):
    # 市发展改革委(市粮食和储备局) and 市文化和旅游局(市广电局) are the same offices; culture is on
    # 六 (4 measures sharing one cell), 十六.3 and 十八 (4 sharing one cell).
    assert not Organization.objects.filter(name__contains="粮食").exists()
    culture = Organization.objects.get(name="市文化和旅游局")
    assert culture.full_name == "枣庄市文化和旅游局"
    assert culture.assignments.filter(measure__key_task__plan=seed_plan).count() == 9


def test_the_plan_stored_gives_back_the_parsed_plan(seed_plan):
    parsed, _ = parse_file(SEED)
    assert parsed_plan_from_db(seed_plan).to_dict() == parsed.to_dict()


def test_import_is_audited(seed_plan):
    record = AuditRecord.objects.get(action="import")
    assert record.object_id == str(seed_plan.pk)
    assert record.changes["measures"]["new"] == 77


def test_importing_the_same_document_twice_is_refused_and_creates_nothing(seed_plan):
    parsed, text = parse_file(SEED)
    with pytest.raises(PlanExists):
        import_plan(parsed, source_text=text)
    assert Plan.objects.count() == 1
    assert Measure.objects.count() == 77


def test_a_failed_import_leaves_nothing_behind(region):
    measures = [
        ParsedMeasure(no=1, label="1、", text="甲"),
        ParsedMeasure(no=1, label="1、", text="乙"),
    ]
    parsed = ParsedPlan(
        title="测试方案",
        doc_number="枣测〔2024〕1号",
        issuers=["枣庄市商务局"],
        tasks=[ParsedTask(no=1, label="一、", title="任务", measures=measures)],
    )
    with pytest.raises(IntegrityError):
        import_plan(parsed)
    assert not Plan.objects.exists()
    assert not KeyTask.objects.exists()
    assert not AuditRecord.objects.filter(action="import").exists()
