"""Evidence files of a report's entries: the allowed types (told by the bytes, not the name),
upload and removal."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.audit.services import record_change
from luoshi.importing.office_zip import BrokenZip, ZipBomb, open_office_zip
from luoshi.orgs.models import User
from luoshi.reporting.access import require_department_role
from luoshi.reporting.models import Attachment, ReportEntry, safe_attachment_name
from luoshi.reporting.services.workflow import (
    EDITING_ROLES,
    WorkflowError,
    _locked,
    _require_open,
)

ALLOWED_TYPES = Attachment.EXTENSIONS


def sniff_content_type(file) -> str | None:
    """The content type told by the file's bytes, or None when it is not an allowed type."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with open_office_zip(file) as archive:
                names = set(archive.namelist())
        except (BrokenZip, ZipBomb):
            return None
        finally:
            file.seek(0)
        if "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


@transaction.atomic
def add_attachment(user: User, entry: ReportEntry, upload) -> Attachment:
    """Store an uploaded evidence file (pdf, png, jpeg, docx, xlsx; size limit) for an entry."""
    require_department_role(user, entry.report, *EDITING_ROLES)
    report = _locked(entry.report)
    if not report.is_editable:
        raise WorkflowError(_("This report can no longer be changed."))
    _require_open(report)
    if upload.size > settings.REPORTING_ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.")
            % {"mb": settings.REPORTING_ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        )
    content_type = sniff_content_type(upload)
    if content_type is None:
        raise ValidationError(_("Only PDF, PNG, JPEG, Word (.docx) and Excel (.xlsx) files."))
    # Named after what the bytes are: "x.pdf.bat" holding a PDF is stored as "x.pdf".
    original_name = safe_attachment_name(getattr(upload, "name", "") or "", content_type)
    attachment = Attachment(
        entry=entry,
        original_name=original_name,
        size=upload.size,
        content_type=content_type,
        uploaded_by=user,
    )
    attachment.file.save(f"upload{ALLOWED_TYPES[content_type]}", upload, save=False)
    attachment.save()
    record_change(user, "attach", entry, {"attachment": {"old": None, "new": original_name}})
    return attachment


@transaction.atomic
def delete_attachment(user: User, attachment: Attachment) -> None:
    entry = attachment.entry
    require_department_role(user, entry.report, *EDITING_ROLES)
    report = _locked(entry.report)
    if not report.is_editable:
        raise WorkflowError(_("This report can no longer be changed."))
    _require_open(report)  # evidence of a closed period stays as it was
    name = attachment.original_name
    stored = attachment.file.name
    attachment.delete()
    storage = Attachment._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(stored))
    record_change(user, "detach", entry, {"attachment": {"old": name, "new": None}})
