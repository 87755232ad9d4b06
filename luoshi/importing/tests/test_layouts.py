"""Layouts of State Council and ministry prose, and notices laid out unlike the seed (issue 18).

Each document is written here as such documents are; the expected plan is read off the text."""

import datetime as dt

import pytest

from luoshi.importing import parse_text
from luoshi.importing.departments import read_rules, split_departments
from luoshi.importing.targets import find_targets


def units(cell, rules=None):
    return [(d.name, d.role, d.kind) for d in split_departments(cell, rules)]


def measures(plan):
    return [
        (m.label, m.text, [(d.name, d.role) for d in m.departments], m.needs_review)
        for m in plan.measures
    ]


# --- department lists -----------------------------------------------------------------------


def test_only_the_fields_that_name_units_are_departments():
    cell = "负责部门：商务部、海关总署；适用范围：广东、福建自贸试验区"
    assert units(cell) == [
        ("商务部", None, "department"),
        ("海关总署", None, "department"),
    ]
    assert units("牵头单位：国家林草局；实施地区：内蒙古、黑龙江") == [
        ("国家林草局", "lead", "department")
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("文化和旅游部会同有关部门负责", [("文化和旅游部", "lead"), ("有关部门", "co")]),
        (
            "国家卫生健康委会同国家医保局、国家药监局负责",
            [("国家卫生健康委", "lead"), ("国家医保局", "co"), ("国家药监局", "co")],
        ),
        (
            "科技部牵头，工业和信息化部、中国科学院参与",
            [("科技部", "lead"), ("工业和信息化部", "co"), ("中国科学院", "co")],
        ),
        ("生态环境部、自然资源部指导", [("生态环境部", None), ("自然资源部", None)]),
    ],
)
def test_roles_come_from_the_verbs(cell, expected):
    assert [(name, role) for name, role, _ in units(cell)] == expected


@pytest.mark.parametrize(
    "sentence",
    ["排在第一位的部门为牵头部门，下同", "列第一位者为牵头单位", "排在第一位的为牵头单位"],
)
def test_a_lead_rule_stated_once_holds_for_every_list(sentence):
    rules = read_rules(f"一、总体要求（{sentence}）。")
    assert rules.first_is_lead
    assert units("国家发展改革委、财政部指导", rules)[0] == ("国家发展改革委", "lead", "department")
    # The rule's own words name no unit.
    assert units(f"民政部、财政部负责，{sentence}") == [
        ("民政部", None, "department"),
        ("财政部", None, "department"),
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (
            "市民政局牵头，各区、县级市人民政府落实",
            [("市民政局", "lead", "department"), ("各区、县级市人民政府", None, "collective")],
        ),
        (
            "各县（市、区）政府（管委会）负责",
            [("各县（市、区）政府（管委会）", None, "collective")],
        ),
        (
            "国家发展改革委、财政部等和各有关省级人民政府按职责分工负责",
            [
                ("国家发展改革委", None, "department"),
                ("财政部", None, "department"),
                ("各有关省级人民政府", None, "collective"),
            ],
        ),
        # A global sentence is a rule, not a department.
        (
            "省交通运输厅牵头，省财政厅配合；具体任务均涉及相关市（州）人民政府，不再做分工，下同",
            [("省交通运输厅", "lead", "department"), ("省财政厅", "co", "department")],
        ),
    ],
)
def test_collectives_and_rules_inside_a_list(cell, expected):
    assert units(cell) == expected


def test_a_ministry_after_a_city_office_keeps_its_name():
    assert [n for n, *_ in units("市场监管总局、商务部")] == ["市场监管总局", "商务部"]
    assert [n for n, *_ in units("市地方金融监管局、人民银行泉州市分行")] == [
        "市地方金融监管局",
        "人民银行泉州市分行",
    ]
    # 市 still serves the short names after it.
    assert [n for n, *_ in units("市发展改革委、财政局、城市管理局")] == [
        "市发展改革委",
        "市财政局",
        "市城市管理局",
    ]


@pytest.mark.parametrize("cell", ["持续推进", "长期坚持", "2024年6月底前", "常态化推进"])
def test_a_deadline_is_never_a_department(cell):
    assert units(cell) == []
    assert units(f"市教育局；{cell}") == [("市教育局", None, "department")]


# --- quantities -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("每年培训乡村教师5万名左右", [(5, "万名", "=")]),
        ("遴选不少于300名青年科技人才", [(300, "名", ">=")]),
        ("试点城市分批确定，最多不超过三批", [(3, "批", "<=")]),
        ("每个省份至少两个试点", [(2, "个", ">=")]),
        ("建设一批示范项目", []),
    ],
)
def test_quantities_in_measure_text(text, expected):
    targets, _ = find_targets(text)
    assert [(t.value, t.unit, t.comparator) for t in targets] == expected


# --- whole documents --------------------------------------------------------------------------

STATE_COUNCIL = """国务院关于支持海南全面深化改革开放的若干措施
国发〔2022〕30号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
　　现就有关事项通知如下。
　　一、开展跨境服务贸易负面清单试点。（负责部门：商务部；适用范围：海南自贸港）
　　二、推动国际航行船舶保税加油业务发展。（负责部门：海关总署、交通运输部）
　　三、支持设立国际医疗旅游先行区。（负责部门：国家卫生健康委）探索开展真实世界数据研究。（负责部门：国家药监局、国家卫生健康委）
　　各有关部门要按照职责分工，抓紧制定具体实施办法。

国务院
2022年6月1日
"""


def test_top_level_measures_with_labelled_fields_and_a_closing_paragraph():
    plan = parse_text(STATE_COUNCIL)
    assert len(plan.tasks) == 1
    assert measures(plan) == [
        (
            "一、",
            "开展跨境服务贸易负面清单试点。（适用范围：海南自贸港）",
            [("商务部", None)],
            False,
        ),
        (
            "二、",
            "推动国际航行船舶保税加油业务发展。",
            [("海关总署", None), ("交通运输部", None)],
            False,
        ),
        ("三、", "支持设立国际医疗旅游先行区。", [("国家卫生健康委", None)], False),
        (
            "三、",
            "探索开展真实世界数据研究。",
            [("国家药监局", None), ("国家卫生健康委", None)],
            False,
        ),
    ]
    assert plan.doc_number == "国发〔2022〕30号"
    assert plan.issue_date == dt.date(2022, 6, 1)


MINISTRY = """关于推进养老服务体系建设的实施意见
民发〔2023〕12号

　　一、扩大服务供给
　　（一）发展社区养老服务，新建社区养老服务设施不少于500个。（民政部、国家发展改革委负责，列第一位者为牵头单位）
　　（二）培养养老护理员2万名左右。（人力资源社会保障部会同有关部门负责）
　　二、强化要素保障
　　（三）完善养老服务用地政策。（自然资源部牵头，住房城乡建设部、民政部参与）
　　（四）加强养老机构安全监管。（民政部、应急管理部指导）
"""


def test_roles_from_verbs_and_the_rule_stated_once_in_a_document():
    plan = parse_text(MINISTRY)
    assert [t.title for t in plan.tasks] == ["扩大服务供给", "强化要素保障"]
    assert [
        [(d.name, d.role) for d in m.departments if d.kind != "placeholder"] for m in plan.measures
    ] == [
        [("民政部", "lead"), ("国家发展改革委", None)],
        [("人力资源社会保障部", "lead")],
        [("自然资源部", "lead"), ("住房城乡建设部", "co"), ("民政部", "co")],
        [("民政部", "lead"), ("应急管理部", None)],
    ]
    assert [[(t.value, t.unit, t.comparator) for t in m.targets] for m in plan.measures] == [
        [(500, "个", ">=")],
        [(2, "万名", "=")],
        [],
        [],
    ]


FLATTENED = """泉州市2023年优化营商环境重点任务清单

序号
任务内容
工作进展
责任单位
1
企业开办时间压缩至1个工作日内。
已完成。
市市场监管局
2
推行“一件事一次办”，新增集成服务事项20项。
推进中。
市行政审批局、市数据管理局
"""


def test_a_table_flattened_one_cell_per_line():
    plan = parse_text(FLATTENED)
    assert plan.title == "泉州市2023年优化营商环境重点任务清单"
    assert [(m.text, [d.name for d in m.departments]) for m in plan.measures] == [
        ("企业开办时间压缩至1个工作日内。", ["市市场监管局"]),
        ("推行“一件事一次办”，新增集成服务事项20项。", ["市行政审批局", "市数据管理局"]),
    ]


ISSUER, NUMBER = "泉州市人民政府办公室", "泉政办〔2023〕7号"
TITLE = "关于印发泉州市加快数字乡村建设工作方案的通知"
REST = """各镇人民政府、街道办事处，市直有关单位：
　　《泉州市加快数字乡村建设工作方案》已经市政府同意，现印发给你们。请各责任单位于每季度末月20日前将进展情况报送市农业农村局。
2023年2月8日
泉州市加快数字乡村建设工作方案
序号\t工作任务\t责任单位\t完成时限
1\t建设益农信息社300个。\t市农业农村局、市商务局\t持续推进
2\t推进农村电商发展。\t市商务局\t2023年底前
"""


@pytest.mark.parametrize(
    "top",
    [
        [ISSUER, NUMBER, TITLE],
        [NUMBER, ISSUER, TITLE],
        [TITLE, ISSUER, NUMBER],
        [ISSUER, TITLE, NUMBER],
    ],
)
def test_header_fields_are_known_by_their_form_not_their_position(top):
    plan = parse_text("\n".join(top) + "\n" + REST)
    assert plan.title == "泉州市加快数字乡村建设工作方案"
    assert plan.doc_number == NUMBER
    assert plan.issuers == [ISSUER]
    assert plan.issue_date == dt.date(2023, 2, 8)
    assert plan.addressees == ["各镇人民政府", "街道办事处", "市直有关单位"]
    assert (plan.reporting.frequency, plan.reporting.due_day) == ("quarterly", 20)
    assert plan.report_to == "市农业农村局"
    assert [[d.name for d in m.departments] for m in plan.measures] == [
        ["市农业农村局", "市商务局"],
        ["市商务局"],
    ]


def test_the_issuer_opening_the_title_line():
    plan = parse_text(f"泉州市人民政府办公室{TITLE}\n{NUMBER}\n" + REST)
    assert plan.issuers == [ISSUER]
    assert plan.doc_number == NUMBER


def test_an_annotation_or_a_second_collective_stays_what_it_is():
    assert units("市发展改革委（以下简称市发改委）、市财政局") == [
        ("市发展改革委", None, "department"),
        ("市财政局", None, "department"),
    ]
    assert units("各区、各部门") == [("各区", None, "collective"), ("各部门", None, "collective")]


def test_a_unit_before_a_colon_is_no_field_label():
    assert [n for n, *_ in units("市商务局：牵头；市财政局、市统计局")] == [
        "市商务局",
        "市财政局",
        "市统计局",
    ]
