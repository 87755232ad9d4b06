"""Background tasks of supervision (django-tasks; `manage.py db_worker` runs them)."""

from django_tasks import task
from prometheus_client import Counter

from luoshi.lib import logs
from luoshi.supervision import services
from luoshi.supervision.models import Delivery

# Reminders sent and failed, by channel (Prometheus, /metrics).
DELIVERIES = Counter(
    "luoshi_reminder_deliveries", "Reminder deliveries by outcome.", ["channel", "status"]
)


@task()
def deliver(delivery_id: int, request_id: str = "") -> str:
    """Send one reminder through one outside channel; a failure is retried by `supervise`.
    Logged under the id of the request that enqueued it (a chase), if any."""
    with logs.bound(request_id):
        status = services.send_delivery(delivery_id)
    channel = Delivery.objects.filter(pk=delivery_id).values_list("channel", flat=True).first()
    DELIVERIES.labels(channel or "", status).inc()
    return status
