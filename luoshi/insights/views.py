"""The dashboards: two pages (all plans, one plan) whose charts load JSON from the endpoints
below (static/insights/dashboard.js). Every chart's JSON carries `rows`, a small table of the
same figures with links, shown under the chart: the accessible fallback and the drill-down.
"""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from luoshi.insights import services
from luoshi.lib.auth import role_required
from luoshi.plans.services import can_edit_plan, get_plan_for_user
from luoshi.reporting.services import ReportState

dashboard_view = role_required(*services.DASHBOARD_ROLES)


def _labels() -> dict[str, str]:
    """Measure states in the order of the charts (gettext at request time)."""
    return {
        services.DONE: _("Done"),
        services.IN_PROGRESS: _("In progress"),
        services.BEHIND: _("Behind schedule"),
        services.NOT_STARTED: _("Not reported yet"),
    }


def _on_time() -> str:
    return pgettext("report timeliness", "On time")


def _late() -> str:
    return pgettext("report timeliness", "Late")


def _missing() -> str:
    return pgettext("report timeliness", "Missing")


def _trend_columns() -> list[str]:
    return [
        _("Month due"),
        _on_time(),
        _late(),
        _missing(),
        pgettext("report timeliness", "On-time rate"),
    ]


def _json(data: dict) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _task_anchor(ledger: str, task) -> str:
    """The ledger at the key task's first measure."""
    return f"{ledger}#measure-{task.first_measure}" if task.first_measure else ledger


def _plan(request, pk):
    return get_plan_for_user(request.user, pk)


# --- Pages ------------------------------------------------------------------------------------


@require_GET
@dashboard_view
def index(request):
    plans = list(services.dashboard_plans(request.user).order_by("-issue_date", "-pk"))
    return render(request, "insights/index.html", {"plans": plans})


@require_GET
@dashboard_view
def plan_dashboard(request, pk):
    plan = _plan(request, pk)
    context = {
        "plan": plan,
        "can_review": can_edit_plan(request.user, plan),
        "sample": services.has_sample_data(plan),
    }
    return render(request, "insights/plan.html", context)


# --- Across plans -----------------------------------------------------------------------------


@require_GET
@dashboard_view
def overview_data(request):
    today = timezone.localdate()
    plans = list(services.dashboard_plans(request.user).order_by("-issue_date", "-pk"))
    ids = [p.pk for p in plans]
    states = {}
    for plan_id, *_rest, state in services.measure_states(ids):
        states.setdefault(plan_id, dict.fromkeys(services.PROGRESS_STATES, 0))[state] += 1
    timeliness = services.timeliness_by_plan(ids, today)
    review = services.awaiting_review_by_plan(ids)
    labels = _labels()
    rows = []
    for plan in plans:
        counts = states.get(plan.pk, dict.fromkeys(services.PROGRESS_STATES, 0))
        report = timeliness.get(plan.pk, {"expected": 0, "on_time": 0, "late": 0, "missing": 0})
        rows.append(
            {
                "name": plan.title,
                "doc_number": plan.doc_number,
                "url": reverse("insights:plan", args=[plan.pk]),
                "counts": counts,
                "done_percent": services.percent(counts["done"], sum(counts.values())),
                "on_time_percent": services.percent(report["on_time"], report["expected"]),
                "late": report["late"],
                "missing": report["missing"],
                "awaiting_review": review.get(plan.pk, 0),
            }
        )
    trend = services.timeliness_by_month(ids, today)
    return _json(
        {
            "states": [{"key": key, "label": label} for key, label in labels.items()],
            "plans": rows,
            "trend": _trend(trend),
            "trend_columns": _trend_columns(),
            "columns": [
                _("Plan"),
                _("Measures done"),
                pgettext("report timeliness", "On-time rate"),
                _late(),
                _missing(),
                _("Awaiting review"),
            ],
            "rows": [
                {
                    "cells": [
                        r["name"],
                        f"{r['done_percent']}%",
                        f"{r['on_time_percent']}%",
                        r["late"],
                        r["missing"],
                        r["awaiting_review"],
                    ],
                    "url": r["url"],
                }
                for r in rows
            ],
        }
    )


def _trend(rows) -> dict:
    return {
        "months": [f"{row['month'].year}年{row['month'].month}月" for row in rows],
        "on_time": [row["on_time"] for row in rows],
        "late": [row["late"] for row in rows],
        "missing": [row["missing"] for row in rows],
        "rate": [row["rate"] for row in rows],
    }


# --- One plan ---------------------------------------------------------------------------------


@require_GET
@dashboard_view
def progress_data(request, pk):
    plan = _plan(request, pk)
    overall, tasks = services.plan_progress(plan)
    labels = _labels()
    ledger = reverse("plans:detail", args=[plan.pk])
    total = sum(overall.values())
    return _json(
        {
            "states": [{"key": key, "label": label} for key, label in labels.items()],
            "overall": [
                {"key": key, "name": label, "value": overall[key], "url": ledger}
                for key, label in labels.items()
            ],
            "total": total,
            "done_percent": services.percent(overall[services.DONE], total),
            "tasks": [
                {
                    "name": f"{task.label}{task.title}",
                    "short": task.label.rstrip("、"),
                    "counts": {key: task.counts[key] for key in labels},
                    "url": _task_anchor(ledger, task),
                }
                for task in tasks
            ],
            "columns": [_("Key task"), *labels.values()],
            "rows": [
                {
                    "cells": [f"{task.label}{task.title}", *(task.counts[k] for k in labels)],
                    "url": _task_anchor(ledger, task),
                }
                for task in tasks
            ],
        }
    )


@require_GET
@dashboard_view
def heatmap_data(request, pk):
    plan = _plan(request, pk)
    today = timezone.localdate()
    matrix, periods = services.heatmap(request.user, plan, today)
    index = {state: i for i, state in enumerate(services.HEATMAP_STATES)}
    cells, flags = [], {}
    for y, (org_id, _name) in enumerate(matrix.departments):
        for x, period in enumerate(periods):
            cell = matrix.cells.get((org_id, period.pk))
            if cell is None:
                continue
            report_id, state = cell
            cells.append([x, y, index[state], reverse("reporting:report", args=[report_id])])
            if state in (ReportState.MISSING, ReportState.LATE, ReportState.RETURNED):
                flags.setdefault(org_id, {"missing": 0, "late": 0, "returned": 0})
                key = {"missing": "missing", "submitted_late": "late", "returned": "returned"}
                flags[org_id][key[state]] += 1
    ledger = reverse("plans:detail", args=[plan.pk])
    departments = [
        {"name": name, "url": f"{ledger}?department={org_id}"}
        for org_id, name in matrix.departments
    ]
    rows = [
        {
            "cells": [name, f["missing"], f["late"], f["returned"]],
            "url": f"{ledger}?department={org_id}",
        }
        for org_id, name in matrix.departments
        if (f := flags.get(org_id))
    ]
    rows.sort(key=lambda r: (-r["cells"][1], -r["cells"][2], r["cells"][0]))
    return _json(
        {
            "periods": [p.label for p in periods],
            "departments": departments,
            "states": [
                {"key": s, "label": str(ReportState.LABELS[s])} for s in services.HEATMAP_STATES
            ],
            "cells": cells,
            "matrix_url": reverse("reporting:matrix", args=[plan.pk]),
            "columns": [
                _("Department"),
                _missing(),
                _late(),
                pgettext("report timeliness", "Returned"),
            ],
            "rows": rows,
        }
    )


@require_GET
@dashboard_view
def timeliness_data(request, pk):
    plan = _plan(request, pk)
    trend = services.timeliness_by_month([plan.pk], timezone.localdate())
    matrix = reverse("reporting:matrix", args=[plan.pk])
    return _json(
        {
            "trend": _trend(trend),
            "url": matrix,
            "columns": _trend_columns(),
            "rows": [
                {
                    "cells": [
                        f"{row['month'].year}年{row['month'].month}月",
                        row["on_time"],
                        row["late"],
                        row["missing"],
                        f"{row['rate']}%",
                    ],
                    "url": matrix,
                }
                for row in trend
            ],
        }
    )


def _number(value) -> str:
    return f"{value.normalize():f}" if value is not None else ""


@require_GET
@dashboard_view
def targets_data(request, pk):
    plan = _plan(request, pk)
    rows = services.target_rows(plan, timezone.localdate())
    items = []
    for row in rows:
        target, measure = row.target, row.target.measure
        items.append(
            {
                "name": f"{measure.code} {target.text}",
                "code": measure.code,
                "target": f"{target.get_comparator_display()} {target.value_display}{target.unit}",
                "actual": _number(row.actual),
                "attainment": row.attainment,
                "schedule": row.schedule,
                "light": row.light.colour,
                "reason": row.light.reason,
                "url": reverse("reporting:measure", args=[measure.pk]),
            }
        )
    return _json(
        {
            "targets": items,
            "columns": [
                _("Target"),
                _("Target value"),
                _("Actual"),
                _("Attainment"),
                _("Time-proportional schedule"),
                _("Light"),
            ],
            "rows": [
                {
                    "cells": [
                        i["name"],
                        i["target"],
                        i["actual"] or "—",
                        "—" if i["attainment"] is None else f"{i['attainment']}%",
                        "—" if i["schedule"] is None else f"{i['schedule']}%",
                        i["reason"],
                    ],
                    "url": i["url"],
                    "light": i["light"],
                }
                for i in items
            ],
        }
    )


@require_GET
@dashboard_view
def lights_data(request, pk):
    plan = _plan(request, pk)
    flagged = services.red_and_yellow(plan, timezone.localdate())
    colours = {"red": _("Red"), "yellow": _("Yellow")}
    return _json(
        {
            "measures": {
                "columns": [_("Light"), _("Measure"), _("Reason")],
                "rows": [
                    {
                        "cells": [
                            colours[row["light"].colour],
                            f"{row['measure'].code} {row['measure'].text[:60]}",
                            row["light"].reason,
                        ],
                        "url": reverse("reporting:measure", args=[row["measure"].pk]),
                        "light": row["light"].colour,
                        "link": 1,
                    }
                    for row in flagged["measures"]
                ],
            },
            "departments": {
                "columns": [_("Light"), _("Department"), _("Reason")],
                "rows": [
                    {
                        "cells": [colours[row["light"].colour], row["name"], row["light"].reason],
                        "url": reverse("orgs:department", args=[row["pk"]]),
                        "light": row["light"].colour,
                        "link": 1,
                    }
                    for row in flagged["departments"]
                ],
            },
        }
    )
