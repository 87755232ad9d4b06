"""The entries' quality flags (rules in `luoshi.reporting.quality`) and the stock phrases the
coordinators keep for them."""

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from luoshi.audit.services import record_change
from luoshi.lib.text import strip_control
from luoshi.orgs.models import User
from luoshi.plans.models import Target
from luoshi.reporting.models import Report, ReportEntry, StockPhrase, TargetActual
from luoshi.reporting.quality import EntryFacts, Rules, entry_flags


def quality_rules() -> Rules:
    return Rules(phrases=list(StockPhrase.objects.values_list("text", flat=True)))


def refresh_flags(report: Report, entries: list[ReportEntry] | None = None) -> None:
    """Compute and store the flags of `entries` (all the report's by default): last period's
    text is the department's previous report of the plan, the other texts are the other
    departments' entries on the same measures this period. Six queries, however many entries."""
    if entries is None:
        entries = list(report.entries.select_related("measure"))
    if not entries:
        return
    period = report.period
    measures = {e.measure_id for e in entries}
    previous = (
        Report.objects.filter(
            period__plan_id=period.plan_id,
            period__start__lt=period.start,
            organization_id=report.organization_id,
        )
        .order_by("-period__start")
        .first()
    )
    last = {}
    if previous is not None:
        last = dict(
            previous.entries.filter(measure_id__in=measures).values_list("measure_id", "progress")
        )
    others = defaultdict(list)
    rows = (
        ReportEntry.objects.filter(report__period=period, measure_id__in=measures)
        .exclude(report=report)
        .exclude(progress="")
        .values_list("measure_id", "progress")
    )
    for measure_id, text in rows:
        others[measure_id].append(text)
    # The targets the department must give an actual for: its own and those nobody owns.
    targets = defaultdict(set)
    for measure_id, target_id, owner in Target.objects.filter(measure_id__in=measures).values_list(
        "measure_id", "pk", "owner_id"
    ):
        if owner in (None, report.organization_id):
            targets[measure_id].add(target_id)
    given = defaultdict(set)
    for entry_id, target_id in TargetActual.objects.filter(entry__in=entries).values_list(
        "entry_id", "target_id"
    ):
        given[entry_id].add(target_id)
    rules = quality_rules()
    for entry in entries:
        facts = EntryFacts(
            text=entry.progress,
            status=entry.status,
            period_start=period.start,
            period_end=period.end,
            measure=entry.measure.text,
            last_text=last.get(entry.measure_id, ""),
            other_texts=others[entry.measure_id],
            has_targets=bool(targets[entry.measure_id]),
            actual_missing=bool(targets[entry.measure_id] - given[entry.pk]),
        )
        entry.flags = entry_flags(facts, rules) if entry.progress.strip() else []
    ReportEntry.objects.bulk_update(entries, ["flags"])


def _require_coordinator(user: User) -> None:
    if not user.is_coordinator:
        raise PermissionDenied


@transaction.atomic
def add_stock_phrase(user: User, text: str) -> StockPhrase:
    _require_coordinator(user)
    text = strip_control(text or "").strip()
    if not text or len(text) > StockPhrase._meta.get_field("text").max_length:
        raise ValidationError(_("A stock phrase has 1 to 40 characters."))
    try:
        with transaction.atomic():
            phrase = StockPhrase.objects.create(text=text, created_by=user)
    except IntegrityError:
        raise ValidationError(_("That phrase is already on the list.")) from None
    record_change(user, "create", phrase, {"text": {"old": None, "new": text}})
    return phrase


@transaction.atomic
def delete_stock_phrase(user: User, pk: int) -> None:
    _require_coordinator(user)
    phrase = StockPhrase.objects.filter(pk=pk).first()
    if phrase is None:
        return
    record_change(user, "delete", phrase, {"text": {"old": phrase.text, "new": None}})
    phrase.delete()
