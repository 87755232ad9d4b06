"""Accuracy of the importer on documents whose expected plan is known.

    .venv/bin/python bench/import_accuracy.py [DIR]

Reads every document in DIR (.txt, .docx, .pdf, .xlsx…) that has `<name>.expected.json` beside
it (the JSON contract of docs/import-json.md), parses it with `parse_file` and prints, per
document and overall, how many of each field came out as expected: the task count, the
measure count, and per measure (in document order) its department set, its lead departments,
its targets (value, unit, comparator, deadline) and its deadline. Without DIR: the importer's
test fixtures and the seed plan.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from luoshi.importing import ParseError  # noqa: E402
from luoshi.importing.sources import parse_file  # noqa: E402

FIXTURES = ROOT / "luoshi" / "importing" / "tests" / "fixtures"
SEED = ROOT / "luoshi" / "plans" / "seed" / "zaozhuang-2022-243.txt"
SEED_EXPECTED = ROOT / "bench" / "zaozhuang-2022-243.expected.json"
FIELDS = ("tasks", "measures", "departments", "lead", "targets", "deadlines")


def documents(directory: Path) -> list[tuple[Path, Path]]:
    """(document, expected JSON) for every document of a directory with an expectation."""
    found = []
    for path in sorted(directory.iterdir()):
        if path.name.endswith(".expected.json") or not path.is_file():
            continue
        expected = path.with_name(path.stem + ".expected.json")
        if expected.exists():
            found.append((path, expected))
    return found


def _measures(plan: dict) -> list[dict]:
    return [m for task in plan["tasks"] for m in task["measures"]]


def _departments(measure: dict) -> frozenset:
    return frozenset(d["name"] for d in measure["departments"])


def _lead(measure: dict) -> frozenset:
    return frozenset(d["name"] for d in measure["departments"] if d["role"] == "lead")


def _targets(measure: dict) -> list:
    return sorted(
        (t["value"], t["unit"], t["comparator"], t["deadline"] or "") for t in measure["targets"]
    )


def score(got: dict | None, expected: dict) -> dict[str, tuple[int, int]]:
    """(right, out of) per field; measures are compared in document order."""
    want = _measures(expected)
    have = _measures(got) if got else []
    total = max(len(want), len(have))
    result = {
        "tasks": (int(bool(got) and len(got["tasks"]) == len(expected["tasks"])), 1),
        "measures": (int(bool(got) and len(have) == len(want)), 1),
    }
    for field, read in (
        ("departments", _departments),
        ("lead", _lead),
        ("targets", _targets),
        ("deadlines", lambda m: m["deadline"]),
    ):
        right = sum(read(a) == read(b) for a, b in zip(have, want, strict=False))
        result[field] = (right, total)
    return result


def _parse(path: Path) -> tuple[dict | None, str]:
    try:
        parsed = parse_file(path)
    except (ParseError, Exception) as error:  # noqa: BLE001 - a bench reports every failure
        return None, f"{type(error).__name__}: {error}"
    plan = parsed[0] if isinstance(parsed, tuple) else parsed
    return plan.to_dict(), ""


def _cell(right: int, out_of: int) -> str:
    percent = 100 * right / out_of if out_of else 100.0
    return f"{right}/{out_of} {percent:5.1f}%"


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        pairs = documents(Path(argv[1]))
    else:
        pairs = documents(FIXTURES) + [(SEED, SEED_EXPECTED)]
    if not pairs:
        print("no document with an expected JSON beside it")
        return 1
    width = max(len(path.name) for path, _ in pairs)
    print(f"{'document':<{width}}  " + "  ".join(f"{f:>16}" for f in FIELDS))
    totals = {field: [0, 0] for field in FIELDS}
    failures = []
    for path, expected_path in pairs:
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        got, error = _parse(path)
        if error:
            failures.append(f"{path.name}: {error}")
        result = score(got, expected)
        for field, (right, out_of) in result.items():
            totals[field][0] += right
            totals[field][1] += out_of
        print(f"{path.name:<{width}}  " + "  ".join(f"{_cell(*result[f]):>16}" for f in FIELDS))
    print(f"{'overall':<{width}}  " + "  ".join(f"{_cell(*totals[f]):>16}" for f in FIELDS))
    for failure in failures:
        print("failed:", failure)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
