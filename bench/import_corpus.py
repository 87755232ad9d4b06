"""The importer measured against plans whose expectations were written by hand.

    .venv/bin/python bench/import_corpus.py [DIR]

`bench/corpus/` holds documents of different layouts and formats, each with
`<name>.expected.json` written from the document's text alone (never from the parser's output):
the number of key tasks, and per measure a few words of it (`key`), its departments, its lead
departments and its targets (value, unit, comparator). `import_accuracy.py` compares the
importer with JSON generated from its own output, a regression guard; this is the measure.

Per field, over all documents:
- measures found: expected measures whose key words are in a parsed measure (extra: parsed
  measures matching none, such as a closing paragraph read as a measure);
- departments: measures whose set of named units is exactly the expected one (placeholders such
  as 有关部门, which a coordinator resolves, are left out on both sides);
- leads: measures whose set of lead departments is exactly the expected one ([] when the
  document does not say);
- targets: measures whose targets are exactly the expected (value, unit, comparator) list;
- tasks: documents with the expected number of key tasks;
- header: header fields (title, 文号, issuers, date, 主送, reporting rule) given in the
  expectation that came out as written.

A missing measure counts against every measure field. An entry with `produce` is made at bench
time from its source text (a scanned PDF, an OFD file); a format the importer cannot read yet
is reported as such and counted as nothing found, in the first total, and left out of the
second.
"""

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from luoshi.importing import ParseError  # noqa: E402
from luoshi.importing.sources import UnreadableFile, parse_document  # noqa: E402

CORPUS = ROOT / "bench" / "corpus"
FIELDS = ("measures", "departments", "leads", "targets", "tasks", "header")


class NotReadableYet(Exception):
    pass


def _scanned(source: str) -> bytes:
    from luoshi import testing  # noqa: PLC0415 (python-docx, Pillow: only for produced entries)

    for program in ("soffice", "pdftoppm"):
        if not shutil.which(program):
            raise NotReadableYet(f"{program} is not installed")
    # Every page as a picture at 200 dpi, as an office scanner makes one.
    pdf = testing.pdf_from_docx(testing.docx_from_text(source))
    return testing.scanned_pdf(pdf, first=1, last=99, dpi=200)


def _ofd(source: str) -> bytes:
    from luoshi import testing  # noqa: PLC0415

    return testing.ofd_from_text(source)


PRODUCERS = {"scanned": _scanned, "ofd": _ofd}


def document_bytes(directory: Path, expected: dict) -> bytes:
    produce = expected.get("produce")
    if not produce:
        return (directory / expected["document"]).read_bytes()
    source = (directory / produce["from"]).read_text(encoding="utf-8")
    return PRODUCERS[produce["as"]](source)


def _names(measure: dict, lead: bool = False) -> frozenset:
    return frozenset(
        d["name"]
        for d in measure["departments"]
        if d["kind"] != "placeholder" and (not lead or d["role"] == "lead")
    )


def _targets(targets) -> list:
    return sorted((float(value), unit, comparator) for value, unit, comparator in targets)


def match_measures(parsed: list[dict], expected: list[dict]) -> list[dict | None]:
    """For each expected measure, the first parsed one (not yet taken) holding its key."""
    taken: set[int] = set()
    found = []
    for want in expected:
        hit = next(
            (i for i, m in enumerate(parsed) if i not in taken and want["key"] in m["text"]), None
        )
        if hit is not None:
            taken.add(hit)
        found.append(parsed[hit] if hit is not None else None)
    return found


def header_fields(plan: dict) -> dict:
    reporting = plan.get("reporting") or {}
    return {
        "title": plan["title"],
        "doc_number": plan["doc_number"],
        "issuers": plan["issuers"],
        "issue_date": plan["issue_date"],
        "addressees": plan["addressees"],
        "report_to": plan["report_to"],
        "frequency": reporting.get("frequency"),
        "due_day": reporting.get("due_day"),
    }


def score(plan: dict | None, expected: dict) -> dict[str, tuple[int, int]]:
    """(right, out of) per field for one document; `plan` is None when it could not be read."""
    want = expected["measures"]
    parsed = [m for task in plan["tasks"] for m in task["measures"]] if plan else []
    found = match_measures(parsed, want)
    pairs = [(have, need) for have, need in zip(found, want, strict=True) if have is not None]
    header = expected.get("header", {})
    got_header = header_fields(plan) if plan else {}
    return {
        "measures": (len(pairs), len(want)),
        "extra": (len(parsed) - len(pairs), 0),
        "departments": (
            sum(_names(h) == frozenset(n["departments"]) for h, n in pairs),
            len(want),
        ),
        "leads": (sum(_names(h, lead=True) == frozenset(n["lead"]) for h, n in pairs), len(want)),
        "targets": (
            sum(
                _targets((t["value"], t["unit"], t["comparator"]) for t in h["targets"])
                == _targets(n["targets"])
                for h, n in pairs
            ),
            len(want),
        ),
        "tasks": (int(bool(plan) and len(plan["tasks"]) == expected["tasks"]), 1),
        "header": (sum(got_header.get(k) == v for k, v in header.items()), len(header)),
    }


def read(directory: Path, expected: dict) -> tuple[dict | None, str]:
    """The parsed plan as JSON, or None and why not ("not readable yet: …" for a format)."""
    try:
        data = document_bytes(directory, expected)
        plan, _ = parse_document(expected["document"], data)
    except NotReadableYet as error:
        return None, f"not readable yet: {error}"
    except UnreadableFile as error:
        return None, f"not readable yet: {error}"
    except ParseError as error:
        return None, f"parse error: {error}"
    return plan.to_dict(), ""


def _cell(right: int, out_of: int) -> str:
    percent = 100 * right / out_of if out_of else 100.0
    return f"{right}/{out_of} {percent:5.1f}%"


def main(argv: list[str]) -> int:
    directory = Path(argv[1]) if len(argv) > 1 else CORPUS
    expectations = sorted(directory.glob("*.expected.json"))
    if not expectations:
        print(f"no expectation in {directory}")
        return 1
    width = max(len(path.name.removesuffix(".expected.json")) for path in expectations) + 2
    print("Import accuracy on the hand-written corpus (bench/corpus)")
    print(f"{'document':<{width}}" + "".join(f"{f:>16}" for f in FIELDS) + f"{'extra':>7}")
    everything = {field: [0, 0] for field in FIELDS}
    readable = {field: [0, 0] for field in FIELDS}
    notes = []
    for path in expectations:
        expected = json.loads(path.read_text(encoding="utf-8"))
        plan, problem = read(directory, expected)
        result = score(plan, expected)
        name = path.name.removesuffix(".expected.json")
        for field in FIELDS:
            counted = (
                (everything,) if problem.startswith("not readable") else (everything, readable)
            )
            for totals in counted:
                totals[field][0] += result[field][0]
                totals[field][1] += result[field][1]
        row = "".join(f"{_cell(*result[f]):>16}" for f in FIELDS)
        print(f"{name:<{width}}{row}{result['extra'][0]:>7}")
        if problem:
            notes.append(f"{name}: {problem}")
    for label, totals in (("all", everything), ("readable", readable)):
        print(f"{label:<{width}}" + "".join(f"{_cell(*totals[f]):>16}" for f in FIELDS))
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
