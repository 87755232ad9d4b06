"""Quantitative targets and deadlines read from the words of one measure."""

import datetime as dt

import pytest

from luoshi.importing.targets import deadline_cell, find_targets


def targets(text: str) -> list[tuple]:
    return [(t.value, t.unit, t.comparator) for t in find_targets(text)[0]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("新能源汽车比例不低于30%", [(30, "%", ">=")]),
        ("新能源汽车比例不低于30％", [(30, "%", ">=")]),
        ("建成充电站5个以上", [(5, "个", ">=")]),
        ("每个站点补贴不超过 2000 元", [(2000, "元", "<=")]),
        ("能耗增幅5%以内", [(5, "%", "<=")]),
        ("安排专项资金50万元左右", [(50, "万元", "=")]),
        ("奖补资金1.5亿元", [(1.5, "亿元", ">=")]),
        ("新增 20 家", [(20, "家", ">=")]),
        ("其余部分30%用于出租车电动化", [(30, "%", "=")]),
        ("建成10座，改造3处", [(10, "座", ">="), (3, "处", ">=")]),
    ],
)
def test_number_unit_and_the_comparison_its_wording_gives(text, expected):
    assert targets(text) == expected


def test_target_keeps_the_clause_it_was_read_from():
    found, _ = find_targets("加快建设，每个站点补贴不超过 2000 元。")
    assert [t.text for t in found] == ["每个站点补贴不超过 2000 元"]


@pytest.mark.parametrize(
    "text",
    [
        "2022年9月21日召开推进会",
        "宣传2022年度技术成果目录",
        "对2021年9月1日以后新建的3家以上快递公司进驻的站点，给予奖补",
        "推广绿色低碳生活方式",
        "编号12345678901234567890个",  # a run of digits too long for any quantity
    ],
)
def test_no_target_from_dates_conditions_or_plain_words(text):
    assert targets(text) == []


def test_condition_clause_is_skipped_but_the_clause_after_it_counts():
    text = "对2021年9月1日以后新建的3家以上企业，每家补贴不超过2000元。"
    assert targets(text) == [(2000, "元", "<=")]
    assert find_targets(text)[1] is None


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("“十四五”期间建成智能终端300组以上。", dt.date(2025, 12, 31)),
        ("2025年底前80%以上单位达到要求。", dt.date(2025, 12, 31)),
        ("2023年6月底前完成改造3处。", dt.date(2023, 6, 30)),
        ("2024年2月底前完成改造3处。", dt.date(2024, 2, 29)),
        ("2022年命名200户绿色家庭。", dt.date(2022, 12, 31)),
    ],
)
def test_deadline_of_the_sentence_holding_the_target(text, deadline):
    found, measure_deadline = find_targets(text)
    assert [t.deadline for t in found] == [deadline]
    assert measure_deadline == deadline


def test_explicit_deadline_without_a_target_is_the_measures():
    assert find_targets("2023年6月底前完成老旧小区改造。") == ([], dt.date(2023, 6, 30))


def test_measure_deadline_is_the_latest_of_its_sentences():
    text = "2023年6月底前建成3处。2025年底前建成10处。"
    found, deadline = find_targets(text)
    assert [t.deadline for t in found] == [dt.date(2023, 6, 30), dt.date(2025, 12, 31)]
    assert deadline == dt.date(2025, 12, 31)


def test_year_without_before_is_not_a_deadline_when_nothing_is_measured():
    assert find_targets("宣传2022年度技术成果目录。") == ([], None)
    assert find_targets("2022年继续推进绿色出行。") == ([], None)


@pytest.mark.parametrize("month", ["0", "00", "13"])
def test_month_that_does_not_exist_sets_no_deadline(month):
    found, deadline = find_targets(f"2025年{month}月底前完成3项。")
    assert [t.deadline for t in found] == [None]
    assert deadline is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("建成智能快件箱300组以上", [(300, "组", ">=")]),
        ("改造农村户厕5000户", [(5000, "户", ">=")]),
        ("培育龙头企业10家", [(10, "家", ">=")]),
        ("新增公交车辆不少于100辆", [(100, "辆", ">=")]),
        ("投资8000万元", [(8000, "万元", ">=")]),
        ("新建绿道20公里", [(20, "公里", ">=")]),
        ("减少排放5万吨以上", [(5, "万吨", ">=")]),
        ("能耗不超过3万吨标准煤", [(3, "万吨", "<=")]),
        ("回收利用率达到35%", [(35, "%", ">=")]),
        ("力争达到50%", [(50, "%", ">=")]),
        ("空置率控制在5%以下", [(5, "%", "<=")]),
        ("在5个工作日内办结", [(5, "个工作日", "<=")]),
        ("举办活动不少于20场次", [(20, "场次", ">=")]),
    ],
)
def test_units_and_comparators_of_the_issue(text, expected):
    assert targets(text) == expected


@pytest.mark.parametrize(
    ("text", "year", "deadline"),
    [
        ("10月底前建成3处。", 2022, dt.date(2022, 10, 31)),
        ("年内建成3处。", 2023, dt.date(2023, 12, 31)),
        ("年底前建成3处。", 2023, dt.date(2023, 12, 31)),
        ("10月底前建成3处。", None, None),
        ("三年内建成3处。", 2023, None),
        ("每年建成3处。", 2023, None),
    ],
)
def test_dates_without_a_year_are_read_in_the_plans_year(text, year, deadline):
    found, measure_deadline = find_targets(text, year)
    assert [t.deadline for t in found] == [deadline]
    assert measure_deadline == deadline


@pytest.mark.parametrize(
    ("cell", "deadline"),
    [
        ("2025年底前", dt.date(2025, 12, 31)),
        ("2022年", dt.date(2022, 12, 31)),
        ("2023年6月", dt.date(2023, 6, 30)),
        ("2022年12月31日前", dt.date(2022, 12, 31)),
        ("2023—2025年", dt.date(2025, 12, 31)),
        ("“十四五”期间", dt.date(2025, 12, 31)),
        ("10月底前", dt.date(2022, 10, 31)),
        ("年内", dt.date(2022, 12, 31)),
        ("长期坚持", None),
        ("持续推进", None),
        ("", None),
    ],
)
def test_deadline_column_cells(cell, deadline):
    assert deadline_cell(cell, 2022) == deadline
