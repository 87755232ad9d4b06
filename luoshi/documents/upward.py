"""Reporting up in the same deployment (issue 23): a city unit's report on the province's plan,
drafted from what the city accepted on the measures carrying out each province measure.

The report is an ordinary report of the unit the province plan assigns (枣庄市发展改革委, a unit
of 枣庄市). For each of its entries, the measures carrying it out are the measures of the plans of
the unit's own region whose `parent` is the entry's measure (the city plan; the districts' plans
answer the city, see `luoshi.reporting.rollup`). Their progress is read in the latest period of
their plan starting within the report's period (monthly both: the same month), from reports the
city accepted only, the lead department's entry first. Each child measure gives one line:

    （落实措施十、2.）市邮政管理局：建成末端公共服务站12个。

its sentences cleaned as the brief's rule 1 says (`brief.sentences_of`: leading dates and
我局 dropped), each sentence once. An entry already written is never overwritten; an entry
whose measure nothing carries out is left alone. The text is saved through
`reporting.services.save_entry`, so versions, flags and the audit work as when typed.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.documents.brief import sentences_of
from luoshi.orgs.models import Organization, User
from luoshi.plans.models import Assignment, Measure
from luoshi.reporting import services as reporting
from luoshi.reporting.models import Report, ReportEntry


class DraftRefused(Exception):
    """Nothing can be drafted; the message says why."""


@dataclass
class Drafted:
    """Province measure codes, in the report's order, by what happened to their entry."""

    filled: list[str] = field(default_factory=list)  # written from the accepted progress
    kept: list[str] = field(default_factory=list)  # already had a text: left as written
    waiting: list[str] = field(default_factory=list)  # carried out, nothing accepted yet
    alone: list[str] = field(default_factory=list)  # nothing of the region carries it out


def region_of(report: Report) -> int | None:
    """The region the report's unit belongs to (the region itself when it reports)."""
    unit = report.organization
    return unit.pk if unit.kind == Organization.Kind.REGION else unit.parent_id


def _children(report: Report, measure_ids) -> dict[int, list[Measure]]:
    """{report measure id: the measures of the unit's region's plans carrying it out}."""
    found: dict[int, list[Measure]] = {}
    children = (
        Measure.objects.filter(parent__in=measure_ids, key_task__plan__region=region_of(report))
        .exclude(key_task__plan=report.period.plan_id)
        .select_related("key_task")
        .order_by("key_task__plan_id", "key_task__no", "no")
    )
    for child in children:
        found.setdefault(child.parent_id, []).append(child)
    return found


def _accepted_texts(report: Report, children: list[Measure]) -> dict[int, list[tuple[str, str]]]:
    """{child measure id: [(department, progress)]} accepted in the latest period of the child's
    plan that starts within the report's period (monthly in both: the same month; a quarter
    upward: its latest month with accepted progress), the lead department's first, then by
    department name."""
    rows = (
        ReportEntry.objects.filter(
            measure__in=children,
            report__period__start__gte=report.period.start,
            report__period__start__lte=report.period.end,
            report__status=Report.Status.ACCEPTED,
        )
        .exclude(progress="")
        .order_by("measure_id", "-report__period__start", "report__organization__name")
        .values_list(
            "measure_id", "report__period__start", "role", "report__organization__name", "progress"
        )
    )
    latest: dict[int, list[tuple[str, str, str]]] = {}
    month: dict[int, object] = {}
    for measure_id, start, role, name, progress in rows:
        if month.setdefault(measure_id, start) == start:
            latest.setdefault(measure_id, []).append((role, name, progress))
    return {
        pk: [(name, text) for role, name, text in sorted(found, key=_lead_first)]
        for pk, found in latest.items()
    }


def _lead_first(row) -> bool:
    return row[0] != Assignment.Role.LEAD  # stable: names stay in order behind


def child_line(child: Measure, texts: list[tuple[str, str]]) -> str:
    """（落实措施十、2.）市邮政管理局：…。市市场监管局：…。 — each sentence once."""
    seen, parts = set(), []
    for name, progress in texts:
        sentences = []
        for sentence in sentences_of(progress):
            body = sentence.rstrip("。！？；!?;")
            if body not in seen:
                seen.add(body)
                sentences.append(body + "。")
        if sentences:
            parts.append(f"{name}：{''.join(sentences)}")
    if not parts:
        return ""
    label = _("Implementing measure")  # 落实措施
    return f"（{label}{child.code}）{''.join(parts)}"


@transaction.atomic
def draft_from_below(user: User, report: Report) -> Drafted:
    """Fill the report's empty entries from the accepted progress of the region's measures
    carrying them out; whoever may edit the report may (its department's reporter or head).
    Raises DraftRefused when the report cannot be changed or nothing carries out its measures."""
    if not reporting.can_edit(user, report):
        raise DraftRefused(_("This report cannot be changed now, so nothing was drafted into it."))
    report = reporting.start_draft(user, report)
    entries = list(
        report.entries.select_related("measure__key_task").order_by(
            "measure__key_task__no", "measure__no"
        )
    )
    children = _children(report, [e.measure_id for e in entries])
    if not children:
        raise DraftRefused(
            _(
                "No measure of this report is carried out by a measure of your region's plans: "
                "there is nothing to draft from."
            )
        )
    texts = _accepted_texts(report, [c for found in children.values() for c in found])
    done = Drafted()
    for entry in entries:
        entry.report = report  # as locked and started, not read again per entry
        code = entry.measure.code
        if entry.measure_id not in children:
            done.alone.append(code)
            continue
        lines = [child_line(c, texts.get(c.pk, [])) for c in children[entry.measure_id]]
        text = "\n".join(line for line in lines if line)
        if not text:
            done.waiting.append(code)
        elif entry.progress.strip():
            done.kept.append(code)
        else:
            try:
                reporting.save_entry(user, entry, {"progress": text}, entry.version)
            except reporting.EditConflict:  # saved by someone meanwhile: theirs stays
                done.kept.append(code)
            else:
                done.filled.append(code)
    return done
