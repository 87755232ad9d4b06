"""The report exchange file between deployments (docs/report-json.md, "luoshi-report/1").

A lower level's luoshi exports a submitted report as JSON; the upper level's coordinator imports
it as that unit's report on the upper plan, after checking it matches the plan, a period and a
unit the plan assigns, measure by measure. Nothing is imported unless everything matches.
"""

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.audit.services import record_change, record_event
from luoshi.lib import clock
from luoshi.orgs.models import Organization, User
from luoshi.plans.lineage import normalize_doc_number
from luoshi.plans.models import Assignment, Measure, Plan
from luoshi.reporting.models import ImportedReport, Period, Report, ReportEntry, TargetActual

FORMAT = "luoshi-report/1"
# An exchange file is text: a city's monthly report is tens of kilobytes.
MAX_BYTES = 1024 * 1024
EXPORTABLE = (Report.Status.SUBMITTED, Report.Status.ACCEPTED)
TEXTS = ("progress", "behind_reason", "problems", "next_steps", "no_new_progress_reason")


class ExchangeError(Exception):
    """The file cannot be imported: `messages` say why, in the user's language."""

    def __init__(self, messages: list[str]):
        super().__init__(messages)
        self.messages = messages


def _name(user) -> str:
    return (user.display_name or user.get_username()) if user else ""


def _moment(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _region_of(org: Organization) -> str:
    parent = org.parent
    return parent.name if parent is not None else ""


# --- Export ----------------------------------------------------------------------------------


def export_report(user: User, report: Report) -> dict:
    """`report` (submitted or accepted, else ExchangeError) as an exchange file; audited."""
    if report.status not in EXPORTABLE:
        raise ExchangeError([_("Only a submitted report can be exported as a report file.")])
    plan, period, unit = report.period.plan, report.period, report.organization
    entries = report.entries.select_related("measure__key_task").prefetch_related(
        "actuals__target", "attachments"
    )
    imported = ImportedReport.objects.filter(report=report).first()
    drafted = imported.drafted_by_name if imported else _name(report.drafted_by)
    signed = imported.signed_off_by_name if imported else _name(report.signed_off_by)
    data = {
        "format": FORMAT,
        "plan": {
            "doc_number": plan.doc_number,
            "title": plan.title,
            "region": plan.region.name,
        },
        "unit": {"name": unit.name, "full_name": unit.full_name, "region": _region_of(unit)},
        "period": {
            "month": f"{period.start:%Y-%m}",
            "label": period.label,
            "due_date": period.due_date.isoformat(),
        },
        "entries": [_entry_data(entry) for entry in entries],
        "signatures": {
            "drafted_by": drafted,
            "signed_off_by": signed,
            "signed_off_at": _moment(
                imported.signed_off_at if imported else report.resubmitted_at or report.submitted_at
            ),
            "submitted_at": _moment(report.submitted_at),
        },
        "generated_by": _name(user),
        "generated_at": _moment(clock.now()),
    }
    record_event(
        user,
        "export",
        object_type="reporting.report",
        object_id=str(report.pk),
        object_repr=f"{unit.name} {period.label}",
        changes={"format": FORMAT},
    )
    return data


def _entry_data(entry: ReportEntry) -> dict:
    return {
        "measure": entry.measure.code,
        "measure_text": entry.measure.text,
        "role": entry.role,
        "status": entry.status,
        **{name: getattr(entry, name) for name in ("progress", "behind_reason")},
        "no_new_progress": entry.no_new_progress,
        "no_new_progress_reason": entry.no_new_progress_reason,
        "problems": entry.problems,
        "next_steps": entry.next_steps,
        "actuals": [
            {
                "target": actual.target.text,
                "unit": actual.target.unit,
                "value": f"{actual.value.normalize():f}",
            }
            for actual in entry.actuals.all()
        ],
        "evidence": [attachment.download_name for attachment in entry.attachments.all()],
    }


def file_name(data: dict) -> str:
    return f"{data['unit']['name']}-{data['period']['label']}-上报.json"


# --- Import ----------------------------------------------------------------------------------


def read_file(raw: bytes) -> dict:
    """The file's JSON (UTF-8), else ExchangeError."""
    if len(raw) > MAX_BYTES:
        raise ExchangeError([_("The file is too large for a report file (at most 1 MB).")])
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ExchangeError([_("The file is not UTF-8 text: it is not a report file.")]) from None
    except ValueError:
        raise ExchangeError([_("The file is not valid JSON: it is not a report file.")]) from None
    if not isinstance(data, dict) or "format" not in data:
        raise ExchangeError([_("The file is JSON but not a report file (it has no format).")])
    if data["format"] != FORMAT:
        raise ExchangeError(
            [
                _("The file's format is %(found)s; this system reads %(format)s.")
                % {"found": str(data["format"])[:40], "format": FORMAT}
            ]
        )
    return data


@dataclass
class Preview:
    """What an import would write: the report, and one row per entry."""

    plan: Plan
    period: Period
    unit: Organization
    report: Report | None
    rows: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    submitted_at: datetime.datetime | None = None
    late: bool = False


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _aware(value) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else None


def _section(data: dict, key: str) -> dict:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ExchangeError([_("The report file has no %(part)s section.") % {"part": key}])
    return value


def check_file(plan: Plan, data: dict) -> Preview:
    """What importing `data` into `plan` would write, else ExchangeError listing every mismatch."""
    plan_data, unit_data = _section(data, "plan"), _section(data, "unit")
    period_data, signatures = _section(data, "period"), _section(data, "signatures")
    doc_number = _text(plan_data.get("doc_number"))
    if not doc_number or normalize_doc_number(doc_number) != normalize_doc_number(plan.doc_number):
        raise ExchangeError(
            [
                _("The file reports on %(number)s, not on this plan (%(own)s).")
                % {"number": doc_number or "—", "own": plan.doc_number or "—"}
            ]
        )
    period = _period(plan, _text(period_data.get("month")))
    unit = _unit(plan, unit_data)
    submitted_at = _aware(signatures.get("submitted_at"))
    if submitted_at is None:
        raise ExchangeError([_("The report file does not say when the report was submitted.")])
    preview = Preview(
        plan, period, unit, Report.objects.filter(period=period, organization=unit).first()
    )
    preview.submitted_at = submitted_at
    preview.late = clock.local_date(submitted_at) > period.due_date
    _check_report_state(preview, data)
    _check_entries(preview, data.get("entries"))
    return preview


def _period(plan: Plan, month: str) -> Period:
    match = re.fullmatch(r"(\d{4})-(\d{2})", month)
    period = None
    if match:
        start = datetime.date(int(match[1]), int(match[2]), 1) if 1 <= int(match[2]) <= 12 else None
        period = plan.periods.filter(start=start).first() if start else None
    if period is None:
        raise ExchangeError(
            [_("This plan has no reporting period %(month)s.") % {"month": month[:20] or "—"}]
        )
    return period


def _unit(plan: Plan, unit_data: dict) -> Organization:
    """The organization the plan assigns that the file's unit is: by any of its names, a member
    of a collective the plan assigns (各市人民政府 → 枣庄市人民政府), or the file's region
    when the plan assigns the region itself (枣庄市)."""
    names = {_text(unit_data.get("name")), _text(unit_data.get("full_name"))} - {""}
    region = _text(unit_data.get("region"))
    assigned = (
        Organization.objects.filter(assignments__measure__key_task__plan=plan)
        .exclude(kind=Organization.Kind.PLACEHOLDER)
        .select_related("parent")
        .prefetch_related("members__parent")
        .distinct()
    )
    candidates = []
    for org in assigned:
        candidates += [
            org,
            *(org.members.all() if org.kind == Organization.Kind.COLLECTIVE else []),
        ]

    def named(org):
        return bool(names & set(org.names))

    def is_region(org):
        return org.kind == Organization.Kind.REGION and region in (org.name, org.full_name)

    found = [org for org in candidates if named(org) or is_region(org)]
    # A unit by its name before the region; the same name in two regions: the file's region's.
    found.sort(key=lambda org: (not named(org), _region_of(org) != region))
    if not found:
        raise ExchangeError(
            [
                _("%(unit)s is not a unit this plan assigns measures to.")
                % {"unit": "、".join(sorted(names)) or "—"}
            ]
        )
    return found[0]


def _check_report_state(preview: Preview, data: dict) -> None:
    report = preview.report
    if report is None or report.status in Report.EDITABLE:
        if report is not None and report.status == Report.Status.RETURNED:
            preview.warnings.append(_("The returned report will be replaced by this file."))
        return
    imported = ImportedReport.objects.filter(report=report).first()
    if imported is not None and imported.sha256 == digest(data):
        message = _("This file was already imported on %(when)s.") % {
            "when": f"{timezone.localtime(imported.imported_at):%Y-%m-%d %H:%M}"
        }
    else:
        message = _(
            "%(unit)s's report for %(period)s is already %(state)s: only a returned report "
            "can be replaced."
        ) % {
            "unit": preview.unit.name,
            "period": preview.period.label,
            "state": report.get_status_display(),
        }
    raise ExchangeError([message])


def _check_entries(preview: Preview, entries) -> None:
    if not isinstance(entries, list) or not entries:
        raise ExchangeError([_("The report file has no entries.")])
    # Its own assignments, and those of the collectives it is a member of.
    roles = dict(
        Assignment.objects.filter(measure__key_task__plan=preview.plan)
        .filter(Q(organization=preview.unit) | Q(organization__members=preview.unit))
        .values_list("measure_id", "role")
    )
    measures = {
        measure.code: measure
        for measure in Measure.objects.filter(key_task__plan=preview.plan)
        .select_related("key_task")
        .prefetch_related("targets")
    }
    errors, statuses = [], set(ReportEntry.Status.values)
    for item in entries:
        item = item if isinstance(item, dict) else {}
        code = _text(item.get("measure"))
        measure = measures.get(code)
        if measure is None:
            errors.append(_("Measure %(code)s is not in this plan.") % {"code": code or "—"})
            continue
        if measure.pk not in roles:
            errors.append(
                _("Measure %(code)s is not assigned to %(unit)s in this plan.")
                % {"code": code, "unit": preview.unit.name}
            )
            continue
        if item.get("status") not in statuses:
            errors.append(
                _("Measure %(code)s: the status is not one this system knows.") % {"code": code}
            )
            continue
        actuals = _actuals(measure, item.get("actuals") or [], errors)
        if _text(item.get("measure_text")).strip() != measure.text.strip():
            preview.warnings.append(
                _("Measure %(code)s reads differently in the file; check it is the same measure.")
                % {"code": code}
            )
        preview.rows.append(
            {
                "measure": measure,
                "role": roles[measure.pk],
                "item": item,
                "status": ReportEntry.Status(item["status"]).label,
                "actuals": actuals,
            }
        )
    if errors:
        raise ExchangeError(errors)


def _actuals(measure: Measure, actuals, errors: list[str]) -> list[tuple]:
    found = []
    for actual in actuals if isinstance(actuals, list) else []:
        actual = actual if isinstance(actual, dict) else {}
        target = next(
            (
                t
                for t in measure.targets.all()
                if t.text == actual.get("target") and t.unit == _text(actual.get("unit"))
            ),
            None,
        )
        try:
            value = Decimal(str(actual.get("value")))
        except InvalidOperation:
            value = None
        if target is None or value is None or not value.is_finite():
            errors.append(
                _("Measure %(code)s: the target %(target)s or its value does not match this plan.")
                % {"code": measure.code, "target": _text(actual.get("target"))[:60] or "—"}
            )
            continue
        found.append((target, value))
    return found


def imported_files(plan: Plan):
    """The files imported into `plan`, newest first, for its import page."""
    return (
        ImportedReport.objects.filter(report__period__plan=plan)
        .select_related("report__organization", "report__period", "imported_by")
        .order_by("-imported_at")
    )


def digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@transaction.atomic
def import_file(user: User, plan: Plan, data: dict, name: str) -> Report:
    """Write the unit's report for the period from `data` (checked again here), submitted."""
    preview = check_file(plan, data)
    report = preview.report
    if report is None:
        report = Report.objects.create(period=preview.period, organization=preview.unit)
    report = Report.objects.select_for_update().get(pk=report.pk)
    old_status = report.status
    for row in preview.rows:
        item = row["item"]
        entry, _created = ReportEntry.objects.update_or_create(
            report=report,
            measure=row["measure"],
            defaults={
                "role": row["role"],
                "status": item["status"],
                "no_new_progress": item.get("no_new_progress") is True,
                **{name: _text(item.get(name)) for name in TEXTS},
                "updated_at": clock.now(),
                "updated_by": user,
            },
        )
        entry.actuals.all().delete()
        TargetActual.objects.bulk_create(
            TargetActual(entry=entry, target=target, value=value)
            for target, value in row["actuals"]
        )
    fields = {"status": Report.Status.SUBMITTED, "drafted_by": None, "signed_off_by": None}
    if report.submitted_at is None:
        fields.update(submitted_at=preview.submitted_at, late=preview.late)
    else:
        fields["resubmitted_at"] = preview.submitted_at
    Report.objects.filter(pk=report.pk).update(**fields)
    signatures = data["signatures"]
    ImportedReport.objects.update_or_create(
        report=report,
        defaults={
            "file_name": name[:255],
            "sha256": digest(data),
            "drafted_by_name": _text(signatures.get("drafted_by"))[:100],
            "signed_off_by_name": _text(signatures.get("signed_off_by"))[:100],
            "signed_off_at": _aware(signatures.get("signed_off_at")),
            "data": data,
            "imported_at": clock.now(),
            "imported_by": user,
        },
    )
    record_change(
        user,
        "import report file",
        report,
        {"status": {"old": old_status, "new": "submitted"}, "file": {"old": None, "new": name}},
    )
    report.refresh_from_db()
    return report
