"""Whatever text arrives, the importer answers with a plan or a ParseError, nothing else."""

import datetime as dt
import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from luoshi.importing import ParsedPlan, ParseError, header, parse_text
from luoshi.importing.departments import read_rules, split_departments
from luoshi.importing.model import COMPARATORS, FREQUENCIES, KINDS, ROLES
from luoshi.importing.targets import find_targets

FUZZ = settings(max_examples=200, deadline=None, database=None)

HEADER = "重点任务\t推进措施\t责任部门"

FRAGMENTS = [
    HEADER + "\n",
    "重点任务\t推进措施\t责任部门 (按职责分工负责)\n",
    "\t",
    "\t\t",
    "\n",
    "\r\n",
    " ",
    "<p>",
    "</p>",
    "</p> <p>",
    "一、",
    "五、全面促进绿色用品消费",
    "十一、",
    "1、",
    "2.",
    "（3）",
    "市商务局",
    "市财政局 ",
    "市发展改革委(市粮食和储备局)",
    "市文化和旅游局（市广电局）",
    "各区（市）政府",
    "市有关部门",
    "牵头",
    "配合单位：",
    "（牵头）",
    "不低于",
    "30%",
    "300 组以上",
    "不超过2000元",
    "万元",
    "“十四五”期间",
    "2025年底前",
    "2023年0月底前",
    "2021 年 9 月 1 日以后",
    "2022年9月21日",
    "二〇二二年九月二十一日",
    "二〇二二年二二月一日",
    "枣发改经贸〔2022〕243号",
    "附件",
    "关于印发《某某分工方案》的通知",
    "各区（市）发展改革局、工业和信息化局：",
    "于每月28日前将进展情况反馈至市发展改革委。",
    "次月5日前报送市政府办公室；",
    "每季度",
    "，",
    "、",
    "。",
]

table_like = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=40).map(
    "".join
)


def assert_well_formed(plan: ParsedPlan):
    data = plan.to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False, allow_nan=False)) == data
    assert plan.title
    assert [t.no for t in plan.tasks] == list(range(1, len(plan.tasks) + 1))
    assert plan.measures
    if plan.reporting:
        assert plan.reporting.frequency in FREQUENCIES
    for task in plan.tasks:
        assert [m.no for m in task.measures] == list(range(1, len(task.measures) + 1))
        for measure in task.measures:
            for department in measure.departments:
                assert department.name.strip()
                assert department.role in (*ROLES, None)
                assert department.kind in KINDS
            assert all(t.comparator in COMPARATORS for t in measure.targets)


def parses_or_refuses(text: str):
    try:
        plan = parse_text(text)
    except ParseError as error:
        assert str(error)
        return
    assert_well_formed(plan)


@FUZZ
@given(st.text())
def test_any_text_gives_a_plan_or_a_parse_error(text):
    parses_or_refuses(text)


@FUZZ
@given(table_like)
def test_table_like_text_gives_a_plan_or_a_parse_error(text):
    parses_or_refuses(text)


CELL_FRAGMENTS = [f for f in FRAGMENTS if not set(f) & set("\t\r\n")]
cell = st.lists(st.sampled_from(CELL_FRAGMENTS), max_size=6).map("".join)


@FUZZ
@given(st.lists(st.lists(cell, min_size=1, max_size=4).map("\t".join), max_size=12))
def test_rows_under_a_header_give_a_plan_or_a_parse_error(rows):
    parses_or_refuses("\n".join(["某某工作分工方案", HEADER, *rows]))


@FUZZ
@given(st.one_of(st.text(), table_like))
def test_find_targets_never_raises_and_compares_with_a_known_comparator(text):
    found, deadline = find_targets(text)
    assert deadline is None or isinstance(deadline, dt.date)
    for target in found:
        assert target.comparator in COMPARATORS
        assert math.isfinite(target.value)
        assert target.unit
        assert target.deadline is None or isinstance(target.deadline, dt.date)


@FUZZ
@given(st.one_of(st.text(), table_like))
def test_split_departments_never_returns_an_empty_name(text):
    for department in split_departments(text):
        assert department.name.strip()
        assert "<p>" not in department.name and "</p>" not in department.name


cn_digits = st.text(alphabet="〇○零一二三四五六七八九", min_size=4, max_size=4)
cn_count = st.text(alphabet="一二三四五六七八九十", min_size=1, max_size=3)


@FUZZ
@given(cn_digits, cn_count, cn_count)
def test_any_date_written_in_chinese_numerals_gives_a_date_or_none(year, month, day):
    found = header.issue_date([f"{year}年{month}月{day}日"])
    assert found is None or isinstance(found, dt.date)


PROSE_FRAGMENTS = [
    "\n",
    "一、",
    "二、重点任务",
    "（一）",
    "(二)",
    "1.",
    "2、",
    "3.10月底前",
    "（1）",
    "(2)",
    "①",
    "某某工作方案",
    "推进绿色建筑。",
    "（",
    "）",
    "〔",
    "〕",
    "【",
    "】",
    "（市交通运输局牵头，市财政局、市公安局配合）",
    "（牵头单位：市发展改革委；配合单位：市住房城乡建设局）",
    "〔责任单位：市财政局、各区（市）政府按职责分工负责〕",
    "牵头单位：",
    "配合单位：",
    "责任单位：",
    "完成时限：",
    "市商务局",
    "财政局",
    "各县（市、区）人民政府",
    "市有关部门",
    "市工业和信息化局和市商务局",
    "及",
    "等",
    "、",
    "，",
    "；",
    "。",
    "牵头",
    "配合",
    "按职责分工负责",
    "排在第一位的为牵头单位",
    "其他为配合单位",
    "以下不再列出",
    "（含高新区，下同）",
    "年内",
    "2024年10月底前",
    "不低于30%",
    "附件",
    "2023年3月1日",
    "推進綠色出行（市交通運輸局牽頭）",
]

prose_like = st.lists(
    st.one_of(st.sampled_from(PROSE_FRAGMENTS), st.text(max_size=3)), max_size=50
).map("".join)


@FUZZ
@given(prose_like)
def test_prose_like_text_gives_a_plan_or_a_parse_error(text):
    parses_or_refuses(text)


prose_line = st.lists(st.sampled_from(PROSE_FRAGMENTS[1:]), min_size=1, max_size=5).map("".join)


@FUZZ
@given(st.lists(prose_line, max_size=20))
def test_numbered_lines_with_departments_give_a_plan_or_a_parse_error(lines):
    parses_or_refuses("\n".join(["某某工作方案", *lines]))


@FUZZ
@given(st.one_of(st.text(), prose_like))
def test_reading_document_rules_never_raises(text):
    rules = read_rules(text)
    for department in rules.always:
        assert department.name.strip()
        assert department.kind in KINDS
