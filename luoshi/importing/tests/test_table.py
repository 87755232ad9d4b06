"""The table of tasks, measures and departments, one hand-written row at a time."""

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
