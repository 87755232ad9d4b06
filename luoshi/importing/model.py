"""The parsed plan: what every importer returns, before anything touches the database.

These dataclasses are the documented JSON contract of `import_plan --dry-run --format json`
(see docs/import-json.md). Keep `to_dict()` in step with that document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ROLES = ("lead", "co")  # None means the plan does not say (按职责分工负责)
KINDS = ("department", "collective", "placeholder")
FREQUENCIES = ("monthly", "quarterly", "half-yearly", "yearly", "once")
COMPARATORS = (">=", ">", "=", "<", "<=")


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class ParsedDepartment:
    name: str  # canonical short name as plans write it, aliases folded (市发展改革委)
    role: str | None = None  # "lead" / "co" / None
    kind: str = "department"  # "department" / "collective" / "placeholder"

    def to_dict(self) -> dict:
        return {"name": self.name, "role": self.role, "kind": self.kind}


@dataclass
class ParsedTarget:
    text: str  # the words of the measure the target was read from
    value: int | float
    unit: str
    comparator: str
    deadline: dt.date | None = None

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "value": self.value,
            "unit": self.unit,
            "comparator": self.comparator,
            "deadline": _date(self.deadline),
        }


@dataclass
class ParsedMeasure:
    no: int  # counts from 1 inside its task, in document order
    label: str  # numbering as written: "1、", "3."
    text: str  # the measure without its label
    path: list[str] = field(default_factory=list)  # labels of groups between task and measure
    departments: list[ParsedDepartment] = field(default_factory=list)
    needs_review: bool = False
    deadline: dt.date | None = None
    targets: list[ParsedTarget] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "no": self.no,
            "label": self.label,
            "path": list(self.path),
            "text": self.text,
            "departments": [d.to_dict() for d in self.departments],
            "needs_review": self.needs_review,
            "deadline": _date(self.deadline),
            "targets": [t.to_dict() for t in self.targets],
        }


@dataclass
class ParsedTask:
    no: int  # counts from 1 in document order
    label: str  # "一、"
    title: str  # without its label
    measures: list[ParsedMeasure] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "no": self.no,
            "label": self.label,
            "title": self.title,
            "measures": [m.to_dict() for m in self.measures],
        }


@dataclass
class ReportingRule:
    frequency: str  # one of FREQUENCIES
    due_day: int | None  # day of the month the report is due, None when not stated
    due_offset_months: int  # 0: due within its own period (每月28日前); 1: next month (次月5日前)
    text: str  # the rule as written

    def to_dict(self) -> dict:
        return {
            "frequency": self.frequency,
            "due_day": self.due_day,
            "due_offset_months": self.due_offset_months,
            "text": self.text,
        }


@dataclass
class ParsedPlan:
    title: str
    doc_number: str | None = None
    issue_date: dt.date | None = None
    issuers: list[str] = field(default_factory=list)
    report_to: str | None = None
    reporting: ReportingRule | None = None
    parent_documents: list[str] = field(default_factory=list)
    addressees: list[str] = field(default_factory=list)
    tasks: list[ParsedTask] = field(default_factory=list)

    @property
    def measures(self) -> list[ParsedMeasure]:
        return [m for t in self.tasks for m in t.measures]

    def department_names(self) -> list[str]:
        """Distinct real departments (kind "department"), in order of first appearance."""
        seen: dict[str, None] = {}
        for measure in self.measures:
            for dep in measure.departments:
                if dep.kind == "department":
                    seen.setdefault(dep.name)
        return list(seen)

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "doc_number": self.doc_number,
            "issue_date": _date(self.issue_date),
            "issuers": list(self.issuers),
            "report_to": self.report_to,
            "reporting": self.reporting.to_dict() if self.reporting else None,
            "parent_documents": list(self.parent_documents),
            "addressees": list(self.addressees),
            "tasks": [t.to_dict() for t in self.tasks],
        }
