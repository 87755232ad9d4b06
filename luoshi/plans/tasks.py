"""Background tasks of plans (django-tasks; `manage.py db_worker` runs them)."""

from django_tasks import task

from luoshi.plans import services


@task()
def read_scanned_draft(draft_id: int) -> str:
    """Read an uploaded scan by OCR into its draft (a few seconds a page)."""
    return services.read_scan_of_draft(draft_id)
