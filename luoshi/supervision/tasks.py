"""Background tasks of supervision (django-tasks; `manage.py db_worker` runs them)."""

from django_tasks import task

from luoshi.supervision import services


@task()
def deliver(delivery_id: int) -> str:
    """Send one reminder through one outside channel; a failure is retried by `supervise`."""
    return services.send_delivery(delivery_id)
