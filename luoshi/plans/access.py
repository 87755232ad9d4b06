"""Who coordinates a plan: the one permission check every app uses for coordinator actions.

A plan the user cannot see does not exist for them (Http404, so its existence is not
revealed); a plan they see but do not coordinate is refused (PermissionDenied). With
`leaders_too`, those who read the plan from above pass as well: its region's leaders and the
leaders and coordinators of the regions above (the overviews and exports, never a change).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from luoshi.orgs.models import User
from luoshi.plans.models import Plan
from luoshi.plans.services import can_edit_plan, get_plan_for_user, plans_for_user


def plan_visible(user: User, plan: Plan) -> bool:
    if getattr(plan, "seen_by", None) == user.pk:  # fetched for this user by get_plan_for_user
        return True
    return plans_for_user(user).filter(pk=plan.pk).exists()


def _reads_from_above(user: User) -> bool:
    return user.is_leader or user.is_coordinator


def require_plan_coordinator(user: User, plan: Plan, *, leaders_too: bool = False) -> None:
    """Pass if the user coordinates `plan` (or reads it from above, with `leaders_too`); else
    Http404 when they cannot see it and PermissionDenied when they can. No query when the
    user coordinates it."""
    if can_edit_plan(user, plan):
        return
    if not plan_visible(user, plan):
        raise Http404("no such plan for this user")
    if not (leaders_too and _reads_from_above(user)):
        raise PermissionDenied


def get_plan_for_coordinator(user: User, pk: int, *, leaders_too: bool = False) -> Plan:
    """The plan `pk` if the user coordinates it (or reads it from above, with `leaders_too`):
    Http404 when they cannot see it, PermissionDenied when they see it but may not act on it."""
    plan = get_plan_for_user(user, pk)
    if not (can_edit_plan(user, plan) or (leaders_too and _reads_from_above(user))):
        raise PermissionDenied
    return plan
