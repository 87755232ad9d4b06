"""The accuracy bench counts what differs from the expected plan, field by field."""

import copy
import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = ROOT / "luoshi" / "importing" / "tests" / "fixtures" / "prose_department_lines"


def bench():
    spec = importlib.util.spec_from_file_location(
        "import_accuracy", ROOT / "bench" / "import_accuracy.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expected() -> dict:
    return json.loads(FIXTURE.with_suffix(".expected.json").read_text(encoding="utf-8"))


def test_a_plan_equal_to_its_expectation_scores_full_marks():
    data = expected()
    assert bench().score(data, data) == {
        "tasks": (1, 1),
        "measures": (1, 1),
        "departments": (7, 7),
        "lead": (7, 7),
        "targets": (7, 7),
        "deadlines": (7, 7),
    }


def test_each_difference_costs_its_own_field():
    want = expected()
    got = copy.deepcopy(want)
    first = got["tasks"][0]["measures"][0]
    first["departments"][0]["role"] = None  # lead lost, department set kept
    first["deadline"] = None
    got["tasks"][1]["measures"][0]["targets"] = []
    result = bench().score(got, want)
    assert result["departments"] == (7, 7)
    assert result["lead"] == (6, 7)
    assert result["deadlines"] == (6, 7)
    assert result["targets"] == (6, 7)


def test_a_missing_measure_and_a_failed_parse_count_against_every_field():
    want = expected()
    got = copy.deepcopy(want)
    del got["tasks"][2]["measures"][0]
    result = bench().score(got, want)
    assert result["measures"] == (0, 1)
    assert result["departments"] == (6, 7)
    assert bench().score(None, want)["departments"] == (0, 7)


def test_documents_are_those_with_an_expected_json_beside_them(tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a.expected.json").write_text("{}", encoding="utf-8")
    (tmp_path / "b.docx").write_bytes(b"")
    assert bench().documents(tmp_path) == [(tmp_path / "a.txt", tmp_path / "a.expected.json")]
