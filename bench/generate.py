"""The benchmark's data: a city, or a province slice, with three years of monthly reports.

City: the seed's region (枣庄市) with 40 departments, 20 plans of 75 measures (1,500), 36
monthly periods. Province slice: 150 organizations (区县) under 山东省, 40 departments each;
every plan assigns each measure to the same departments in 10 of them, so it has 10× the
city's reports and entries.

The plans, their periods and expected reports come from the real services
(`ensure_periods`), and one plan's latest periods are filled by the reporting cycle's
builder (`build_reports`: drafts, saves, sign-off, returns, acceptance, all audited). The
rest is bulk-inserted with the same invariants: one report per department × period, one entry
per measure the department is assigned to (from the first draft on), version 2 and one
"change" audit record per filled entry, a "start draft", "submit for sign-off", "sign off"
and "accept" record per step a report went through, each with its digest.
"""

import datetime
import json
import random
import time
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from types import SimpleNamespace

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from luoshi.audit.models import AuditRecord, digest_of
from luoshi.audit.services import record_change
from luoshi.lib import clock
from luoshi.orgs.data import DIRECTORY
from luoshi.orgs.models import Organization, User
from luoshi.orgs.services import load_directory
from luoshi.plans.models import Assignment, KeyTask, Measure, Plan, Target
from luoshi.plans.seed import SEED
from luoshi.reporting import calendar, services
from luoshi.reporting.builder import (
    ACTIONS,
    BEHIND_REASONS,
    NEXT_STEPS,
    PROBLEMS,
    RESULTS,
    build_reports,
)
from luoshi.reporting.models import PlanSchedule, Report, ReportEntry, TargetActual

# The 40 departments of a unit, the city's own names first (load_directory makes 32 of them).
DEPARTMENTS = [
    "发展改革局",
    "工业和信息化局",
    "住房城乡建设局",
    "商务局",
    "市场监管局",
    "机关事务服务中心",
    "教育局",
    "科技局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "交通运输局",
    "水务局",
    "农业农村局",
    "文化和旅游局",
    "卫生健康委",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "国资委",
    "统计局",
    "医疗保障局",
    "城市管理局",
    "行政审批服务局",
    "大数据中心",
    "地方金融监管局",
    "信访局",
    "体育局",
    "林业局",
    "供销社",
    "气象局",
    "税务局",
    "邮政管理局",
    "总工会",
    "妇联",
    "团委",
]
EXTRA_CITY = [f"市{name}" for name in DEPARTMENTS]
PREFIXES = "东西南北中高新平安青阳河山泉林"
SUFFIXES = ["城区", "山县", "河县", "阳市", "平县", "安区", "宁县", "丰县", "川区", "州市"]
VERBS = ["深入推进", "加快实施", "大力发展", "持续开展", "健全完善", "积极培育", "统筹推进"]
OBJECTS = [
    "绿色低碳消费行动",
    "县域商业体系建设",
    "新能源汽车推广应用",
    "城市一刻钟便民生活圈建设",
    "农产品冷链物流设施建设",
    "老旧小区改造",
    "数字化转型示范工程",
    "公共充电基础设施建设",
    "家政服务提质扩容",
    "夜间经济集聚区建设",
    "文旅消费新场景培育",
    "绿色建筑推广",
    "再生资源回收网络建设",
    "农村电商服务站点建设",
    "社区养老服务设施建设",
]
MANNERS = [
    "明确责任分工和时间节点，确保各项任务落地见效",
    "加强政策支持和要素保障，形成工作合力",
    "建立工作台账，实行清单化管理、销号式推进",
    "强化督导调度，定期通报工作进展情况",
]
SOURCE_TEXT = SEED.read_text(encoding="utf-8")
UNITS = [("个", 50, 500), ("家", 10, 120), ("亿元", 5, 80), ("万平方米", 10, 200), ("%", 60, 98)]


@dataclass
class Scale:
    name: str
    plans: int = 20
    measures_per_plan: int = 75
    periods: int = 36
    units: int = 1  # organizations with 40 departments each (city: the city itself)
    units_per_plan: int = 1


SCALES = {
    "city": Scale("city"),
    "province": Scale("province", units=150, units_per_plan=10),
}
QUICK = {
    "city": Scale("city", plans=4, periods=12),
    "province": Scale("province", plans=4, periods=12, units=30, units_per_plan=10),
}


def cn_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def _city_units(rng) -> tuple[Organization, Organization, list[list[Organization]]]:
    region = load_directory(DIRECTORY)
    departments = list(
        Organization.objects.filter(parent=region, kind=Organization.Kind.DEPARTMENT)
    )
    taken = {d.name for d in departments} | {a for d in departments for a in d.aliases}
    extra = [name for name in EXTRA_CITY if name not in taken][: 40 - len(departments)]
    Organization.objects.bulk_create(
        Organization(
            parent=region,
            kind=Organization.Kind.DEPARTMENT,
            name=name,
            full_name=region.name + name[1:],
        )
        for name in extra
    )
    departments = list(
        Organization.objects.filter(parent=region, kind=Organization.Kind.DEPARTMENT).order_by("id")
    )[:40]
    coordinator = next(d for d in departments if d.name == "市发展改革委")
    departments.remove(coordinator)
    departments.insert(0, coordinator)
    return region, coordinator, [departments]


def _province_units(scale: Scale) -> tuple[Organization, Organization, list[list[Organization]]]:
    province = Organization.objects.create(
        kind=Organization.Kind.REGION, name="山东省", full_name="山东省"
    )
    coordinator = Organization.objects.create(
        parent=province,
        kind=Organization.Kind.DEPARTMENT,
        name="省发展改革委",
        full_name="山东省发展和改革委员会",
    )
    names = [p + s for s in SUFFIXES for p in PREFIXES][: scale.units]
    counties = Organization.objects.bulk_create(
        Organization(parent=province, kind=Organization.Kind.REGION, name=name, full_name=name)
        for name in names
    )
    counties = list(Organization.objects.filter(parent=province, kind=Organization.Kind.REGION))
    Organization.objects.bulk_create(
        Organization(
            parent=county,
            kind=Organization.Kind.DEPARTMENT,
            name=name,
            full_name=county.name + name,
        )
        for county in counties
        for name in DEPARTMENTS
    )
    by_county = {}
    for dep in Organization.objects.filter(
        parent__in=counties, kind=Organization.Kind.DEPARTMENT
    ).order_by("id"):
        by_county.setdefault(dep.parent_id, []).append(dep)
    return province, coordinator, [by_county[c.pk] for c in counties]


def measure_assignments(measure, unit: list, lead: int, co: list[int]) -> list[Assignment]:
    """A generated measure's lead department (`unit[lead]`) and co departments."""
    return [Assignment(measure=measure, organization=unit[lead], role="lead", position=0)] + [
        Assignment(measure=measure, organization=unit[i], role="co", position=j + 1)
        for j, i in enumerate(co)
    ]


def measure_target(measure, target: tuple, owner) -> Target:
    """A generated measure's confirmed target (`_measure_text`'s text, value, unit)."""
    text, value, unit = target
    return Target(
        measure=measure,
        text=text,
        value=value,
        unit=unit,
        comparator=">=",
        kind=Target.kind_for(">=", unit),
        owner=owner,
        confirmed=True,
    )


def _measure_text(rng, n: int) -> tuple[str, tuple | None]:
    text = f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}，{rng.choice(MANNERS)}"
    target = None
    if rng.random() < 0.3:
        unit, low, high = rng.choice(UNITS)
        value = rng.randint(low, high)
        target = (f"到{2026 + n % 2}年底达到{value}{unit}", Decimal(value), unit)
        text += f"，{target[0]}"
    return text + "。", target


def _plans(rng, scale: Scale, region, coordinator, units, today) -> list[Plan]:
    """The plans with tasks, measures, assignments and targets (bulk), audited as imports."""
    # Lead departments are skewed, as in real plans: a few departments lead many measures.
    weights = [1 / (i + 1) ** 0.8 for i in range(40)]
    plans = []
    for p in range(scale.plans):
        plan = Plan.objects.create(
            title=f"关于印发《{rng.choice(OBJECTS)}三年行动方案（{p + 1}）》分工方案的通知",
            doc_number=f"基准发〔2024〕{p + 1}号",
            issuers=[region.full_name or region.name],
            issue_date=today - datetime.timedelta(days=1200),
            region=region,
            coordinator=coordinator,
            report_frequency=Plan.Frequency.MONTHLY,
            report_due_day=28,
            report_rule_text="每月28日前将工作进展情况报送牵头单位",
            # A real plan keeps its document's text (the seed's is about 8,000 characters).
            source_name="bench.txt",
            source_text=SOURCE_TEXT,
        )
        plan_units = [
            units[(p * scale.units_per_plan + k) % len(units)] for k in range(scale.units_per_plan)
        ]
        tasks = KeyTask.objects.bulk_create(
            KeyTask(plan=plan, no=t + 1, label=f"{cn_number(t + 1)}、", title=rng.choice(OBJECTS))
            for t in range(5)
        )
        per_task = scale.measures_per_plan // len(tasks)
        measures, targets, roles = [], [], []
        for task in tasks:
            for n in range(per_task):
                text, target = _measure_text(rng, n)
                measures.append(Measure(key_task=task, no=n + 1, label=f"{n + 1}、", text=text))
                lead = rng.choices(range(40), weights)[0]
                co = rng.sample([i for i in range(40) if i != lead], rng.choice([0, 1, 1, 2]))
                roles.append((lead, co))
                targets.append(target)
        measures = Measure.objects.bulk_create(measures)
        assignments, target_rows = [], []
        for measure, (lead, co), target in zip(measures, roles, targets, strict=True):
            for unit in plan_units:
                assignments += measure_assignments(measure, unit, lead, co)
            if target:
                target_rows.append(measure_target(measure, target, plan_units[0][lead]))
        Assignment.objects.bulk_create(assignments, batch_size=5000)
        Target.objects.bulk_create(target_rows)
        record_change(
            None,
            "import",
            plan,
            {
                "measures": {"old": None, "new": len(measures)},
                "source": {"old": None, "new": "bench"},
            },
        )
        plans.append(plan)
    return plans


def _schedules(plans, scale: Scale, today):
    start = calendar.add_months(today.replace(day=1), -(scale.periods - 1))
    end = calendar.add_months(today.replace(day=1), 1) - datetime.timedelta(days=1)
    PlanSchedule.objects.bulk_create(
        PlanSchedule(plan=plan, tracking_start=start, tracking_end=end) for plan in plans
    )
    for plan in plans:
        services.ensure_periods(plan, today)


def _accounts(units, coordinator) -> tuple[User, dict[int, tuple[User, User]]]:
    """A reporter and an approver for every department (bulk; unusable passwords)."""
    deps = [d for unit in units for d in unit]
    have = {(u.organization_id, u.role): u for u in User.objects.filter(organization__in=deps)}
    new = []
    for d in deps:
        for role, suffix in ((User.Role.REPORTER, "r"), (User.Role.APPROVER, "a")):
            if (d.pk, role) not in have:
                new.append(
                    User(
                        username=f"bench-{d.pk}-{suffix}",
                        role=role,
                        organization=d,
                        display_name=f"{d.name}{'填报人' if suffix == 'r' else '审核人'}",
                        password="!",
                    )
                )
    User.objects.bulk_create(new, batch_size=5000)
    users = {
        (u.organization_id, u.role): u
        for u in User.objects.filter(organization__in=deps).select_related("organization")
    }
    for u in users.values():
        u.bench_org = u.organization.name
    coord = User.objects.filter(organization=coordinator, role=User.Role.COORDINATOR).first()
    if coord is None:
        coord = User.objects.create(
            username="bench-coordinator",
            role=User.Role.COORDINATOR,
            organization=coordinator,
            display_name="统筹单位",
            password="!",
        )
    coord.bench_org = coordinator.name
    return coord, {
        d.pk: (users[(d.pk, User.Role.REPORTER)], users[(d.pk, User.Role.APPROVER)]) for d in deps
    }


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class _Rows:
    """Rows of one table written with COPY (PostgreSQL) or executemany (SQLite), ids assigned
    here: a million rows through model instances would not fit in the time `make bench` has."""

    def __init__(self, model):
        self.model = model
        self.fields = model._meta.concrete_fields
        self.next_id = (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.rows = []

    def add(self, **values) -> int:
        values["id"] = pk = self.next_id
        self.next_id += 1
        self.rows.append(values)
        return pk

    def flush(self):
        if not self.rows:
            return
        defaults = {}
        for f in self.fields:
            defaults[f.attname] = None if f.null or f.primary_key else f.get_default()
        sqlite = connection.vendor == "sqlite"
        convert = {}
        for f in self.fields:
            if isinstance(f, models.DateTimeField) and sqlite:
                convert[f.attname] = connection.ops.adapt_datetimefield_value
            elif isinstance(f, models.JSONField):
                convert[f.attname] = partial(json.dumps, cls=DjangoJSONEncoder, ensure_ascii=False)
        names = [f.attname for f in self.fields]
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)

        def values(row):
            out = []
            for name in names:
                value = row.get(name, defaults[name])
                if name in convert and value is not None:
                    value = convert[name](value)
                out.append(value)
            return out

        with connection.cursor() as cursor:
            if sqlite:
                marks = ", ".join(["%s"] * len(names))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                    [values(row) for row in self.rows],
                )
            else:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(values(row))
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{self.model._meta.db_table}', 'id'),"
                    f" (SELECT MAX(id) FROM {table}))"
                )
        self.rows = []


def _audit(rows: _Rows, user, action, obj_type, obj_id, obj_repr, changes, at):
    """An audit record as record_change writes it, with its digest."""
    record = SimpleNamespace(
        at=at,
        user_id=user.pk,
        username=user.username,
        organization=user.bench_org,
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        object_repr=obj_repr[:300],
        changes=changes,
    )
    rows.add(**vars(record), digest=digest_of(record))


def _fill(rng, plans, units, coordinator, today, skip_reports):
    """Bulk the reports nobody has touched, with the builder's mix of outcomes."""
    coord, users = _accounts(units, coordinator)
    orgs = {d.pk: d for unit in units for d in unit}
    totals = {"reports": 0, "entries": 0}
    for plan in plans:
        expected = {}
        for measure_id, org_id, role in Assignment.objects.filter(
            measure__key_task__plan=plan
        ).values_list("measure_id", "organization_id", "role"):
            expected.setdefault(org_id, []).append((measure_id, role))
        measures = {
            m.pk: m
            for m in Measure.objects.filter(key_task__plan=plan)
            .select_related("key_task")
            .prefetch_related("targets")
        }
        with transaction.atomic():
            made = _fill_plan(
                rng, plan, skip_reports, today, expected, measures, users, coord, orgs
            )
        for key in totals:
            totals[key] += made[key]
    return totals


REPORT_FIELDS = [
    "status",
    "drafted_by_id",
    "updated_at",
    "sent_for_signoff_at",
    "signed_off_by_id",
    "submitted_at",
    "late",
    "accepted_by_id",
    "accepted_at",
]


def _fill_plan(rng, plan, skip_reports, today, expected, measures, users, coord, orgs):
    entries, actuals, audit = _Rows(ReportEntry), _Rows(TargetActual), _Rows(AuditRecord)
    updates = []
    periods = list(plan.periods.order_by("start"))
    to_fill = Report.objects.filter(period__in=periods, status=Report.Status.NOT_STARTED)
    by_period = {p.pk: p for p in periods}
    sqlite = connection.vendor == "sqlite"
    when = connection.ops.adapt_datetimefield_value if sqlite else (lambda v: v)
    for report_id, period_id, org_id in to_fill.values_list("pk", "period_id", "organization_id"):
        if report_id in skip_reports:
            continue
        period = by_period[period_id]
        org = orgs[org_id]
        reporter, head = users[org_id]
        roll = rng.random()
        if period.due_date >= today:  # the running period
            outcome = "none" if roll < 0.35 else "draft" if roll < 0.75 else "submitted"
            drafted = min(today, max(period.start, period.due_date - datetime.timedelta(days=10)))
            submitted = drafted
        else:
            outcome = (
                "none"
                if roll < 0.05
                else "draft"
                if roll < 0.08
                else "late"
                if roll < 0.20
                else "accepted"
                if roll < 0.84
                else "submitted"
            )
            drafted = period.due_date - datetime.timedelta(days=rng.randint(3, 8))
            submitted = (
                period.due_date + datetime.timedelta(days=rng.randint(1, 6))
                if outcome == "late"
                else period.due_date - datetime.timedelta(days=rng.randint(0, 2))
            )
        if outcome == "none":
            continue
        label = f"{org.name} {period.label}"
        t_draft = _at(drafted, 9, rng.randint(0, 59))
        _audit(
            audit,
            reporter,
            "start draft",
            "reporting.report",
            report_id,
            label,
            {"status": {"old": "not_started", "new": "draft"}},
            t_draft,
        )
        for measure_id, role in expected.get(org_id, []):
            measure = measures[measure_id]
            status = rng.choices(["in_progress", "done", "behind"], weights=[75, 15, 10])[0]
            progress = (
                f"{period.label}，围绕“{measure.text[:18].rstrip('，。；、')}”，"
                f"{rng.choice(ACTIONS)}，{rng.choice(RESULTS)}。"
            )
            entry_id = entries.add(
                report_id=report_id,
                measure_id=measure_id,
                role=role,
                progress=progress,
                status=status,
                problems=rng.choice(PROBLEMS),
                next_steps=rng.choice(NEXT_STEPS) + "。",
                behind_reason=rng.choice(BEHIND_REASONS) if status == "behind" else "",
                version=2,
                updated_at=t_draft,
                updated_by_id=reporter.pk,
            )
            share = Decimal(rng.randint(40, 110)) / 100
            for target in measure.targets.all():
                actuals.add(
                    entry_id=entry_id,
                    target_id=target.pk,
                    value=(target.value * share).quantize(Decimal("0.01")),
                )
            _audit(
                audit,
                reporter,
                "change",
                "reporting.reportentry",
                entry_id,
                f"{label} {measure.code}",
                {
                    "progress": {"old": "", "new": progress},
                    "status": {"old": "not_started", "new": status},
                },
                t_draft,
            )
        row = {
            "status": Report.Status.DRAFT,
            "drafted_by_id": reporter.pk,
            "updated_at": t_draft,
            "sent_for_signoff_at": None,
            "signed_off_by_id": None,
            "submitted_at": None,
            "late": False,
            "accepted_by_id": None,
            "accepted_at": None,
        }
        if outcome != "draft":
            t_sub = _at(submitted, 10)
            late = outcome == "late"
            row.update(
                status=Report.Status.SUBMITTED,
                sent_for_signoff_at=t_sub,
                signed_off_by_id=head.pk,
                submitted_at=t_sub + datetime.timedelta(hours=2),
                late=late,
                updated_at=t_sub + datetime.timedelta(hours=2),
            )
            _audit(
                audit,
                reporter,
                "submit for sign-off",
                "reporting.report",
                report_id,
                label,
                {"status": {"old": "draft", "new": "awaiting_signoff"}},
                t_sub,
            )
            _audit(
                audit,
                head,
                "sign off",
                "reporting.report",
                report_id,
                label,
                {
                    "status": {"old": "awaiting_signoff", "new": "submitted"},
                    "late": {"old": None, "new": str(late)},
                },
                row["submitted_at"],
            )
            if outcome in ("accepted", "late") and submitted + datetime.timedelta(days=3) <= today:
                t_acc = _at(submitted + datetime.timedelta(days=3), 16)
                row.update(
                    status=Report.Status.ACCEPTED,
                    accepted_by_id=coord.pk,
                    accepted_at=t_acc,
                    updated_at=t_acc,
                )
                _audit(
                    audit,
                    coord,
                    "accept",
                    "reporting.report",
                    report_id,
                    label,
                    {"status": {"old": "submitted", "new": "accepted"}},
                    t_acc,
                )
        updates.append(
            [
                when(v) if isinstance(v, datetime.datetime) else v
                for v in (row[name] for name in REPORT_FIELDS)
            ]
            + [report_id]
        )
    sets = ", ".join(f"{name} = %s" for name in REPORT_FIELDS)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE reporting_report SET {sets} WHERE id = %s", updates)
    made = {"reports": len(updates), "entries": len(entries.rows)}
    entries.flush()
    actuals.flush()
    audit.flush()
    return made


def generate(scale: Scale, *, seed: int = 0, today: datetime.date | None = None) -> dict:
    """Fill an empty, migrated database with `scale`; returns what was made."""
    rng = random.Random(seed)
    today = today or clock.today()
    if scale.units == 1:
        region, coordinator, units = _city_units(rng)
    else:
        region, coordinator, units = _province_units(scale)
    phases = {}
    clock_start = time.perf_counter()

    def phase(name):
        nonlocal clock_start
        phases[name] = round(time.perf_counter() - clock_start, 1)
        clock_start = time.perf_counter()

    plans = _plans(rng, scale, region, coordinator, units, today)
    phase("plans")
    _schedules(plans, scale, today)
    phase("periods and expected reports (ensure_periods)")
    # The sample through the real services: the first plan's last periods, for the first
    # unit's departments (the builder only touches reports nobody has started, so the bulk
    # fills the others first).
    sample = plans[0]
    sample_periods = list(sample.periods.order_by("-start")[: 2 if scale.units == 1 else 1])
    left = set(
        Report.objects.filter(period__in=sample_periods, organization__in=units[0]).values_list(
            "pk", flat=True
        )
    )
    made = _fill(rng, plans, units, coordinator, today, left)
    phase("bulk")
    start = min(p.start for p in sample_periods)
    outcomes = build_reports(sample, start, today, seed=seed, today=today)
    phase("sample (build_reports)")
    return {
        "plans": len(plans),
        "departments": sum(len(u) for u in units),
        "measures": Measure.objects.count(),
        "periods": scale.periods,
        "reports": Report.objects.count(),
        "entries": ReportEntry.objects.count(),
        "audit_records": AuditRecord.objects.count(),
        "sample_outcomes": outcomes.counts,
        "bulk": made,
        "phases_s": phases,
    }
