"""Publishing to the public portal: snapshots of a plan and its accepted progress per period.

`snapshot()` reads only what the public may see: the plan's header as issued, key tasks,
measures, responsible departments, targets with the owner's accepted actual, and the progress
text and status of accepted reports. Never drafts, comments, return reasons, problems, staff
names or attachments; phone numbers, e-mail addresses and the names of luoshi's own staff in
progress text are masked however written (separators, full-width digits, +86, area codes,
ID-card numbers), while its figures never are.
"""

import csv
import datetime
import io
import re
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.http import Http404
from django.utils.translation import gettext as _

from luoshi.audit.services import record_change
from luoshi.lib import clock
from luoshi.lib.text import spreadsheet_safe
from luoshi.orgs.models import Organization, User
from luoshi.plans.access import get_plan_for_coordinator, require_plan_coordinator
from luoshi.plans.models import Assignment, KeyTask, Measure, Plan, Target
from luoshi.portal.models import Publication
from luoshi.reporting.builder import SAMPLE_MARK
from luoshi.reporting.models import Period, Report, ReportEntry, TargetActual

FORMAT_VERSION = 1


def role_label(role: str) -> str:
    """牵头 / 配合 as the plan says; nothing when it does not say."""
    if role in (Assignment.Role.LEAD, Assignment.Role.CO):
        return str(Assignment.Role(role).label)
    return ""


# What counts as a number in free text: any decimal digit (`\d` takes full-width ０-９ too),
# with at most one separator between two digits (138-0013-8000, 138 0013 8000, １３８－…).
# A dot is not a separator, so amounts (1234.5万元) stay out; a number is never cut out of a
# longer one, so counts (12345678元), dates and 文号 (〔2022〕243号) are never masked.
_SEP = r"[-－‐–—\s]?"
_PREFIX = rf"(?:(?:[+＋]|[0０]{{2}}){_SEP}[8８][6６]{_SEP}|[(（][+＋]?[8８][6６][)）]\s?)"


def _digits(count: int) -> str:
    return rf"\d(?:{_SEP}\d){{{count - 1}}}"


# ID-card numbers, mobile and landline numbers (with +86 / 0086, an area code in brackets or
# not, an extension), a bare local number after 电话 / 手机 / 传真…, e-mail addresses, and
# "联系人：某某" in free text. The longest forms come first.
_MASKS = [
    (
        re.compile(rf"(?<![\dA-Za-z])[1-9１-９]{_SEP}{_digits(16)}{_SEP}[\dXxＸｘ](?![\dA-Za-z])"),
        "",
    ),
    (re.compile(rf"(?<!\d){_PREFIX}?[1１]{_SEP}[3-9３-９]{_SEP}{_digits(9)}(?!\d)"), ""),
    (
        re.compile(
            rf"(?<!\d)(?:{_PREFIX}[(（]?[0０]?|[(（]?[0０])[1-9１-９]\d{{1,2}}(?:[)）]\s?|{_SEP})"
            rf"[1-9１-９](?:{_SEP}\d){{6,7}}(?:\s?(?:[-－转]|分机|ext\.?)\s?\d{{1,6}})?(?!\d)"
        ),
        "",
    ),
    (
        re.compile(
            rf"((?:电话|手机|座机|传真|热线|分机)(?:号码?)?[:：]?\s?)\d(?:{_SEP}\d){{6,7}}(?!\d)"
        ),
        r"\1",
    ),
    (re.compile(r"[\w.+-]+[@＠][\w-]+(?:\.[\w-]+)+"), ""),
    (re.compile(r"((?:联系人|联系电话|经办人|负责人)[:：]?\s*)[^\s，。；、,;]{1,12}"), r"\1"),
]


# A person's name as accounts hold it: two to four Han characters (张伟, 欧阳明华).
_PERSONAL_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")


def staff_names() -> list[str]:
    """The names of luoshi's own staff (accounts' display names that are personal names),
    longest first: reporters often write who did the work, and the portal must not say it."""
    names = {
        name
        for name in User.objects.exclude(display_name="").values_list("display_name", flat=True)
        if _PERSONAL_NAME.fullmatch(name)
    }
    return sorted(names, key=lambda name: (-len(name), name))


def mask_contacts(text: str, names: list[str] = ()) -> str:
    """Masks ID-card and phone numbers however written, e-mail addresses, "联系人：…" and the
    given staff names; the figures of progress text are left as they are."""
    for pattern, kept in _MASKS:
        text = pattern.sub(kept + "＊＊＊", text)
    if names:
        text = re.sub("|".join(map(re.escape, names)), "＊＊＊", text)
    return text


def _number(value) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def _date(value) -> str | None:
    return value.isoformat() if value else None


def snapshot(plan: Plan, period: Period) -> dict:
    """The public data of `plan` for `period` (a constant number of queries)."""
    tasks = list(KeyTask.objects.filter(plan=plan).order_by("no"))
    measures = defaultdict(list)
    measure_rows = (
        Measure.objects.filter(key_task__plan=plan)
        .select_related("key_task")
        .order_by("key_task__no", "no")
    )
    for measure in measure_rows:
        measures[measure.key_task_id].append(measure)
    departments = defaultdict(list)
    for measure_id, name, role in (
        Assignment.objects.filter(measure__key_task__plan=plan)
        .exclude(organization__kind=Organization.Kind.PLACEHOLDER)
        .order_by("measure", "position", "pk")
        .values_list("measure_id", "organization__name", "role")
    ):
        departments[measure_id].append({"name": name, "role": role, "role_label": role_label(role)})
    targets = defaultdict(list)
    for target in Target.objects.filter(measure__key_task__plan=plan, confirmed=True).order_by(
        "position", "pk"
    ):
        targets[target.measure_id].append(target)
    actuals = dict(
        TargetActual.objects.filter(
            target__measure__key_task__plan=plan,
            entry__report__organization=F("target__owner"),
            entry__report__status=Report.Status.ACCEPTED,
            entry__report__period__start__lte=period.start,
        )
        .order_by("entry__report__period__start")
        .values_list("target_id", "value")
    )
    progress, names, sample = defaultdict(list), staff_names(), False
    for measure_id, name, status, text in (
        ReportEntry.objects.filter(report__period=period, report__status=Report.Status.ACCEPTED)
        .order_by("measure", "report__organization__name")
        .values_list("measure_id", "report__organization__name", "status", "progress")
    ):
        progress[measure_id].append(
            {
                "department": name,
                "status": status,
                "status_label": str(ReportEntry.Status(status).label),
                "progress": mask_contacts(text, names),
            }
        )
        sample = sample or text.startswith(SAMPLE_MARK)
    counts = Report.objects.filter(period=period).aggregate(
        expected=Count("pk"),
        accepted=Count("pk", filter=Q(status=Report.Status.ACCEPTED)),
    )
    return {
        "format": FORMAT_VERSION,
        # Reports the builder made for the demo (marked 【示例数据】), whoever publishes them:
        # the portal says so on every page of the period.
        "sample": sample,
        "plan": {
            "title": plan.title,
            "doc_number": plan.doc_number,
            "issuers": list(plan.issuers or []),
            "issue_date": _date(plan.issue_date),
            "parent_documents": list(plan.parent_documents or []),
            "coordinator": plan.coordinator.name if plan.coordinator else "",
            "report_rule": plan.report_rule_text,
        },
        "period": {
            "label": period.label,
            "start": _date(period.start),
            "end": _date(period.end),
            "due_date": _date(period.due_date),
        },
        "reports": counts,
        "tasks": [
            {
                "label": task.label,
                "title": task.title,
                "measures": [_measure(m, departments, targets, actuals, progress) for m in ms],
            }
            for task in tasks
            if (ms := measures.get(task.pk))
        ],
    }


def _measure(measure: Measure, departments, targets, actuals, progress) -> dict:
    return {
        "code": measure.code,
        "label": measure.label,
        "text": measure.text,
        "deadline": _date(measure.deadline),
        "closed": measure.closed_at is not None,
        "departments": departments.get(measure.pk, []),
        "targets": [
            {
                "text": t.text,
                "comparator": t.comparator,
                "value": _number(t.value),
                "unit": t.unit,
                "deadline": _date(t.deadline),
                "actual": _number(actuals.get(t.pk)),
            }
            for t in targets.get(measure.pk, [])
        ],
        "progress": progress.get(measure.pk, []),
    }


# --- Publishing -------------------------------------------------------------------------------


def publishable_periods(plan: Plan, today: datetime.date | None = None):
    """Periods already begun, newest first, with how many reports are accepted in each."""
    today = today or clock.today()
    return (
        Period.objects.filter(plan=plan, start__lte=today)
        .annotate(
            expected=Count("reports"),
            accepted=Count("reports", filter=Q(reports__status=Report.Status.ACCEPTED)),
        )
        .order_by("-start")
    )


def get_period_to_publish(user: User, plan_pk: int, period_pk: int) -> Period:
    plan = get_plan_for_coordinator(user, plan_pk)
    period = (
        Period.objects.select_related("plan__coordinator").filter(plan=plan, pk=period_pk).first()
    )
    if period is None:
        raise Http404("no such period")
    return period


@transaction.atomic
def publish(user: User | None, period: Period) -> Publication:
    """Publish the plan's data for `period` as it stands now (coordinator; None: the demo).

    A period already published is replaced: the older publication is withdrawn in the same
    transaction, so the portal always shows one version of a period. Audited.
    """
    plan = period.plan
    if user is not None:
        require_plan_coordinator(user, plan)
    now = clock.now()
    for old in Publication.objects.select_for_update().filter(
        period=period, withdrawn_at__isnull=True
    ):
        old.withdrawn_at, old.withdrawn_by = now, user
        old.save(update_fields=["withdrawn_at", "withdrawn_by"])
        record_change(user, "withdraw", old, {"replaced": {"old": None, "new": True}})
    data = snapshot(plan, period)
    publication = Publication.objects.create(
        plan=plan, period=period, data=data, published_at=now, published_by=user
    )
    record_change(
        user,
        "publish",
        publication,
        {
            "period": {"old": None, "new": period.label},
            "accepted reports": {"old": None, "new": data["reports"]["accepted"]},
        },
    )
    return publication


def get_publication_to_manage(user: User, pk: int) -> Publication:
    publication = Publication.objects.select_related("plan", "period").filter(pk=pk).first()
    if publication is None:
        raise Http404("no such publication for this user")
    require_plan_coordinator(user, publication.plan)
    return publication


@transaction.atomic
def withdraw(user: User, publication: Publication) -> Publication:
    """Take a publication off the portal (coordinator); a second click changes nothing."""
    require_plan_coordinator(user, publication.plan)
    updated = Publication.objects.filter(pk=publication.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=clock.now(), withdrawn_by=user
    )
    publication.refresh_from_db()
    if updated:
        record_change(user, "withdraw", publication, {"withdrawn": {"old": False, "new": True}})
    return publication


def publications_of(plan: Plan):
    return Publication.objects.filter(plan=plan).select_related(
        "period", "published_by", "withdrawn_by"
    )


# --- What the public reads --------------------------------------------------------------------


def live():
    return Publication.objects.filter(withdrawn_at__isnull=True)


def version_stamp() -> str:
    """Changes whenever something is published or withdrawn: the cache key of the portal."""
    stamp = Publication.objects.aggregate(
        n=Count("pk"), last=Max("pk"), published=Max("published_at"), withdrawn=Max("withdrawn_at")
    )
    parts = [stamp["n"], stamp["last"], stamp["published"], stamp["withdrawn"]]
    return "-".join(str(p.timestamp()) if hasattr(p, "timestamp") else str(p) for p in parts)


def published_plans() -> list[Publication]:
    """The latest live publication of every plan that has one, newest plan first."""
    latest = {}
    for publication in live().select_related("period").order_by("plan", "-period__start"):
        latest.setdefault(publication.plan_id, publication)
    return sorted(
        latest.values(),
        key=lambda p: (p.data["plan"].get("issue_date") or "", p.plan_id),
        reverse=True,
    )


def get_live_publication(pk: int) -> Publication:
    publication = live().select_related("period").filter(pk=pk).first()
    if publication is None:
        raise Http404("no such publication")
    return publication


def latest_for_plan(plan_pk: int) -> Publication:
    publication = (
        live().select_related("period").filter(plan=plan_pk).order_by("-period__start").first()
    )
    if publication is None:
        raise Http404("nothing published for this plan")
    return publication


def other_periods(publication: Publication) -> list[tuple[int, str]]:
    """(publication id, period label) of the plan's live publications, newest first."""
    return list(
        live()
        .filter(plan=publication.plan_id)
        .order_by("-period__start")
        .values_list("pk", "period__label")
    )


# --- Open data --------------------------------------------------------------------------------


def csv_rows(data: dict):
    """One row per measure and department that reported (or per measure when none did)."""
    yield [
        _("Key task"),
        _("Measure number"),
        _("Measure"),
        _("Deadline"),
        _("Responsible departments"),
        _("Targets"),
        _("Period"),
        _("Department"),
        _("Status"),
        _("Progress"),
    ]
    label = data["period"]["label"]
    actual = _("actual")
    for task in data["tasks"]:
        for measure in task["measures"]:
            departments = "、".join(
                d["name"] + (f"（{d['role_label']}）" if d.get("role_label") else "")
                for d in measure["departments"]
            )
            targets = "；".join(
                f"{t['text']}（{actual} {t['actual']}{t['unit']}）"
                if t["actual"] is not None
                else t["text"]
                for t in measure["targets"]
            )
            head = [
                f"{task['label']}{task['title']}",
                measure["code"],
                measure["text"],
                measure["deadline"] or "",
                departments,
                targets,
                label,
            ]
            if not measure["progress"]:
                yield [*head, "", "", ""]
            for item in measure["progress"]:
                yield [*head, item["department"], item["status_label"], item["progress"]]


def to_csv(data: dict) -> str:
    """The publication as CSV, with a UTF-8 byte order mark so Excel reads the Chinese."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in csv_rows(data))
    return out.getvalue()
