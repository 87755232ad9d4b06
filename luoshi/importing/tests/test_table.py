"""The table of tasks, measures and departments, one hand-written row at a time."""

import datetime as dt

import pytest

from luoshi.importing import ParsedPlan, parse_text

HEADER = "重点任务\t推进措施\t责任部门"


def plan_of(*rows: str) -> ParsedPlan:
    """A plan holding only its title line and the table: HEADER, then `rows`."""
    return parse_text("\n".join(["某某工作分工方案", HEADER, *rows]))


def departments(plan: ParsedPlan, task: int = 1, no: int = 1) -> list[tuple]:
    measure = plan.tasks[task - 1].measures[no - 1]
    return [(d.name, d.role, d.kind) for d in measure.departments]


def names(plan: ParsedPlan, task: int = 1, no: int = 1) -> list[str]:
    return [name for name, _, _ in departments(plan, task, no)]


def measures(plan: ParsedPlan) -> list[tuple]:
    return [(m.no, m.label, m.text) for m in plan.measures]


def review(plan: ParsedPlan) -> list[bool]:
    return [m.needs_review for m in plan.measures]


def test_alias_in_full_width_brackets_is_folded():
    plan = plan_of("一、任务\t1、做事。\t市文化和旅游局（市广电局）")
    assert departments(plan) == [("市文化和旅游局", None, "department")]


def test_alias_in_half_width_brackets_is_folded():
    plan = plan_of("一、任务\t1、做事。\t市发展改革委(市粮食和储备局) 市财政局")
    assert names(plan) == ["市发展改革委", "市财政局"]


def test_bracket_inside_a_collective_name_is_kept_whole():
    plan = plan_of("一、任务\t1、做事。\t市商务局 各区（市）政府")
    assert departments(plan) == [
        ("市商务局", None, "department"),
        ("各区（市）政府", None, "collective"),
    ]
    assert plan.department_names() == ["市商务局"]


def test_vague_units_are_placeholders_and_not_counted():
    plan = plan_of("一、任务\t1、做事。\t市交通运输局 市有关部门 各有关单位")
    assert departments(plan) == [
        ("市交通运输局", None, "department"),
        ("市有关部门", None, "placeholder"),
        ("各有关单位", None, "placeholder"),
    ]
    assert plan.department_names() == ["市交通运输局"]


def test_role_written_after_the_name():
    plan = plan_of("一、任务\t1、做事。\t市商务局牵头 市财政局配合 市能源局（牵头）")
    assert departments(plan) == [
        ("市商务局", "lead", "department"),
        ("市财政局", "co", "department"),
        ("市能源局", "lead", "department"),
    ]


def test_role_in_brackets_standing_apart_belongs_to_the_name_before():
    plan = plan_of("一、任务\t1、做事。\t市商务局 （牵头） 市财政局")
    assert departments(plan) == [
        ("市商务局", "lead", "department"),
        ("市财政局", None, "department"),
    ]


def test_role_heading_names_the_role_of_the_names_after_it():
    plan = plan_of("一、任务\t1、做事。\t牵头单位：市商务局；配合单位：市财政局、市能源局")
    assert departments(plan) == [
        ("市商务局", "lead", "department"),
        ("市财政局", "co", "department"),
        ("市能源局", "co", "department"),
    ]


def test_repeated_header_and_task_title_after_a_page_break_continue_the_task():
    plan = plan_of(
        "一、推进绿色消费\t1、做事。\t市商务局",
        "",
        HEADER,
        "一、推进绿色消费\t2、再做。\t市财政局",
    )
    assert [(t.no, t.label, t.title) for t in plan.tasks] == [(1, "一、", "推进绿色消费")]
    assert measures(plan) == [(1, "1、", "做事。"), (2, "2、", "再做。")]
    assert names(plan, 1, 2) == ["市财政局"]


def test_different_task_after_a_repeated_header_is_a_new_task():
    plan = plan_of(
        "一、推进绿色消费\t1、做事。\t市商务局",
        "",
        HEADER,
        "二、强化宣传教育\t1、宣传。\t市委宣传部",
    )
    assert [(t.no, t.label, t.title) for t in plan.tasks] == [
        (1, "一、", "推进绿色消费"),
        (2, "二、", "强化宣传教育"),
    ]
    assert [len(t.measures) for t in plan.tasks] == [1, 1]


def test_row_using_header_words_is_data_when_it_is_numbered():
    plan = plan_of(
        "一、推进任务落实\t1、做事。\t市商务局",
        "二、强化保障措施\t1、分解任务，明确责任。\t各有关单位",
    )
    assert [t.title for t in plan.tasks] == ["推进任务落实", "强化保障措施"]
    assert plan.tasks[1].measures[0].text == "分解任务，明确责任。"


def test_paragraphs_in_one_cell_are_measures_sharing_the_departments():
    plan = plan_of("一、任务\t<p>1、做事。</p> <p>2、再做。</p>\t<p>市商务局</p> <p>市财政局</p>")
    assert measures(plan) == [(1, "1、", "做事。"), (2, "2、", "再做。")]
    assert names(plan, 1, 1) == names(plan, 1, 2) == ["市商务局", "市财政局"]
    assert review(plan) == [True, True]


def test_one_measure_with_its_own_department_cell_needs_no_review():
    plan = plan_of("一、任务\t1、做事。\t市商务局")
    assert review(plan) == [False]


def test_department_rows_that_survived_split_a_shared_cell():
    plan = plan_of(
        "一、任务\t<p>1、做事。</p> <p>2、再做。</p> <p>3、又做。</p>\t市商务局 市财政局",
        "\t\t市能源局",
        "\t\t市财政局",
    )
    assert [names(plan, 1, no) for no in (1, 2, 3)] == [
        ["市商务局", "市财政局"],
        ["市能源局"],
        ["市财政局"],
    ]
    assert review(plan) == [True, True, True]


def test_a_repeated_name_starts_the_list_of_the_next_measure():
    cell = "市商务局 市自然资源和规划局 市商务局 市市场监管局"
    plan = plan_of(f"一、任务\t<p>1、做事。</p> <p>2、再做。</p>\t{cell}")
    assert names(plan, 1, 1) == ["市商务局", "市自然资源和规划局"]
    assert names(plan, 1, 2) == ["市商务局", "市市场监管局"]
    assert review(plan) == [True, True]


def test_groups_that_do_not_match_the_measures_give_every_measure_the_union():
    cell = "市商务局 市财政局 市商务局 市能源局"
    plan = plan_of(f"一、任务\t<p>1、做事。</p> <p>2、再做。</p> <p>3、又做。</p>\t{cell}")
    union = ["市商务局", "市财政局", "市能源局"]
    assert [names(plan, 1, no) for no in (1, 2, 3)] == [union] * 3
    assert review(plan) == [True, True, True]


def test_measure_with_an_empty_department_cell_joins_the_block_above():
    plan = plan_of(
        "一、任务\t1、做事。\t市商务局",
        "\t2、再做。\t",
        "\t3、另做。\t市财政局",
    )
    assert [names(plan, 1, no) for no in (1, 2, 3)] == [["市商务局"], ["市商务局"], ["市财政局"]]
    assert review(plan) == [True, True, False]


def test_measure_without_any_department_needs_review():
    plan = plan_of("一、任务\t1、做事。\t")
    assert departments(plan) == []
    assert review(plan) == [True]


def test_measure_labels_in_other_styles_are_kept_as_written():
    plan = plan_of("一、任务\t<p>（1）做事。</p> <p>2. 再做。</p>\t市商务局")
    assert measures(plan) == [(1, "（1）", "做事。"), (2, "2.", "再做。")]


def table_of(header: str, *rows: str) -> ParsedPlan:
    return parse_text("\n".join(["某某工作分工方案", header, *rows]))


def test_number_and_deadline_columns_give_the_label_and_the_deadline():
    plan = table_of(
        "序号\t重点任务\t推进措施\t责任单位\t完成时限",
        "1\t一、任务\t做事，建成10个。\t市商务局\t2023年6月底前",
        "2\t\t再做。\t市财政局\t“十四五”期间",
        "3\t\t又做。\t市能源局\t长期坚持",
    )
    assert [(m.label, m.text) for m in plan.measures] == [
        ("1", "做事，建成10个。"),
        ("2", "再做。"),
        ("3", "又做。"),
    ]
    assert [m.deadline for m in plan.measures] == [
        dt.date(2023, 6, 30),
        dt.date(2025, 12, 31),
        None,
    ]
    assert plan.measures[0].targets[0].deadline == dt.date(2023, 6, 30)


def test_a_merged_deadline_cell_serves_the_rows_below_it_in_the_task():
    plan = table_of(
        "序号\t重点任务\t推进措施\t责任单位\t完成时限",
        "1\t一、任务\t做事。\t市商务局\t2024年",
        "2\t\t再做。\t市财政局\t",
        "3\t二、另一任务\t另做。\t市能源局\t",
    )
    assert [m.deadline for m in plan.measures] == [dt.date(2024, 12, 31)] * 2 + [None]


@pytest.mark.parametrize(
    "header",
    [
        "主要任务\t具体措施\t责任单位",
        "重点工作\t工作措施\t责任单位",
        "工作任务\t主要内容\t责任部门",
    ],
)
def test_header_words_vary(header):
    plan = table_of(header, "一、任务\t1、做事。\t市商务局")
    assert [(t.label, t.title) for t in plan.tasks] == [("一、", "任务")]
    assert names(plan) == ["市商务局"]


def test_lead_and_co_columns_give_the_roles():
    plan = table_of(
        "序号\t重点任务\t推进措施\t牵头单位\t配合单位",
        "1\t一、任务\t1、做事。\t市商务局\t市财政局、市能源局",
        "2\t\t2、再做。\t市财政局（牵头）、市商务局\t",
    )
    assert departments(plan) == [
        ("市商务局", "lead", "department"),
        ("市财政局", "co", "department"),
        ("市能源局", "co", "department"),
    ]
    assert departments(plan, 1, 2) == [
        ("市财政局", "lead", "department"),
        ("市商务局", "lead", "department"),
    ]


def test_tables_without_a_task_column_take_their_tasks_from_the_headings_above():
    text = "\n".join(
        [
            "某某重点任务清单",
            "一、推广绿色建筑",
            "序号\t工作任务\t责任单位\t完成时限",
            "1\t执行绿色建筑标准。\t市住房和城乡建设局\t年内",
            "2\t新增绿色建筑100万平方米。\t市住房和城乡建设局\t2025年底前",
            "二、推进节能改造",
            "序号\t工作任务\t责任单位\t完成时限",
            "1\t完成节能改造。\t市机关事务服务中心\t",
            "某某局",
            "2023年2月20日",
        ]
    )
    plan = parse_text(text)
    assert plan.title == "某某重点任务清单"
    assert [(t.no, t.label, t.title) for t in plan.tasks] == [
        (1, "一、", "推广绿色建筑"),
        (2, "二、", "推进节能改造"),
    ]
    assert [(m.no, m.label) for m in plan.tasks[0].measures] == [(1, "1"), (2, "2")]
    assert [m.deadline for m in plan.measures] == [
        dt.date(2023, 12, 31),
        dt.date(2025, 12, 31),
        None,
    ]
    assert plan.issue_date == dt.date(2023, 2, 20)


def test_a_traditional_table_keeps_its_words_and_matches_simplified_names():
    plan = table_of(
        "重點任務\t推進措施\t責任部門",
        "一、推動綠色消費\t1、補貼不超過2000元。\t市發展改革委、市工業和資訊化局",
    )
    assert (plan.tasks[0].title, plan.measures[0].text) == ("推動綠色消費", "補貼不超過2000元。")
    assert names(plan) == ["市发展改革委", "市工业和信息化局"]
    assert [(t.text, t.comparator) for t in plan.measures[0].targets] == [
        ("補貼不超過2000元", "<=")
    ]


def test_a_lead_column_alone_makes_its_names_lead():
    plan = table_of("重点任务\t推进措施\t牵头单位", "一、任务\t1、做事。\t市商务局、市财政局")
    assert departments(plan) == [
        ("市商务局", "lead", "department"),
        ("市财政局", "lead", "department"),
    ]


def test_a_two_row_header_splits_the_departments_into_lead_and_co():
    sub = "\t\t\t牵头单位\t配合单位\t"
    plan = table_of(
        "序号\t重点任务\t推进措施\t责任单位\t\t完成时限",
        sub,
        "1\t一、任务\t1、做事。\t市商务局\t市财政局\t2024年",
        "",
        "序号\t重点任务\t推进措施\t责任单位\t\t完成时限",
        sub,
        "2\t二、另一任务\t1、再做。\t市能源局\t\t",
    )
    assert [len(t.measures) for t in plan.tasks] == [1, 1]
    assert departments(plan) == [
        ("市商务局", "lead", "department"),
        ("市财政局", "co", "department"),
    ]
    assert departments(plan, 2, 1) == [("市能源局", "lead", "department")]
    assert plan.measures[0].deadline == dt.date(2024, 12, 31)
    assert plan.title == "某某工作分工方案"


def test_a_row_merged_across_the_table_is_a_heading():
    plan = table_of(
        "序号\t工作任务\t责任单位",
        "一、推广绿色建筑\t一、推广绿色建筑\t一、推广绿色建筑",
        "1\t执行绿色建筑标准。\t市住房和城乡建设局",
        "二、推进节能改造",
        "1\t完成节能改造。\t市机关事务服务中心",
    )
    assert [(t.label, t.title, len(t.measures)) for t in plan.tasks] == [
        ("一、", "推广绿色建筑", 1),
        ("二、", "推进节能改造", 1),
    ]


def test_a_page_number_between_rows_does_not_end_the_table():
    plan = table_of(
        "重点任务\t推进措施\t责任部门",
        "一、任务\t1、做事。\t市商务局",
        "- 2 -",
        "\t2、再做。\t市财政局",
        "某某办公室",
        "2023年5月1日",
    )
    assert [m.text for m in plan.measures] == ["做事。", "再做。"]
    assert plan.issue_date == dt.date(2023, 5, 1)


def test_a_table_without_task_column_or_heading_is_one_task_under_the_plan_title():
    plan = table_of("序号\t工作任务\t责任单位", "1\t做事。\t市商务局", "2\t再做。\t市财政局")
    assert [(t.label, t.title) for t in plan.tasks] == [("", "某某工作分工方案")]
    assert [m.label for m in plan.measures] == ["1", "2"]


def test_a_lead_rule_in_the_department_header_makes_the_first_name_lead():
    plan = table_of(
        "重点任务\t推进措施\t责任单位（排在第一位的为牵头单位）",
        "一、任务\t1、做事。\t市商务局、市财政局",
    )
    assert departments(plan) == [
        ("市商务局", "lead", "department"),
        ("市财政局", None, "department"),
    ]


def test_a_task_cell_numbered_in_brackets_keeps_its_label():
    plan = table_of("重点任务\t推进措施\t责任部门", "（一）推广绿色建筑\t1、做事。\t市商务局")
    assert [(t.label, t.title) for t in plan.tasks] == [("（一）", "推广绿色建筑")]


def test_rows_numbered_with_chinese_numerals_and_no_department_are_tasks():
    plan = table_of(
        "序号\t工作任务\t责任单位\t完成时限",
        "一\t推广绿色建筑\t\t",
        "1\t执行绿色建筑标准。\t市住房和城乡建设局\t2024年",
        "2\t推广绿色建材。\t市工业和信息化局\t",
        "二\t推进节能改造\t\t",
        "1\t完成节能改造。\t市机关事务服务中心\t",
    )
    assert [(t.label, t.title, [m.label for m in t.measures]) for t in plan.tasks] == [
        ("一", "推广绿色建筑", ["1", "2"]),
        ("二", "推进节能改造", ["1"]),
    ]
    assert [m.deadline for m in plan.measures] == [dt.date(2024, 12, 31)] * 2 + [None]
