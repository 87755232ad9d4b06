"""Plans written as running text: numbered items, departments in brackets or on lines."""

import datetime as dt

import pytest

from luoshi.importing import ParsedPlan, ParseError, parse_text


def plan_of(*lines: str) -> ParsedPlan:
    return parse_text("\n".join(["某某工作方案", *lines]))


def rows(plan: ParsedPlan) -> list[tuple]:
    """(task label, measure label, path, departments with roles, needs_review) per measure."""
    return [
        (
            task.label,
            m.label,
            m.path,
            [(d.name, d.role) for d in m.departments],
            m.needs_review,
        )
        for task in plan.tasks
        for m in task.measures
    ]


def test_bracket_after_each_measure_names_its_departments_with_roles():
    plan = plan_of(
        "一、推进绿色出行",
        "1.加快公交电动化。（市交通运输局牵头，市财政局、市公安局配合）",
        "2.完善充电设施。（牵头单位：市发展改革委；配合单位：市住房城乡建设局）",
        "3.落实补贴政策。〔责任单位：市财政局、各区（市）政府按职责分工负责〕",
        "4.开展宣传。（责任单位：市委宣传部）",
    )
    assert [(t.label, t.title) for t in plan.tasks] == [("一、", "推进绿色出行")]
    assert rows(plan) == [
        (
            "一、",
            "1.",
            [],
            [("市交通运输局", "lead"), ("市财政局", "co"), ("市公安局", "co")],
            False,
        ),
        ("一、", "2.", [], [("市发展改革委", "lead"), ("市住房城乡建设局", "co")], False),
        ("一、", "3.", [], [("市财政局", None), ("各区（市）政府", None)], False),
        ("一、", "4.", [], [("市委宣传部", None)], False),
    ]


def test_department_bracket_leaves_the_measure_text():
    plan = plan_of("一、任务", "1.加快公交电动化。（市交通运输局牵头）")
    assert plan.measures[0].text == "加快公交电动化。"
    plan = plan_of("一、任务", "1.加快公交电动化（市交通运输局牵头）。")
    assert plan.measures[0].text == "加快公交电动化。"


def test_a_bracket_explaining_something_is_not_a_department_list():
    plan = plan_of("一、任务", "1.建设充电站（含换电站）10座。（市能源局）")
    assert plan.measures[0].text == "建设充电站（含换电站）10座。"
    assert [d.name for d in plan.measures[0].departments] == ["市能源局"]


def test_department_lines_after_an_item_name_its_departments():
    plan = plan_of(
        "一、城市治理",
        "1.整治道路。",
        "牵头单位：市住房和城乡建设局",
        "配合单位：市城市管理局、市公安局",
        "2.推进垃圾分类。",
        "责任单位：市城市管理局",
    )
    assert rows(plan) == [
        (
            "一、",
            "1.",
            [],
            [("市住房和城乡建设局", "lead"), ("市城市管理局", "co"), ("市公安局", "co")],
            False,
        ),
        ("一、", "2.", [], [("市城市管理局", None)], False),
    ]


def test_a_deadline_line_sets_the_measures_deadline():
    plan = plan_of(
        "一、任务", "1.建设口袋公园30个。", "责任单位：市城市管理局", "完成时限：2024年10月底前"
    )
    assert plan.measures[0].deadline == dt.date(2024, 10, 31)
    assert plan.measures[0].targets[0].deadline == dt.date(2024, 10, 31)


def test_a_heading_department_line_covers_its_sub_items_which_need_review():
    plan = plan_of(
        "一、重点任务",
        "（一）改造老旧小区",
        "责任单位：市住房和城乡建设局、市民政局",
        "1.改造管网。",
        "2.建设养老设施。",
        "（二）完善城市功能",
        "1.建设口袋公园。",
        "责任单位：市城市管理局",
    )
    both = [("市住房和城乡建设局", None), ("市民政局", None)]
    assert rows(plan) == [
        ("（一）", "1.", [], both, True),
        ("（一）", "2.", [], both, True),
        ("（二）", "1.", [], [("市城市管理局", None)], False),
    ]


def test_four_levels_put_the_labels_between_task_and_measure_in_the_path():
    plan = plan_of(
        "一、总体要求",
        "坚持系统观念。",
        "二、重点任务",
        "（一）改造老旧小区",
        "1.完善基础设施",
        "（1）改造管网。",
        "（2）建设充电设施。",
        "责任单位：市住房和城乡建设局",
        "2.补齐服务短板",
        "（1）建设养老设施。",
        "责任单位：市民政局",
        "（二）完善城市功能",
        "1.建设口袋公园。",
        "责任单位：市城市管理局",
        "三、保障措施",
        "（一）加强组织领导。",
    )
    assert [(t.label, t.title) for t in plan.tasks] == [
        ("（一）", "改造老旧小区"),
        ("（二）", "完善城市功能"),
    ]
    assert rows(plan) == [
        ("（一）", "（1）", ["1."], [("市住房和城乡建设局", None)], True),
        ("（一）", "（2）", ["1."], [("市住房和城乡建设局", None)], True),
        ("（一）", "（1）", ["2."], [("市民政局", None)], False),
        ("（二）", "1.", [], [("市城市管理局", None)], False),
    ]


def test_sections_without_departments_are_not_tasks():
    plan = plan_of(
        "一、指导思想",
        "以新发展理念为引领。",
        "二、重点任务",
        "1.推进绿色建筑。（市住房和城乡建设局）",
        "三、保障措施",
        "（一）加强组织领导。",
        "（二）强化督导考核。",
    )
    assert [(t.label, t.title) for t in plan.tasks] == [("二、", "重点任务")]
    assert [m.label for m in plan.measures] == ["1."]


def test_an_item_without_departments_among_siblings_with_them_is_kept_and_flagged():
    plan = plan_of(
        "一、任务",
        "1.做甲。（市商务局）",
        "2.做乙。",
        "3.做丙。（市财政局）",
    )
    assert rows(plan) == [
        ("一、", "1.", [], [("市商务局", None)], False),
        ("一、", "2.", [], [], True),
        ("一、", "3.", [], [("市财政局", None)], False),
    ]


def test_a_number_glued_to_a_date_is_a_label_where_the_count_expects_it():
    plan = plan_of(
        "一、任务",
        "1.编制规划。（市自然资源和规划局）",
        "2.10月底前完成布局。（市发展改革委）",
    )
    assert [(m.label, m.text) for m in plan.measures] == [
        ("1.", "编制规划。"),
        ("2.", "10月底前完成布局。"),
    ]


def test_continuation_paragraphs_belong_to_the_item_until_its_departments():
    plan = plan_of(
        "一、任务",
        "1.推进绿色建筑。",
        "新建建筑全面执行绿色标准。",
        "责任单位：市住房和城乡建设局",
        "各单位要加强协调。",
    )
    assert plan.measures[0].text == "推进绿色建筑。新建建筑全面执行绿色标准。"


def test_document_rules_give_the_lead_and_add_the_units_named_once():
    plan = plan_of(
        "各项任务排在第一位的为牵头单位，其他为配合单位。各区（市）政府是各项任务的落实主体，以下不再列出。",
        "一、任务",
        "1.做甲。",
        "责任单位：市商务局、市财政局",
    )
    assert [(d.name, d.role, d.kind) for d in plan.measures[0].departments] == [
        ("市商务局", "lead", "department"),
        ("市财政局", "co", "department"),
        ("各区（市）政府", None, "collective"),
    ]


def test_dates_without_a_year_are_read_in_the_year_of_the_plan():
    plan = parse_text(
        "\n".join(
            [
                "某某工作方案",
                "一、任务",
                "1.年内建成充电桩50个以上。（市能源局）",
                "2.10月底前完成规划编制。（市自然资源和规划局）",
                "某某办公室",
                "2023年3月1日",
            ]
        )
    )
    assert plan.issue_date == dt.date(2023, 3, 1)
    assert [m.deadline for m in plan.measures] == [dt.date(2023, 12, 31), dt.date(2023, 10, 31)]


def test_title_is_the_line_that_reads_as_a_title_not_the_preamble():
    plan = parse_text(
        "某某市绿色出行行动方案\n为推进绿色出行，制定本方案。\n一、任务\n1.做甲。（市交通运输局）"
    )
    assert plan.title == "某某市绿色出行行动方案"


def test_traditional_copy_matches_on_simplified_form_and_keeps_its_own_text():
    plan = parse_text(
        "\n".join(
            [
                "某某工作方案",
                "一、推進綠色出行",
                "1.新增公交車輛中新能源汽車比例不低於90%。（市交通運輸局牽頭，市財政局、各縣（市、區）人民政府配合）",
                "2.每個站點補貼不超過2000元。〔責任單位：市工業和資訊化局按職責分工負責〕",
            ]
        )
    )
    assert plan.tasks[0].title == "推進綠色出行"
    assert plan.measures[0].text == "新增公交車輛中新能源汽車比例不低於90%。"
    assert [(d.name, d.role, d.kind) for d in plan.measures[0].departments] == [
        ("市交通运输局", "lead", "department"),
        ("市财政局", "co", "department"),
        ("各县（市、区）人民政府", "co", "collective"),
    ]
    assert [(t.text, t.value, t.comparator) for t in plan.measures[0].targets] == [
        ("新增公交車輛中新能源汽車比例不低於90%", 90, ">=")
    ]
    assert [(t.value, t.unit, t.comparator) for t in plan.measures[1].targets] == [
        (2000, "元", "<=")
    ]
    assert [(d.name, d.role) for d in plan.measures[1].departments] == [("市工业和信息化局", None)]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "某某工作方案\n一、总体要求\n坚持系统观念。\n二、保障措施\n加强领导。",
        "某某工作方案\n各单位要抓好落实。",
    ],
)
def test_text_without_any_item_carrying_departments_is_refused(text):
    with pytest.raises(ParseError, match="牵头单位"):
        parse_text(text)


def test_a_bracket_giving_a_short_name_is_not_a_department_list():
    plan = plan_of(
        "一、任务",
        "1.成立市城市更新工作领导小组（以下简称市领导小组）。（市住房和城乡建设局）",
    )
    assert plan.measures[0].text == "成立市城市更新工作领导小组（以下简称市领导小组）。"
    assert [d.name for d in plan.measures[0].departments] == ["市住房和城乡建设局"]


def test_department_headings_on_the_items_own_line_name_its_departments():
    plan = plan_of(
        "一、任务",
        "1.推进绿色建筑。牵头单位：市住房和城乡建设局；配合单位：市财政局",
        "2.推进垃圾分类。责任单位：市城市管理局。完成时限：2024年底前",
    )
    assert [(m.text, m.deadline) for m in plan.measures] == [
        ("推进绿色建筑。", None),
        ("推进垃圾分类。", dt.date(2024, 12, 31)),
    ]
    assert rows(plan) == [
        ("一、", "1.", [], [("市住房和城乡建设局", "lead"), ("市财政局", "co")], False),
        ("一、", "2.", [], [("市城市管理局", None)], False),
    ]


def test_a_deadline_inside_the_department_bracket_is_the_measures():
    plan = plan_of(
        "一、任务", "1.推进绿色建筑。（责任单位：市住房和城乡建设局；完成时限：2023年底前）"
    )
    assert plan.measures[0].text == "推进绿色建筑。"
    assert plan.measures[0].deadline == dt.date(2023, 12, 31)
    assert [d.name for d in plan.measures[0].departments] == ["市住房和城乡建设局"]


def test_a_bracket_on_a_heading_covers_its_sub_items_and_a_plain_section_is_no_task():
    plan = plan_of(
        "一、推进绿色建筑（市住房和城乡建设局牵头，市发展改革委配合）",
        "1.新建建筑全面执行绿色建筑标准。",
        "2.推进既有建筑节能改造。",
        "二、推进绿色交通（市交通运输局牵头）",
        "1.推广新能源公交车。",
        "三、保障措施",
        "加强组织领导。",
    )
    building = [("市住房和城乡建设局", "lead"), ("市发展改革委", "co")]
    assert [(t.label, t.title) for t in plan.tasks] == [
        ("一、", "推进绿色建筑"),
        ("二、", "推进绿色交通"),
    ]
    assert rows(plan) == [
        ("一、", "1.", [], building, True),
        ("一、", "2.", [], building, True),
        ("二、", "1.", [], [("市交通运输局", "lead")], False),
    ]


def test_a_glued_number_may_start_the_count_again_under_a_new_heading():
    plan = plan_of(
        "一、任务甲",
        "1.编制规划。（市自然资源和规划局）",
        "二、任务乙",
        "1.10月底前完成布局。（市发展改革委）",
    )
    assert [(t.label, [m.text for m in t.measures]) for t in plan.tasks] == [
        ("一、", ["编制规划。"]),
        ("二、", ["10月底前完成布局。"]),
    ]
