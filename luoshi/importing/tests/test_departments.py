"""Reading a list of responsible departments: splitting, roles, kinds and document rules."""

import pytest

from luoshi.importing.departments import (
    DocumentRules,
    canonical_name,
    kind_of,
    read_rules,
    split_departments,
)
from luoshi.importing.model import ParsedDepartment


def entries(text: str, rules: DocumentRules | None = None) -> list[tuple]:
    return [(d.name, d.role, d.kind) for d in split_departments(text, rules)]


def names(text: str) -> list[str]:
    return [d.name for d in split_departments(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("市商务局、市财政局", ["市商务局", "市财政局"]),
        ("市商务局，市财政局；市能源局", ["市商务局", "市财政局", "市能源局"]),
        ("市商务局,市财政局;市能源局", ["市商务局", "市财政局", "市能源局"]),
        ("市商务局 市财政局", ["市商务局", "市财政局"]),
        ("市发展改革委和市财政局", ["市发展改革委", "市财政局"]),
        ("市商务局及各开发区管委会", ["市商务局", "各开发区管委会"]),
        ("市交通运输局以及市公安局", ["市交通运输局", "市公安局"]),
    ],
)
def test_lists_split_on_punctuation_spaces_and_between_two_offices_on_he_and_ji(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    "name",
    ["市工业和信息化局", "市文化和旅游局", "市住房和城乡建设局", "市人力资源和社会保障局"],
)
def test_he_inside_a_name_does_not_split_it(name):
    assert names(name) == [name]
    assert names(f"{name}和市财政局") == [name, "市财政局"]


def test_brackets_are_never_split():
    assert entries("各县（市、区）政府、市商务局") == [
        ("各县（市、区）政府", None, "collective"),
        ("市商务局", None, "department"),
    ]
    assert names("各县（市、区）人民政府和各开发区管委会") == [
        "各县（市、区）人民政府",
        "各开发区管委会",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("市商务局等", ["市商务局"]),
        ("市商务局、市财政局等部门", ["市商务局", "市财政局"]),
        ("市消防救援支队等配合", ["市消防救援支队"]),
    ],
)
def test_a_trailing_deng_is_not_part_of_a_name(text, expected):
    assert names(text) == expected


def test_a_shi_written_once_serves_the_names_after_it():
    assert names("市发展改革委、财政局、商务局") == ["市发展改革委", "市财政局", "市商务局"]


def test_names_with_a_place_of_their_own_keep_it():
    assert names("市人民银行、枣庄银保监分局") == ["市人民银行", "枣庄银保监分局"]
    assert names("市商务局、国网潍坊供电公司") == ["市商务局", "国网潍坊供电公司"]
    assert names("各区（市）政府、财政局") == ["各区（市）政府", "财政局"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "市发展改革委牵头，市财政局、市商务局配合",
            [("市发展改革委", "lead"), ("市财政局", "co"), ("市商务局", "co")],
        ),
        (
            "市商务局、市财政局牵头，市能源局配合",
            [("市商务局", "lead"), ("市财政局", "lead"), ("市能源局", "co")],
        ),
        (
            "牵头单位：市商务局；配合单位：市财政局、市能源局",
            [("市商务局", "lead"), ("市财政局", "co"), ("市能源局", "co")],
        ),
        (
            "责任单位：市财政局、各区县（市）人民政府按职责分工负责",
            [("市财政局", None), ("各区县（市）人民政府", None)],
        ),
        ("责任单位：市商务局", [("市商务局", None)]),
        ("市商务局、市工业和信息化局负责", [("市商务局", None), ("市工业和信息化局", None)]),
        ("由市商务局牵头负责", [("市商务局", "lead")]),
    ],
)
def test_roles_come_from_lead_and_co_marks_only(text, expected):
    assert [(d.name, d.role) for d in split_departments(text)] == expected


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("各区（市）政府", "collective"),
        ("各县（市、区）人民政府", "collective"),
        ("各开发区管委会", "collective"),
        ("试点城市政府", "collective"),
        ("各区县（市）人民政府", "collective"),
        ("市有关部门", "placeholder"),
        ("市直有关部门", "placeholder"),
        ("各有关单位", "placeholder"),
        ("有关部门", "placeholder"),
        ("相关单位", "placeholder"),
        ("市商务局", "department"),
        ("枣庄银保监分局", "department"),
    ],
)
def test_collectives_and_placeholders_are_told_apart_from_departments(name, kind):
    assert kind_of(name) == kind


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("市发展改革委(市粮食和储备局)", "市发展改革委"),
        ("市文化和旅游局（市广电局）", "市文化和旅游局"),
        ("各区（市）政府（含枣庄高新区管委会，下同）", "各区（市）政府"),
        ("各县（市、区）政府", "各县（市、区）政府"),
    ],
)
def test_bracketed_aliases_and_annotations_fold_away(name, canonical):
    assert canonical_name(name) == canonical


def test_unknown_names_are_kept_as_written():
    assert entries("某某新设工作专班") == [("某某新设工作专班", None, "department")]


def test_first_listed_is_the_lead_when_the_document_says_so():
    rules = read_rules("各项任务中，排在第一位的为牵头单位。")
    assert rules.first_is_lead and not rules.others_are_co
    assert entries("市商务局、市财政局", rules) == [
        ("市商务局", "lead", "department"),
        ("市财政局", None, "department"),
    ]


def test_others_are_co_when_the_document_says_so_too():
    rules = read_rules("责任单位排在第一位的为牵头单位，其他为配合单位。")
    assert [(n, r) for n, r, _ in entries("市商务局、市财政局", rules)] == [
        ("市商务局", "lead"),
        ("市财政局", "co"),
    ]


def test_explicit_marks_win_over_the_first_is_lead_rule():
    rules = read_rules("排在第一位的为牵头单位。")
    assert [(n, r) for n, r, _ in entries("市商务局、市财政局牵头", rules)] == [
        ("市商务局", "lead"),
        ("市财政局", "lead"),
    ]


def test_without_a_statement_no_one_is_lead():
    assert read_rules("各部门要按职责分工抓好落实。") == DocumentRules()


def test_units_named_once_for_every_task_are_read_from_the_statement():
    rules = read_rules("各区（市）政府、枣庄高新区管委会是各项任务的落实主体，以下不再列出。")
    assert rules.always == [
        ParsedDepartment("各区（市）政府", None, "collective"),
        ParsedDepartment("枣庄高新区管委会", None, "department"),
    ]


@pytest.mark.parametrize("text", ["", "，、；", "牵头", "（牵头）", "责任单位："])
def test_lists_without_a_name_give_none(text):
    assert split_departments(text) == []


def test_a_clause_closing_with_xiatong_holds_for_the_lists_below():
    rules = read_rules("1.做事。（市商务局牵头，各区（市）政府负责落实，下同）")
    assert rules.always == [ParsedDepartment("各区（市）政府", None, "collective")]
    assert names("市商务局牵头，各区（市）政府负责落实，下同") == ["市商务局", "各区（市）政府"]


def test_xiatong_annotating_a_name_is_no_rule():
    assert read_rules("各区（市）政府（含枣庄高新区管委会，下同）要抓好落实。") == DocumentRules()


def test_lead_listed_first_stated_the_other_way_round():
    assert read_rules("各项任务牵头单位列第一位。").first_is_lead


def test_by_duty_in_the_list_keeps_roles_unknown_despite_the_first_is_lead_rule():
    rules = read_rules("排在第一位的为牵头单位。")
    assert [r for _, r, _ in entries("市商务局、市财政局按职责分工负责", rules)] == [None, None]


def test_the_shi_prefix_reaches_names_that_begin_like_a_place_word_but_are_departments():
    assert names("市发展改革委、乡村振兴局、城市管理局") == [
        "市发展改革委",
        "市乡村振兴局",
        "市城市管理局",
    ]


def test_a_prefix_cut_off_its_name_by_a_space_is_glued_back():
    assert names("市 商务局 市财政局") == ["市商务局", "市财政局"]
