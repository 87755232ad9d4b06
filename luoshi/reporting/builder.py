"""Realistic reports for any plan and period range, made through the real services.

Used by the tests, by `manage.py build_reports` (the demo) and by benchmarks. Deterministic for
a given seed: the same plan, range, seed and `today` give the same reports. Every step runs
at a moment in the report's history (on time, late, returned and resubmitted, accepted), with
the clock (luoshi.lib.clock) frozen at that moment.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from luoshi.lib import clock
from luoshi.orgs.models import Organization, User
from luoshi.orgs.services import ensure_account, generate_password
from luoshi.plans.models import Plan
from luoshi.reporting import services
from luoshi.reporting.models import Period, Report, ReportEntry

# The demo's sample reports (luoshi.demo) start their progress text with this, wherever it is
# shown; the dashboard reads it to say that a plan shows sample data.
SAMPLE_MARK = "【示例数据】"

ACTIONS = [
    "召开专题推进会议，研究部署相关工作",
    "会同相关部门开展实地调研，梳理企业诉求",
    "印发工作方案，明确责任分工和时间节点",
    "组织开展政策宣传活动，发放宣传资料",
    "建立工作台账，实行清单化管理、销号式推进",
    "开展督导检查，督促各区（市）落实工作任务",
    "组织重点企业开展对接活动，推动项目落地",
    "完成阶段性工作总结，报送相关数据",
]
RESULTS = [
    "各项工作有序推进",
    "阶段性目标基本完成",
    "工作取得积极成效",
    "重点项目进展顺利",
    "群众知晓率进一步提高",
]
PROBLEMS = [
    "部分区（市）工作进度不平衡",
    "资金保障压力较大",
    "企业参与积极性有待提高",
    "统计口径尚需进一步统一",
    "",
    "",
]
NEXT_STEPS = [
    "继续加大工作推进力度，确保按期完成目标任务",
    "加强部门协作，及时协调解决存在问题",
    "强化督导调度，定期通报工作进展",
    "总结推广典型经验做法",
]
BEHIND_REASONS = [
    "受项目审批周期影响，进度有所滞后",
    "配套资金尚未到位",
    "相关政策细则仍在制定中",
]
RETURN_COMMENTS = [
    "请补充具体数据和佐证材料。",
    "进展情况表述过于笼统，请细化。",
    "请说明滞后原因及下步措施。",
]


@dataclass
class Outcomes:
    """How many reports the builder left in each state, for tests and the command's output."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, state: str):
        self.counts[state] = self.counts.get(state, 0) + 1


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _accounts(plan: Plan) -> tuple[User, dict[int, tuple[User, User]]]:
    """The plan's coordinator and each department's (reporter, head), created if missing."""
    active = User.objects.filter(is_active=True).select_related("organization").order_by("pk")
    coordinator = active.filter(
        role=User.Role.COORDINATOR, organization=plan.coordinator_id
    ).first()
    if coordinator is None:
        coordinator = ensure_account(
            f"builder-coordinator-{plan.coordinator_id}",
            generate_password(),
            role=User.Role.COORDINATOR,
            organization=plan.coordinator,
            display_name="统筹单位（生成）",
        )
    departments = Organization.objects.filter(reports__period__plan=plan).distinct()
    roles = (User.Role.REPORTER, User.Role.APPROVER)
    first = {}  # (department, role): its first active account
    for user in active.filter(role__in=roles, organization__in=departments):
        first.setdefault((user.organization_id, user.role), user)
    users = {}
    for dep in departments:
        pair = []
        for role, suffix in ((User.Role.REPORTER, "reporter"), (User.Role.APPROVER, "head")):
            user = first.get((dep.pk, role))
            if user is None:
                user = ensure_account(
                    f"builder-{dep.pk}-{suffix}",
                    generate_password(),
                    role=role,
                    organization=dep,
                    display_name=f"{dep.name}{'填报人' if suffix == 'reporter' else '审核人'}",
                )
            pair.append(user)
        users[dep.pk] = tuple(pair)
    return coordinator, users


def _entry_data(rng: random.Random, entry: ReportEntry, period: Period) -> dict:
    status = rng.choices(
        [ReportEntry.Status.IN_PROGRESS, ReportEntry.Status.DONE, ReportEntry.Status.BEHIND],
        weights=[75, 15, 10],
    )[0]
    topic = entry.measure.text[:18].rstrip("，。；、")
    data = {
        "progress": (
            f"{period.label}，围绕“{topic}”，{rng.choice(ACTIONS)}，{rng.choice(RESULTS)}。"
        ),
        "status": status,
        "problems": rng.choice(PROBLEMS),
        "next_steps": rng.choice(NEXT_STEPS) + "。",
        "behind_reason": rng.choice(BEHIND_REASONS) if status == ReportEntry.Status.BEHIND else "",
    }
    targets = list(entry.measure.targets.all())
    if targets:
        share = Decimal(rng.randint(40, 110)) / 100
        data["actuals"] = {t.pk: (t.value * share).quantize(Decimal("0.01")) for t in targets}
    return data


def _fill(rng, reporter: User, report: Report, at: datetime.datetime):
    with clock.frozen(at):
        report = services.start_draft(reporter, report)
        for entry in report.entries.select_related("measure").prefetch_related("measure__targets"):
            services.save_entry(
                reporter, entry, _entry_data(rng, entry, report.period), entry.version
            )
    return report


def _submit(reporter: User, head: User, report: Report, at: datetime.datetime) -> Report:
    with clock.frozen(at):
        services.submit_for_signoff(reporter, report)
    with clock.frozen(at + datetime.timedelta(hours=2)):
        return services.sign_off(head, report)


def build_reports(
    plan: Plan,
    start: datetime.date,
    end: datetime.date,
    *,
    seed: int = 0,
    today: datetime.date | None = None,
) -> Outcomes:
    """Fill the reports of `plan`'s periods starting between `start` and `end`.

    Periods already due get a realistic mix: about 8 % missing (some with a draft), 12 % late,
    the rest on time; of the submitted, some are returned and resubmitted, most accepted.
    The period still running gets drafts and a few early submissions; later ones stay empty.
    Only reports nobody has started are touched, so running it again adds nothing.
    """
    today = today or clock.today()
    services.ensure_periods(plan, today)
    coordinator, users = _accounts(plan)
    outcomes = Outcomes()
    periods = plan.periods.filter(start__gte=start, start__lte=min(end, today))
    for period in periods.order_by("start"):
        reports = period.reports.filter(status=Report.Status.NOT_STARTED).select_related(
            "period__plan", "organization"
        )
        for report in reports.order_by("organization__name"):
            reporter, head = users[report.organization_id]
            # One generator per report: a report left missing stays missing when run again.
            rng = random.Random(f"{seed}:{period.start}:{report.organization.name}")
            with transaction.atomic():
                outcomes.add(_build_one(rng, period, report, reporter, head, coordinator, today))
    return outcomes


def _build_one(rng, period, report, reporter, head, coordinator, today) -> str:
    due = period.due_date
    if due >= today:  # the running period
        roll = rng.random()
        if roll < 0.35:
            return "not_started"
        first_day = max(period.start, due - datetime.timedelta(days=10))
        day = min(today, first_day + datetime.timedelta(days=rng.randint(0, 5)))
        report = _fill(rng, reporter, report, _at(day, 9, rng.randint(0, 59)))
        if roll < 0.75 or day >= today:
            return "draft"
        _submit(reporter, head, report, _at(day, 15))
        return "submitted_on_time"
    roll = rng.random()
    if roll < 0.05:
        return "missing"
    drafted = due - datetime.timedelta(days=rng.randint(3, 8))
    report = _fill(rng, reporter, report, _at(drafted, 9, rng.randint(0, 59)))
    if roll < 0.08:
        return "missing"
    if roll < 0.20:
        submitted = min(today, due + datetime.timedelta(days=rng.randint(1, 6)))
        state = "submitted_late"
    else:
        submitted = due - datetime.timedelta(days=rng.randint(0, 2))
        state = "submitted_on_time"
    report = _submit(reporter, head, report, _at(submitted, 10))
    review = submitted + datetime.timedelta(days=1)
    if review > today:
        return state
    roll = rng.random()
    if roll < 0.12:
        with clock.frozen(_at(review, 11)):
            report = services.return_report(coordinator, report, rng.choice(RETURN_COMMENTS))
        again = review + datetime.timedelta(days=1)
        if again > today:
            return "returned"
        with clock.frozen(_at(again, 9)):
            entry = report.entries.first()
            if entry is not None:
                services.save_entry(
                    reporter,
                    entry,
                    {"progress": entry.progress + "已按要求补充数据。"},
                    entry.version,
                )
        report = _submit(reporter, head, report, _at(again, 10))
        state = "resubmitted"
    if rng.random() < 0.8 and review + datetime.timedelta(days=2) <= today:
        with clock.frozen(_at(review + datetime.timedelta(days=2), 16)):
            services.accept(coordinator, report)
        return "accepted"
    return state
