"""The quality flags' rules on single texts (plain Python, no database); their precision and
recall on the labelled sets are in `make bench` (bench/entry_flags.py)."""

import datetime

from luoshi.reporting.quality import DEFAULT_PHRASES, EntryFacts, Rules, entry_flags

DECEMBER = (datetime.date(2026, 12, 1), datetime.date(2026, 12, 31))
RULES = Rules(phrases=DEFAULT_PHRASES)


def flags(text, status="in_progress", **facts):
    return entry_flags(EntryFacts(text, status, *DECEMBER, **facts), RULES)


def test_last_periods_text_with_a_comma_more_is_a_copy():
    last = "督促全市大型商超落实一次性塑料制品使用回收报告制度，抽查门店10家，责令整改1家。"
    text = "督促全市大型商超落实一次性塑料制品使用、回收报告制度，抽查门店10家，责令整改1家。"
    assert flags(text, last_text=last) == ["same_as_last"]


def test_the_same_sentence_with_this_months_figures_is_not_a_copy():
    last = "本月新增布放智能收投终端21组，累计达到268组；新建末端公共服务站5个，累计88个。"
    text = "本月新增布放智能收投终端18组，累计达到286组；新建末端公共服务站6个，累计94个。"
    assert flags(text, last_text=last) == []


def test_a_copy_of_another_departments_entry_is_flagged():
    text = "山亭区冷链物流中心一期项目完成投资1.2亿元，新增冷库库容2万吨。"
    assert flags(text, other_texts=["无关的文字。", text]) == ["same_as_other"]


def test_earlier_months_are_flagged_later_ones_and_ranges_are_not():
    assert flags("2026年11月，组织商超开展绿色商场创建自评6家。") == ["names_other_period"]
    assert flags("11月，联合市场监管局检查农贸市场9个，查处2户。") == ["names_other_period"]
    assert flags("2026年1-11月累计新增终端57组，预计2027年3月底前完工。") == []
    assert flags("11月底启动的促销活动于12月15日结束，参与企业14家。") == []


def test_stock_phrases_with_the_measures_own_words_and_no_fact_are_boilerplate():
    measure = "推进社区（村）生活垃圾分类投放设施配备，完善回收网络。"
    text = "扎实推进垃圾分类工作，认真落实各项措施，工作取得积极进展。"
    assert flags(text, measure=measure) == ["boilerplate"]
    # The same phrases around a fact are not.
    fact = "扎实推进垃圾分类工作，本月改造投放点32个，更换分类桶480组。"
    assert flags(fact, measure=measure) == []


def test_status_and_text_must_agree_both_ways():
    assert flags("申报材料已报送，目前正在等待省级评审结果公布。", "done") == ["status_mismatch"]
    assert flags("评选活动已圆满完成，3项产品入选国家推荐目录。", "not_started") == [
        "status_mismatch"
    ]
    assert flags("评选活动已全部完成，3项产品入选国家推荐目录。", "done") == []


def test_targets_want_figures_and_actuals_and_short_texts_are_flagged():
    text = "协调快递企业加密布放智能收投终端，整体进度符合预期，按计划推进。"
    assert flags(text, has_targets=True) == ["no_figures"]
    assert flags("本月新增终端15组，新建服务站3个。", has_targets=True, actual_missing=True) == [
        "missing_actual"
    ]
    assert flags("正常推进。") == ["too_short"]
