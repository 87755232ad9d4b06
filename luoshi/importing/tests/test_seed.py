"""The seed plan 枣发改经贸〔2022〕243号, read end to end: every field the importer pins."""

import datetime as dt
import json
from pathlib import Path

import pytest

from luoshi.importing import ParsedPlan, parse_text

SEED = Path(__file__).resolve().parents[2] / "plans" / "seed" / "zaozhuang-2022-243.txt"

NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"] + [
    f"十{n}" for n in ["一", "二", "三", "四", "五", "六", "七", "八"]
]
MEASURES_PER_TASK = [6, 4, 5, 4, 5, 4, 5, 3, 5, 6, 2, 7, 2, 5, 3, 3, 4, 4]

DEPARTMENTS = [
    "市农业农村局",
    "市市场监管局",
    "市发展改革委",
    "市财政局",
    "市商务局",
    "市工业和信息化局",
    "市教育局",
    "市国资委",
    "市机关事务服务中心",
    "市城市管理局",
    "市民政局",
    "市城乡水务局",
    "市生态环境局",
    "市住房城乡建设局",
    "市能源局",
    "市自然资源和规划局",
    "市交通运输局",
    "市邮政管理局",
    "市文化和旅游局",
    "市林业和绿化局",
    "市科技局",
    "市公安局",
    "市供销合作社",
    "市卫生健康委",
    "市税务局",
    "市地方金融监管局",
    "市人民银行",
    "枣庄银保监分局",
    "市委网信办",
    "市妇联",
    "市委宣传部",
    "市总工会",
]


def _measures(task: int, *numbers: int) -> set[tuple[int, int]]:
    return {(task, no) for no in numbers}


# The measures whose department cell is shared with other measures of the same task.
NEEDS_REVIEW = (
    _measures(5, 4, 5)
    | _measures(6, 1, 2, 3, 4)
    | _measures(7, 1, 2, 3, 4, 5)
    | _measures(8, 1, 2, 3)
    | _measures(9, 1, 2)
    | _measures(11, 1, 2)
    | _measures(12, 1, 2, 3, 4, 5, 6, 7)
    | _measures(13, 1, 2)
    | _measures(14, 1, 2, 3, 4, 5)
    | _measures(18, 1, 2, 3, 4)
)

END_OF_14TH_FIVE_YEAR_PLAN = dt.date(2025, 12, 31)

# (task, measure) → (value, unit, comparator, deadline) of every target, in order.
TARGETS = {
    (4, 2): [(100, "%", ">=", None)],
    (4, 4): [(30, "%", "=", None), (70, "%", "=", None)],
    (8, 1): [(30, "%", ">=", None)],
    (10, 2): [
        (300, "组", ">=", END_OF_14TH_FIVE_YEAR_PLAN),
        (100, "个", ">=", END_OF_14TH_FIVE_YEAR_PLAN),
    ],
    (10, 3): [(2000, "元", "<=", None)],
    (17, 3): [(80, "%", ">=", dt.date(2025, 12, 31))],
    (17, 4): [(200, "户", ">=", dt.date(2022, 12, 31))],
}

MEASURE_DEADLINES = {
    (10, 2): END_OF_14TH_FIVE_YEAR_PLAN,
    (17, 3): dt.date(2025, 12, 31),
    (17, 4): dt.date(2022, 12, 31),
}


@pytest.fixture(scope="module")
def plan() -> ParsedPlan:
    return parse_text(SEED.read_text(encoding="utf-8"))


def measure(plan: ParsedPlan, task: int, no: int):
    found = plan.tasks[task - 1].measures[no - 1]
    assert found.no == no
    return found


def names(plan: ParsedPlan, task: int, no: int) -> list[str]:
    return [d.name for d in measure(plan, task, no).departments]


def test_header_fields_are_read_from_the_notice(plan):
    assert plan.title == "促进绿色消费重点任务贯彻落实分工方案"
    assert plan.doc_number == "枣发改经贸〔2022〕243号"
    assert plan.issue_date == dt.date(2022, 9, 21)
    assert plan.report_to == "市发展改革委"
    assert plan.parent_documents == [
        "国办发〔2022〕9号",
        "发改就业〔2022〕107号",
        "鲁发改经贸〔2022〕518号",
    ]


def test_issuers_are_the_six_offices_above_the_number_without_the_word_wenjian(plan):
    assert plan.issuers == [
        "枣庄市发展和改革委员会",
        "枣庄市工业和信息化局",
        "枣庄市住房和城乡建设局",
        "枣庄市商务局",
        "枣庄市市场监督管理局",
        "枣庄市机关事务服务中心",
    ]


def test_reporting_rule_is_monthly_by_the_28th_of_the_same_month(plan):
    assert plan.reporting.to_dict() == {
        "frequency": "monthly",
        "due_day": 28,
        "due_offset_months": 0,
        "text": "市直有关部门（单位）于每月28日前将工作进展情况反馈至市发展改革委。",
    }


def test_addressee_groups_lend_their_prefix_to_the_short_names_that_follow(plan):
    assert plan.addressees == [
        "市有关部门单位",
        "市总工会",
        "市妇联",
        "各区（市）发展改革局",
        "各区（市）工业和信息化局",
        "各区（市）住房城乡建设局",
        "各区（市）商务局",
        "各区（市）市场监管局",
        "各区（市）机关事务主管部门",
        "枣庄高新区经发局",
        "枣庄高新区国土住建局",
        "枣庄高新区投资促进局",
        "枣庄高新区行政审批局",
        "枣庄高新区党政办",
    ]


def test_eighteen_tasks_with_their_labels_and_77_measures(plan):
    assert [t.label for t in plan.tasks] == [f"{n}、" for n in NUMERALS]
    assert [t.no for t in plan.tasks] == list(range(1, 19))
    assert [len(t.measures) for t in plan.tasks] == MEASURES_PER_TASK
    assert len(plan.measures) == 77


def test_measures_count_from_one_within_each_task_and_keep_their_label(plan):
    for task in plan.tasks:
        assert [m.no for m in task.measures] == list(range(1, len(task.measures) + 1))
        assert [m.label for m in task.measures] == [f"{m.no}、" for m in task.measures]


def test_task_five_continues_across_the_page_break_as_one_task(plan):
    five = plan.tasks[4]
    assert (five.label, five.title) == ("五、", "全面促进绿色用品消费")
    assert len(five.measures) == 5
    assert [t.title for t in plan.tasks].count("全面促进绿色用品消费") == 1
    assert plan.tasks[5].title == "有序引导文化和旅游领域绿色消费"


def test_texts_lose_their_labels_and_paragraph_tags(plan):
    assert plan.tasks[0].title == "加快提升食品消费绿色化水平"
    assert measure(plan, 1, 1).text.startswith("深入推进绿色高质高效行动")
    assert measure(plan, 5, 4).text.startswith("严格落实一次性塑料制品使用")
    texts = [t.title for t in plan.tasks] + [m.text for m in plan.measures]
    texts += [d.name for m in plan.measures for d in m.departments]
    texts += [t.text for m in plan.measures for t in m.targets]
    assert not [text for text in texts if "<p>" in text or "</p>" in text]


def test_thirty_two_departments_in_order_of_first_mention(plan):
    assert plan.department_names() == DEPARTMENTS


def test_placeholder_on_seventeen_two_is_kept_but_not_counted(plan):
    seventeen_two = measure(plan, 17, 2).departments
    assert [(d.name, d.kind) for d in seventeen_two] == [
        ("市交通运输局", "department"),
        ("市有关部门", "placeholder"),
    ]
    assert "市有关部门" not in plan.department_names()
    others = [d for m in plan.measures for d in m.departments if d.name != "市有关部门"]
    assert {d.kind for d in others} == {"department"}


def test_bracketed_aliases_fold_to_the_short_name(plan):
    assert names(plan, 1, 2) == ["市发展改革委", "市财政局", "市农业农村局", "市商务局"]
    assert names(plan, 16, 3) == ["市文化和旅游局"]  # 市文化和旅游局（市广电局）
    assert "市文化和旅游局" in names(plan, 18, 1)  # 市文化和旅游局(市广电局)
    all_names = {d.name for m in plan.measures for d in m.departments}
    assert not [n for n in all_names if set(n) & set("()（）")]


def test_roles_are_null_because_the_header_says_by_duty(plan):
    assert {d.role for m in plan.measures for d in m.departments} == {None}


def test_needs_review_exactly_where_a_cell_is_shared(plan):
    flagged = {(t.no, m.no) for t in plan.tasks for m in t.measures if m.needs_review}
    assert flagged == NEEDS_REVIEW


def test_five_four_and_five_share_their_cell(plan):
    assert names(plan, 5, 4) == ["市商务局", "市邮政管理局"]
    assert names(plan, 5, 5) == ["市商务局", "市邮政管理局"]


def test_eight_is_split_by_the_department_rows_that_survived(plan):
    assert names(plan, 8, 1) == ["市财政局", "市国资委", "市机关事务服务中心", "市能源局"]
    assert names(plan, 8, 2) == ["市机关事务服务中心", "市财政局"]
    assert names(plan, 8, 3) == ["市财政局"]


def test_eleven_is_split_where_a_name_repeats(plan):
    assert names(plan, 11, 1) == ["市商务局", "市自然资源和规划局"]
    assert names(plan, 11, 2) == ["市商务局", "市市场监管局"]


def test_twelve_and_fourteen_take_the_union_when_groups_do_not_match_measures(plan):
    twelve = [
        "市发展改革委",
        "市生态环境局",
        "市商务局",
        "市城市管理局",
        "市住房城乡建设局",
        "市自然资源和规划局",
        "市公安局",
        "市交通运输局",
        "市工业和信息化局",
        "市卫生健康委",
    ]
    fourteen = [
        "市财政局",
        "市生态环境局",
        "市发展改革委",
        "市税务局",
        "市国资委",
        "市地方金融监管局",
        "市人民银行",
        "枣庄银保监分局",
        "市工业和信息化局",
    ]
    assert [names(plan, 12, no) for no in range(1, 8)] == [twelve] * 7
    assert [names(plan, 14, no) for no in range(1, 6)] == [fourteen] * 5


def test_every_target_with_value_unit_comparator_and_deadline(plan):
    found = {
        (t.no, m.no): [(x.value, x.unit, x.comparator, x.deadline) for x in m.targets]
        for t in plan.tasks
        for m in t.measures
        if m.targets
    }
    assert found == TARGETS


def test_target_words_are_the_clause_they_were_read_from(plan):
    assert [x.text for x in measure(plan, 10, 3).targets] == ["每个站点补贴不超过 2000 元"]
    assert [x.text for x in measure(plan, 8, 1).targets] == [
        "新增及更新车辆中新能源汽车比例不低于30%"
    ]


def test_eligibility_clause_of_ten_three_yields_no_target_and_no_deadline(plan):
    ten_three = measure(plan, 10, 3)
    assert "3 家以上快递公司" in ten_three.text
    assert [(x.value, x.unit) for x in ten_three.targets] == [(2000, "元")]
    assert ten_three.deadline is None


def test_measure_deadlines_only_where_the_text_sets_one(plan):
    found = {(t.no, m.no): m.deadline for t in plan.tasks for m in t.measures if m.deadline}
    assert found == MEASURE_DEADLINES
    assert "2022年度" in measure(plan, 9, 2).text


def test_plan_is_json_serialisable_with_chinese_kept(plan):
    data = plan.to_dict()
    dumped = json.dumps(data, ensure_ascii=False, allow_nan=False)
    assert "枣发改经贸〔2022〕243号" in dumped
    assert json.loads(dumped) == data
    assert data["issue_date"] == "2022-09-21"
    assert data["tasks"][9]["measures"][1]["targets"][0]["deadline"] == "2025-12-31"
