"""The covering notice: number, issuers, addressees, title, issue date and reporting rule."""

import datetime as dt

import pytest

from luoshi.importing import header, parse_text

TABLE = "重点任务\t推进措施\t责任部门\n一、任务\t1、做事。\t市商务局\n"

NOTICE = """枣庄市商务局
枣庄市财政局 文件

枣商字〔2023〕5号

关于印发《外贸稳规模优结构分工方案》
的通知

各区（市）商务局、财政局，枣庄高新区经发局：

为贯彻落实《关于推动外贸保稳提质的意见》（国办发〔2022〕18号）要求，现将分工方案印发给你们。\
请各单位于次月5日前将上月进展情况报送至市商务局。

附件：外贸稳规模优结构分工方案

枣庄市商务局

二〇二三年一月十日

附件

外贸稳规模优结构分工方案

"""


def test_full_notice_is_read_field_by_field():
    plan = parse_text(NOTICE + TABLE + "\n枣庄市商务局办公室\n\n2023年1月12日印发\n")
    assert plan.title == "外贸稳规模优结构分工方案"
    assert plan.doc_number == "枣商字〔2023〕5号"
    assert plan.issuers == ["枣庄市商务局", "枣庄市财政局"]
    assert plan.addressees == ["各区（市）商务局", "各区（市）财政局", "枣庄高新区经发局"]
    assert plan.parent_documents == ["国办发〔2022〕18号"]
    assert plan.issue_date == dt.date(2023, 1, 10)
    assert plan.report_to == "市商务局"
    assert plan.reporting.to_dict() == {
        "frequency": "monthly",
        "due_day": 5,
        "due_offset_months": 1,
        "text": "请各单位于次月5日前将上月进展情况报送至市商务局。",
    }


def test_plan_with_only_the_attachment_takes_its_title_from_the_line_above_the_table():
    plan = parse_text("附件\n\n某某工作分工方案\n\n" + TABLE)
    assert plan.title == "某某工作分工方案"
    plan = parse_text("\n某某工作分工方案\n" + TABLE)
    assert plan.title == "某某工作分工方案"
    assert (plan.doc_number, plan.issuers, plan.addressees) == (None, [], [])
    assert (plan.issue_date, plan.reporting, plan.report_to) == (None, None, None)


def test_printing_date_is_not_the_issue_date():
    plan = parse_text("某某工作分工方案\n" + TABLE + "\n某某办公室\n\n2022年9月21日印发\n")
    assert plan.issue_date is None


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("二〇二二年九月二十一日", dt.date(2022, 9, 21)),
        ("二○二三年十二月三十一日", dt.date(2023, 12, 31)),
        ("二〇二三年十一月十日", dt.date(2023, 11, 10)),
        ("2022年9月21日", dt.date(2022, 9, 21)),
        ("2022 年 9 月 21 日", dt.date(2022, 9, 21)),
    ],
)
def test_issue_date_on_a_line_of_its_own(line, date):
    assert header.issue_date(["枣庄市商务局", line]) == date


@pytest.mark.parametrize(
    "line",
    [
        "二〇二三年二月三十日",  # no such day
        "二〇二二年二二月一日",  # not a way to write a month
        "二〇二二年十十月一日",
        "2022年9月21日印发",
        "于2022年9月21日召开会议",
    ],
)
def test_no_issue_date_from_lines_that_are_not_one(line):
    assert header.issue_date([line]) is None


def test_document_number_standing_on_its_own_line():
    lines = ["枣庄市发展和改革委员会", "", " 枣发改经贸〔2022〕 243号 ", "关于印发……的通知"]
    assert header.doc_number(lines) == ("枣发改经贸〔2022〕243号", 2)


def test_document_number_inside_a_sentence_is_not_the_plans_own():
    lines = ["根据鲁发改经贸〔2022〕518号文件要求，制定本方案。"]
    assert header.doc_number(lines) == (None, None)


@pytest.mark.parametrize(
    ("sentence", "rule", "to"),
    [
        (
            "市直有关部门于每月28日前将工作进展情况反馈至市发展改革委。",
            ("monthly", 28, 0),
            "市发展改革委",
        ),
        ("请各单位于次月5日前将上月进展报送至市商务局。", ("monthly", 5, 1), "市商务局"),
        ("各责任单位每季度末将落实情况报市政府办公室。", ("quarterly", None, 0), "市政府办公室"),
        ("每季度结束后10日内将工作进展报送市财政局。", ("quarterly", 10, 1), "市财政局"),
        (
            "各牵头单位于每月5日前将上月进展情况报送市发展改革委。",
            ("monthly", 5, 1),
            "市发展改革委",
        ),
        ("每半年将进展情况报送市委组织部。", ("half-yearly", None, 0), "市委组织部"),
        ("每年12月20日前将年度总结报市政府办公厅。", ("yearly", 20, 0), "市政府办公厅"),
        (
            "每月25日前将进展报送市绿色消费工作领导小组办公室。",
            ("monthly", 25, 0),
            "市绿色消费工作领导小组办公室",
        ),
    ],
)
def test_reporting_rule_and_the_office_reports_go_to(sentence, rule, to):
    found, report_to = header.reporting("现印发给你们，请认真贯彻落实。" + sentence)
    assert (found.frequency, found.due_day, found.due_offset_months) == rule
    assert found.text == sentence
    assert report_to == to


def test_no_reporting_rule_when_the_notice_sets_none():
    assert header.reporting("现印发给你们，请认真贯彻落实。") == (None, None)


def test_addressees_keep_brackets_whole_and_lend_their_prefix():
    addressees, _ = header.addressees(["各县（市、区）发展改革局、商务局，市直有关部门："], 0)
    assert addressees == ["各县（市、区）发展改革局", "各县（市、区）商务局", "市直有关部门"]


def test_title_without_quotes_in_the_notice_title_is_the_printed_plan():
    title = "关于印发枣庄市加快推进新能源汽车推广应用工作方案的通知"
    assert header.plan_title([], title) == "枣庄市加快推进新能源汽车推广应用工作方案"


def test_title_is_not_a_preamble_sentence_nor_a_numbered_heading():
    lines = ["某某市城市更新行动方案", "为推进城市更新，制定本方案。", "一、总体要求"]
    assert header.plan_title(lines, "") == "某某市城市更新行动方案"
