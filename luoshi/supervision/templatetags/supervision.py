"""Supervision's cards on other apps' pages. Reporting's department home shows the notices to
acknowledge without importing supervision (docs/architecture.md): its template loads this."""

from django import template

from luoshi.supervision.services import notices_for_user

register = template.Library()


@register.inclusion_tag("supervision/notices_to_acknowledge.html", takes_context=True)
def notices_to_acknowledge(context):
    """The supervision notices (督办单) the department has not acknowledged yet. One query."""
    notices = notices_for_user(context["user"]).filter(acknowledged_at__isnull=True)
    return {"notices": list(notices.order_by("reply_by", "pk"))}
