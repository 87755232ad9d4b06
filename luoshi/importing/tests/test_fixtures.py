"""Every fixture plan, one per layout, reads exactly as its expected JSON says."""

import json
from pathlib import Path

import opencc
import pytest

from luoshi.importing import parse_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PLANS = sorted(FIXTURES.glob("*.txt"))
LAYOUTS = {
    "table_deadline_columns": "a) table with 序号, lead/co and 完成时限 columns",
    "table_no_task_column": "a) tables without a task column under numbered headings",
    "prose_bracketed_departments": "b) departments in brackets after each measure",
    "prose_department_lines": "c) 牵头单位：/配合单位：/责任单位： lines",
    "prose_four_levels": "d) four levels, one department line covering sub-items",
    "prose_traditional": "e) traditional-character copy of the bracketed plan",
}


def test_every_layout_has_a_fixture_with_its_expected_plan():
    assert {path.stem for path in PLANS} >= set(LAYOUTS)
    for path in PLANS:
        assert path.with_name(path.stem + ".expected.json").exists()


@pytest.mark.parametrize("path", PLANS, ids=lambda path: path.stem)
def test_fixture_parses_to_its_expected_json(path):
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text("utf-8"))
    assert parse_text(path.read_text(encoding="utf-8")).to_dict() == expected


@pytest.mark.parametrize(
    ("original", "title"),
    [
        ("prose_bracketed_departments", "濰坊市加快新能源汽車推廣應用實施方案"),
        ("table_deadline_columns", "濟寧市促進服務消費提質擴容工作分工方案"),
    ],
)
def test_traditional_copy_reads_as_the_simplified_original_apart_from_its_words(original, title):
    def shape(data: dict) -> list:
        return [
            [
                (m["label"], m["path"], m["departments"], m["needs_review"], m["deadline"])
                + tuple((t["value"], t["unit"], t["comparator"]) for t in m["targets"])
                for m in task["measures"]
            ]
            for task in data["tasks"]
        ]

    text = (FIXTURES / f"{original}.txt").read_text("utf-8")
    simplified = parse_text(text)
    traditional = parse_text(opencc.OpenCC("s2twp").convert(text))
    assert shape(traditional.to_dict()) == shape(simplified.to_dict())
    assert traditional.title == title
    assert traditional.measures[0].text != simplified.measures[0].text


def test_the_benchs_expectation_for_the_seed_is_what_the_importer_reads():
    root = Path(__file__).resolve().parents[3]
    seed = root / "luoshi" / "plans" / "seed" / "zaozhuang-2022-243.txt"
    expected = json.loads((root / "bench" / "zaozhuang-2022-243.expected.json").read_text("utf-8"))
    assert parse_text(seed.read_text(encoding="utf-8")).to_dict() == expected
