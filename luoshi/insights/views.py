"""The dashboards: two pages (all plans, one plan) whose charts load JSON from the endpoints
below (static/insights/dashboard.js). Every chart's JSON carries `rows`, a small table of the
same figures with links, shown under the chart: the accessible fallback and the drill-down.

The JSON is cached (`cached_json`): a key that changes with every change of data, so it is
never stale, on any number of server processes.
"""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from luoshi.insights import services
from luoshi.lib import clock
from luoshi.lib.auth import role_required
from luoshi.lib.urls import url_template
from luoshi.plans.services import can_edit_plan, get_plan_for_user
from luoshi.reporting import rollup
from luoshi.reporting.services import ReportState
from luoshi.reporting.version import data_version

dashboard_view = role_required(*services.DASHBOARD_ROLES)

CACHE_SECONDS = 24 * 3600


def cached_json(view):
    """Serve the view's JSON from the cache while no data changed. The key carries the user
    (plans and permissions are per user), the language, the day (lights and timeliness move
    with it) and the reporting data's version; one query on a hit. Put it under the role check."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        day = clock.today().isoformat()
        version = data_version()
        key = f"insights:{version}:{day}:{request.user.pk}:{get_language()}:{path}"
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            cache.set(key, (response.content, response["Content-Type"]), CACHE_SECONDS)
        return response

    return wrapped


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
    plans = services.with_regions_below(services.dashboard_plans(request.user))
    plans = list(plans.order_by("-issue_date", "-pk"))
    levels = [plan for plan in plans if plan.has_regions_below]
    return render(request, "insights/index.html", {"plans": plans, "levels": levels})


@require_GET
@dashboard_view
def plan_dashboard(request, pk):
    plan = _plan(request, pk)
    context = {
        "plan": plan,
        "can_review": can_edit_plan(request.user, plan),
        "sample": services.has_sample_data(plan),
        "regions_below": services.has_regions_below(plan),
    }
    return render(request, "insights/plan.html", context)


@require_GET
@dashboard_view
def levels(request, pk):
    """A dashboard per level (issue 23): each measure of the plan with a light per region
    below carrying it out; a light opens that region's measure."""
    plan = _plan(request, pk)
    grid = services.level_grid(plan, clock.today())
    return render(request, "insights/levels.html", {"plan": plan, "grid": grid})


# --- Across plans -----------------------------------------------------------------------------


@require_GET
@dashboard_view
@cached_json
def overview_data(request):
    today = clock.today()
    plans = list(services.dashboard_plans(request.user).order_by("-issue_date", "-pk"))
    ids = [p.pk for p in plans]
    states = {}
    for plan_id, *_rest, state in services.measure_states(ids, today):
        states.setdefault(plan_id, dict.fromkeys(services.PROGRESS_STATES, 0))[state] += 1
    reports = services.report_counts(ids, today)
    labels = _labels()
    rows = []
    for plan in plans:
        counts = states.get(plan.pk, dict.fromkeys(services.PROGRESS_STATES, 0))
        report = reports.by_plan.get(plan.pk, dict.fromkeys(services.TIMELINESS, 0))
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
                "awaiting_review": reports.awaiting_review.get(plan.pk, 0),
            }
        )
    trend = reports.by_month
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
        "months": [date_format(row["month"], "YEAR_MONTH_FORMAT") for row in rows],
        "on_time": [row["on_time"] for row in rows],
        "late": [row["late"] for row in rows],
        "missing": [row["missing"] for row in rows],
        "rate": [row["rate"] for row in rows],
    }


# --- One plan ---------------------------------------------------------------------------------


@require_GET
@dashboard_view
@cached_json
def progress_data(request, pk):
    plan = _plan(request, pk)
    overall, tasks = services.plan_progress(plan, clock.today())
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
@cached_json
def heatmap_data(request, pk):
    plan = _plan(request, pk)
    today = clock.today()
    matrix, periods = services.heatmap(request.user, plan, today)
    index = {state: i for i, state in enumerate(services.HEATMAP_STATES)}
    report_url = url_template("reporting:report")  # the heatmap links thousands of reports
    cells, flags = [], {}
    for y, (org_id, _name) in enumerate(matrix.departments):
        for x, period in enumerate(periods):
            cell = matrix.cells.get((org_id, period.pk))
            if cell is None:
                continue
            report_id, state = cell
            cells.append([x, y, index[state], report_url(report_id)])
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
@cached_json
def timeliness_data(request, pk):
    plan = _plan(request, pk)
    trend = services.timeliness_by_month([plan.pk], clock.today())
    matrix = reverse("reporting:matrix", args=[plan.pk])
    return _json(
        {
            "trend": _trend(trend),
            "url": matrix,
            "columns": _trend_columns(),
            "rows": [
                {
                    "cells": [
                        date_format(row["month"], "YEAR_MONTH_FORMAT"),
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
@cached_json
def targets_data(request, pk):
    plan = _plan(request, pk)
    rows = services.target_rows(plan, clock.today())
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
@cached_json
def lights_data(request, pk):
    plan = _plan(request, pk)
    flagged = services.red_and_yellow(plan, clock.today())
    colours = {"red": _("Red"), "yellow": _("Yellow")}
    measure_url = url_template("reporting:measure")
    department_url = url_template("plans:department")
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
                        "url": measure_url(row["measure"].pk),
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
                        "url": department_url(row["pk"]),
                        "light": row["light"].colour,
                        "link": 1,
                    }
                    for row in flagged["departments"]
                ],
            },
            **_district_rows(plan, measure_url),
        }
    )


def _district_rows(plan, measure_url) -> dict:
    """The plan's measures with districts behind or late (reporting.rollup), their names by
    reason; nothing when no district carries out the plan (the table stays hidden)."""
    below = rollup.measure_rollup(plan, clock.today())
    if not below.measures:
        return {}
    reasons = {
        rollup.MISSING: _("Not reported, past the due date"),
        rollup.LATE: _("Reported late"),
        rollup.BEHIND: _("Behind schedule"),
    }
    rows = []
    for measure, _reported, lagging in below.summary():
        if not lagging:
            continue
        said = pgettext("list separator", "; ").join(
            f"{'、'.join(names)} {reasons[why]}" for why, names in below.lagging(measure.pk)
        )
        light = "red" if rollup.MISSING in dict(below.lagging(measure.pk)) else "yellow"
        rows.append(
            {
                "cells": [f"{measure.code} {measure.text[:60]}", said],
                "url": measure_url(measure.pk),
                "light": light,
                "link": 0,
            }
        )
    period = below.period.label if below.period else ""
    return {"districts": {"columns": [_("Measure"), period], "rows": rows}}
