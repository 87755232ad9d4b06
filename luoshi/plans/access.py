"""Who coordinates a plan: the one permission check every app uses for coordinator actions.

A plan the user cannot see does not exist for them (Http404, so its existence is not
revealed); a plan they see but do not coordinate is refused (PermissionDenied). With
`leaders_too`, leaders (who read every plan) pass as well: the overviews and exports.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from luoshi.orgs.models import User
from luoshi.plans.models import Plan
from luoshi.plans.services import can_edit_plan, get_plan_for_user, plans_for_user


def plan_visible(user: User, plan: Plan) -> bool:
    return plans_for_user(user).filter(pk=plan.pk).exists()


def require_plan_coordinator(user: User, plan: Plan, *, leaders_too: bool = False) -> None:
    """Pass if the user coordinates `plan` (or leads, with `leaders_too`); else Http404 when
    they cannot see it and PermissionDenied when they can. No query when the user passes."""
    if can_edit_plan(user, plan) or (leaders_too and user.is_leader):
        return
    if not plan_visible(user, plan):
        raise Http404("no such plan for this user")
    raise PermissionDenied


def get_plan_for_coordinator(user: User, pk: int, *, leaders_too: bool = False) -> Plan:
    """The plan `pk` if the user coordinates it (or leads, with `leaders_too`): Http404 when
    they cannot see it, PermissionDenied when they see it but may not act on it."""
    plan = get_plan_for_user(user, pk)
    if not (can_edit_plan(user, plan) or (leaders_too and user.is_leader)):
        raise PermissionDenied
    return plan
