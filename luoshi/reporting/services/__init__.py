"""The reporting cycle's services, one module per concern:

- `periods`: schedules, periods and the reports they expect;
- `workflow`: drafting, saving entries, sign-off, review, closing periods and late entry;
- `attachments`: evidence files;
- `closure`: closing measures (办结) and target owners;
- `matrix`: the coordinator's overview (matrix, review queue);
- `holidays`: the official holiday notices;
- `flags`: the entries' quality flags and the coordinators' stock phrases.
- `schedule`: a plan goes live with its schedule; the schedule page's changes.

The permission-checked fetch helpers live in `luoshi.reporting.access`. Everything public is
imported here, so callers write `from luoshi.reporting import services` and
`services.start_draft(...)`.
"""

from luoshi.reporting.access import (
    closure_requests_for_user,
    co_entries,
    entries_for_report,
    get_attachment,
    get_closure_request,
    get_entry,
    get_late_entry,
    get_measure_for_closure,
    get_period,
    get_report,
    periods_for_user,
    reports_for_user,
)
from luoshi.reporting.services.attachments import (
    ALLOWED_TYPES,
    add_attachment,
    delete_attachment,
    sniff_content_type,
)
from luoshi.reporting.services.closure import (
    answers_for,
    close_measure,
    reject_closure,
    request_closure,
    set_target,
)
from luoshi.reporting.services.flags import (
    add_stock_phrase,
    delete_stock_phrase,
    refresh_flags,
)
from luoshi.reporting.services.holidays import (
    CALENDAR_ROLES,
    NoticeDay,
    delete_holiday_notice,
    get_holiday_notice,
    missing_calendar_years,
    notice_range,
    parse_notice_csv,
    save_holiday_notices,
    year_calendar,
)
from luoshi.reporting.services.matrix import (
    Matrix,
    ReportState,
    report_matrix,
    report_state,
    review_queue,
)
from luoshi.reporting.services.periods import (
    default_tracking_start,
    ensure_periods,
    expected_measures,
    get_schedule,
    set_schedule,
    track_plan,
)
from luoshi.reporting.services.schedule import change_schedule, confirm_import
from luoshi.reporting.services.workflow import (
    EDITING_ROLES,
    EditConflict,
    WorkflowError,
    accept,
    bulk_accept,
    can_edit,
    close_period,
    default_late_entry_deadline,
    grant_late_entry,
    late_entry_allowed,
    late_entry_for,
    reopen,
    return_report,
    save_entry,
    send_back,
    sign_off,
    start_draft,
    submit_for_signoff,
    took_part,
    withdraw_late_entry,
)

__all__ = [
    "add_stock_phrase",
    "delete_stock_phrase",
    "refresh_flags",
    "ALLOWED_TYPES",
    "CALENDAR_ROLES",
    "EDITING_ROLES",
    "EditConflict",
    "Matrix",
    "ReportState",
    "WorkflowError",
    "accept",
    "add_attachment",
    "bulk_accept",
    "can_edit",
    "close_measure",
    "close_period",
    "co_entries",
    "default_tracking_start",
    "delete_attachment",
    "delete_holiday_notice",
    "ensure_periods",
    "entries_for_report",
    "expected_measures",
    "get_attachment",
    "get_entry",
    "get_period",
    "get_report",
    "get_schedule",
    "grant_late_entry",
    "late_entry_allowed",
    "periods_for_user",
    "reject_closure",
    "reopen",
    "report_matrix",
    "report_state",
    "reports_for_user",
    "request_closure",
    "answers_for",
    "return_report",
    "review_queue",
    "save_entry",
    "send_back",
    "set_schedule",
    "set_target",
    "sign_off",
    "sniff_content_type",
    "start_draft",
    "submit_for_signoff",
    "took_part",
    "change_schedule",
    "confirm_import",
    "track_plan",
    "closure_requests_for_user",
    "default_late_entry_deadline",
    "get_closure_request",
    "get_late_entry",
    "get_measure_for_closure",
    "late_entry_for",
    "withdraw_late_entry",
    "get_holiday_notice",
    "missing_calendar_years",
    "NoticeDay",
    "notice_range",
    "parse_notice_csv",
    "save_holiday_notices",
    "year_calendar",
]
