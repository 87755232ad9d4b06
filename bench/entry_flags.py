"""Precision and recall of the entry quality flags on a hand-labelled set.

    .venv/bin/python bench/entry_flags.py [--json]

bench/entry_flags.json holds realistic progress-report entries for measures of the seed plan
(good ones and each kind of weak one), each with its measure, whether the measure has targets
and one lacks its actual, last period's text, other departments' texts this period, the status,
the text and the flags a person expects. The set was written and committed before the flag code
(luoshi/reporting/quality.py), which runs here with its default rules; the rules were then
written with that set in view. bench/entry_flags_holdout.json was written after the rules and
never used to change them: its figures are the fairer estimate.
"""

import datetime
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from luoshi.reporting.quality import (  # noqa: E402
    DEFAULT_PHRASES,
    FLAGS,
    EntryFacts,
    Rules,
    entry_flags,
)

SET = ROOT / "bench" / "entry_flags.json"
HOLDOUT = ROOT / "bench" / "entry_flags_holdout.json"
# The labelled set's period: 2026年12月.
PERIOD = (datetime.date(2026, 12, 1), datetime.date(2026, 12, 31))


def measure(path: Path = SET) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    rules = Rules(phrases=DEFAULT_PHRASES)
    counts = {flag: {"tp": 0, "fp": 0, "fn": 0} for flag in FLAGS}
    good = clean = 0
    wrong = []
    for item in data["entries"]:
        facts = EntryFacts(
            text=item["text"],
            status=item["status"],
            period_start=PERIOD[0],
            period_end=PERIOD[1],
            measure=item["measure"],
            last_text=item["last"],
            other_texts=item["others"],
            has_targets=bool(item["targets"]),
            actual_missing=item["actuals_missing"],
        )
        got, expected = set(entry_flags(facts, rules)), set(item["expected"])
        for flag in FLAGS:
            if flag in got and flag in expected:
                counts[flag]["tp"] += 1
            elif flag in got:
                counts[flag]["fp"] += 1
            elif flag in expected:
                counts[flag]["fn"] += 1
        if not expected:
            good += 1
            clean += not got
        if got != expected:
            wrong.append({"id": item["id"], "expected": sorted(expected), "got": sorted(got)})
    per_flag = {}
    for flag, c in counts.items():
        found, labelled = c["tp"] + c["fp"], c["tp"] + c["fn"]
        per_flag[flag] = {
            **c,
            "precision": round(c["tp"] / found, 3) if found else None,
            "recall": round(c["tp"] / labelled, 3) if labelled else None,
        }
    return {
        "set": path.name,
        "entries": len(data["entries"]),
        "good_entries": good,
        # Of the entries a person finds fine, the share the flags leave alone.
        "good_unflagged": round(clean / good, 3) if good else None,
        "flags": per_flag,
        "mismatches": wrong,
    }


def table(result: dict) -> str:
    lines = [
        f"entry flags on {result['entries']} labelled entries of {result['set']} "
        f"({result['good_entries']} good: {result['good_unflagged']:.0%} left unflagged)",
        f"  {'flag':20} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8}",
    ]
    for flag, f in result["flags"].items():
        lines.append(
            f"  {flag:20} {f['tp']:>4} {f['fp']:>4} {f['fn']:>4} "
            f"{f['precision'] if f['precision'] is not None else '-':>10} "
            f"{f['recall'] if f['recall'] is not None else '-':>8}"
        )
    for item in result["mismatches"]:
        lines.append(f"  #{item['id']}: expected {item['expected']}, got {item['got']}")
    return "\n".join(lines)


def measure_all() -> dict:
    return {"labelled": measure(SET), "holdout": measure(HOLDOUT)}


if __name__ == "__main__":
    outcome = measure_all()
    if "--json" in sys.argv:
        print(json.dumps(outcome, ensure_ascii=False))
    else:
        print("\n".join(table(result) for result in outcome.values()))
