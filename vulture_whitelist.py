# ruff: noqa: B018, F821
"""Names vulture reports as unused that are used where it cannot see: by Django through a dotted
path or by name, by templates, by the ORM through keyword arguments, by a library that reads an
attribute we set, or kept on purpose for a page coming soon. Never imported or run: vulture
counts every name written here as used. Each entry says who uses it; delete it with the code.
Configuration: [tool.vulture] in pyproject.toml.
"""

# --- Kept for pages coming soon ----------------------------------------------------------------
# The issue about a coordinator's own plan gives the closure and schedule services their pages
# (issue 15, "Dead code").
set_target  # reporting/services/closure.py: a target's owner; the test toolkit builds with it
set_schedule  # reporting/services/periods.py: when a plan is tracked, its holiday rule

# --- Named by a dotted path in settings --------------------------------------------------------
ChineseFirstLocaleMiddleware  # MIDDLEWARE
SessionTimeoutMiddleware  # MIDDLEWARE
AccountPolicyMiddleware  # MIDDLEWARE
DenialAuditMiddleware  # MIDDLEWARE
RequestIdMiddleware  # MIDDLEWARE
RequestIdFilter  # LOGGING's filters
LockoutBackend  # AUTHENTICATION_BACKENDS
UserBackend  # AUTHENTICATION_BACKENDS
get_user  # UserBackend: django.contrib.auth calls it on every request
CharacterClassValidator  # AUTH_PASSWORD_VALIDATORS
LoggingSmsGateway  # SUPERVISION_SMS_GATEWAY's default
application  # WSGI_APPLICATION

# --- Settings: Django and its add-ons read them by name ------------------------------------------
DEBUG  # Django
CSRF_TRUSTED_ORIGINS  # Django
INSTALLED_APPS  # Django
MIDDLEWARE  # Django
ROOT_URLCONF  # Django (bench/settings.py too)
WSGI_APPLICATION  # Django
TEMPLATES  # Django
LOGIN_REDIRECT_URL  # Django
LOGOUT_REDIRECT_URL  # Django
PASSWORD_HASHERS  # Django (the bench sets a fast hasher)
AUTHENTICATION_BACKENDS  # Django
AUTH_PASSWORD_VALIDATORS  # Django
SESSION_EXPIRE_AT_BROWSER_CLOSE  # Django
LANGUAGE_CODE  # Django
LANGUAGES  # Django
LOCALE_PATHS  # Django
TIME_ZONE  # Django
USE_I18N  # Django
USE_TZ  # Django
STATICFILES_DIRS  # Django
STORAGES  # Django
WHITENOISE_ROOT  # WhiteNoise: the files served at the site's root (/favicon.ico)
CACHES  # Django
SESSION_ENGINE  # Django (with REDIS_URL)
EMAIL_BACKEND  # Django
DEFAULT_AUTO_FIELD  # Django
DATA_UPLOAD_MAX_MEMORY_SIZE  # Django
FILE_UPLOAD_MAX_MEMORY_SIZE  # Django
DATA_UPLOAD_MAX_NUMBER_FIELDS  # Django
FILE_UPLOAD_PERMISSIONS  # Django
SESSION_COOKIE_HTTPONLY  # Django
SESSION_COOKIE_SECURE  # Django
CSRF_COOKIE_SECURE  # Django
SESSION_COOKIE_SAMESITE  # Django
SECURE_CONTENT_TYPE_NOSNIFF  # Django
X_FRAME_OPTIONS  # Django
SECURE_REFERRER_POLICY  # Django
SECURE_SSL_REDIRECT  # Django
SECURE_PROXY_SSL_HEADER  # Django
SECURE_HSTS_SECONDS  # Django
SECURE_HSTS_INCLUDE_SUBDOMAINS  # Django
OTP_TOTP_ISSUER  # django-otp
AXES_LOCKOUT_PARAMETERS  # django-axes
AXES_RESET_ON_SUCCESS  # django-axes
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT  # django-axes
AXES_LOCKOUT_TEMPLATE  # django-axes
AXES_VERBOSE  # django-axes
AXES_IPWARE_META_PRECEDENCE_ORDER  # django-axes
CONTENT_SECURITY_POLICY  # django-csp
SUPERVISION_WECOM_BASE_URL  # supervision/channels.py reads it through its _base()
SUPERVISION_DINGTALK_BASE_URL  # supervision/channels.py reads it through its _base()

# --- Read by templates -------------------------------------------------------------------------
is_department  # Organization: orgs/directory.html
is_administrator  # User: orgs/admin/accounts.html
is_system_admin  # User: base.html (the menu)
is_security_admin  # User: base.html (the menu)
action_label  # AuditRecord: audit/log.html
report_status_label  # reporting/queries.py: reporting/report.html, measure.html
status_label  # reporting/queries.py: reporting/report.html, measure.html
state_label  # reporting/queries.py and views.py: report.html, my_reports.html, queue.html
to_sign  # reporting/queries.py: reporting/my_reports.html
days_left  # reporting/queries.py: reporting/my_reports.html
earlier  # reporting/queries.py (the matrix's window): reporting/matrix.html
later  # reporting/queries.py (the matrix's window): reporting/matrix.html
co_count  # reporting/views.py: reporting/report.html
imported_by  # reporting/models.py ImportedReport: reporting/report_file_import.html
flag_labels  # reporting/queries.py: reporting/_entry_flags.html
rule_text  # plans/forms.py, a form field: plans/import_preview.html, plans/draft_edits.py
is_usable  # ApiToken: api/tokens.html (the token's status)
help_text  # supervision/forms.py, ChannelsForm: supervision/channels.html ("set", never the value)
covered_by_package  # reporting/holidays.html: whether chinesecalendar knows the year
decided  # plans/lineage.py, Link: plans/_draft_parent.html (chosen or unlinked by hand)
chosen_doc  # plans/lineage.py, Link: plans/_draft_parent.html
chosen_code  # plans/lineage.py, Link: plans/_draft_parent.html
implementing_plan  # plans/models.py, Delegation: plans/send_down.html, plans/plan_list.html
received  # reporting/rollup.py, CollectiveReceipt: reporting/matrix.html

# --- API schema fields: django-ninja serializes them -------------------------------------------
measure_code  # api/api.py: an entry's measure code
updated_at  # api/api.py (an entry's version stamp); model field below too
return_comment  # api/api.py (a report's return comment); model field below too

# --- Model fields: written by services through create()/update() keywords, filtered on by the ORM
# or shown by templates; an audit trail's who and when is kept even when no page reads it yet.
key_hash  # ApiToken: api/services.py looks a token up by it
beat_at  # Heartbeat: ops/services.py writes it through update_or_create(defaults=...)
created_at  # many models: set by default, shown by plans/import_*.html, supervision pages
last_used_at  # ApiToken: api/services.py stamps it
revoked_at  # ApiToken: api/services.py filters on it
last_id  # AuditSeal: audit/services.py writes it, verify_audit reads the seal
sealed_at  # AuditSeal: when an hour was sealed (record only)
unkeyed_digest_of  # audit/models.py: the pre-key digest, used by migrations 0003 and 0005
created_by  # Plan, Reminder: plans/services.py, supervision/services.py, supervision/chase.html
confirmed  # Target: plans, insights, lights filter on it; TOTPDevice (orgs/account_views.py)
uploaded_by  # ImportDraft, Attachment: plans/services.py filters on it, import pages show it
scan_done  # ImportDraft: plans/services.py writes it (update), import_reading.html shows it
scan_error  # ImportDraft: plans/services.py writes it (update), import_reading.html shows it
published_by  # portal Publication: portal/manage.html
withdrawn_by  # portal Publication: portal/services.py, portal/manage.html
closed_by  # Period: reporting/services/workflow.py (close_period)
drafted_by  # Report: workflow.py, and who may not sign off their own report
sent_for_signoff_at  # Report: workflow.py, the bench's generator
signed_off_by  # Report: workflow.py (sign_off)
resubmitted_at  # Report: reporting/report.html, queue.html
returned_by  # Report: workflow.py (return_report, reopen)
accepted_at  # Report: reporting/report.html
accepted_by  # Report: workflow.py (accept)
reopened_at  # Report: reporting/report.html
reopened_by  # Report: workflow.py (reopen)
reopen_reason  # Report: workflow.py (reopen)
uploaded_at  # Attachment: set by default (record only)
granted_at  # LateEntryException: workflow.py (grant_late_entry)
granted_by  # LateEntryException: workflow.py (grant_late_entry)
evidence_file_name  # ClosureRequest: reporting/services/closure.py
requested_at  # ClosureRequest: set by default (record only)
requested_by  # ClosureRequest: reporting/services/closure.py
decided_at  # ClosureRequest: reporting/services/closure.py
decided_by  # ClosureRequest: reporting/services/closure.py
next_attempt_at  # Delivery: supervision/services.py, supervision/rule.html
claimed_at  # Delivery: supervision/services.py claims work with it
sent_at  # Delivery: supervision/services.py
issued_at  # Notice: supervision/notice.html
issued_by  # Notice: supervision/services.py
sent_by  # Delegation: plans/delegation.py, who sent the plan down
acknowledged_by  # Notice: supervision/services.py, supervision/notice.html

issuing_unit  # documents/models.py: the preset's and the number's unit, read as issuing_unit_id
taken_at  # documents/models.py: DocumentNumber, when the 文号 was taken (the record of issue)
from_model  # documents/models.py: TaskParagraph, whether the accepted text began as a draft

# --- Choice values: stored as their strings (importer, forms), never named in code -------------
MORE_THAN  # Target.Comparator ">"
LESS_THAN  # Target.Comparator "<"
AT_MOST  # Target.Comparator "<="
PREVIOUS_WORKDAY  # PlanSchedule.HolidayRule, read as a string by reporting/calendar.py
NEXT_WORKDAY  # PlanSchedule.HolidayRule, read as a string by reporting/calendar.py
SMS  # Delivery.Channel "sms"
BLUE  # Notice.Colour "blue", chosen in the notice form
CANCELLED  # ImportDraft.Status: never set (cancelling deletes); dropping it needs a migration

# --- Attributes a library reads after we set them ----------------------------------------------
# openpyxl (documents/ledger_xlsx.py): page setup, fills, frozen panes.
orientation
paperSize
fitToWidth
fitToHeight
fitToPage
print_title_rows
horizontalCentered  # the table centred on the page where it is narrower than the line
fill
freeze_panes
data_type  # a text cell forced to a string, never read as a formula
# python-docx (documents/official.py, report_docx.py, template_docx.py): setting a property
# writes the document's XML.
line_spacing_rule
line_spacing
space_before
first_line_indent
left_indent
right_indent
keep_with_next
italic
rgb
odd_and_even_pages_header_footer
page_width
page_height
top_margin
bottom_margin
left_margin
right_margin
footer_distance
header_distance
is_linked_to_previous
autofit

# --- Called by Django ----------------------------------------------------------------------------
label_from_instance  # orgs/forms.py, orgs/admin_views.py: a choice field's label of each row

# --- Called by the standard library -------------------------------------------------------------
redirect_request  # bench/deadline_spike.py: urllib's HTTPRedirectHandler hook (no redirects)
collect  # ops/views.py: prometheus_client calls a collector's collect() at each scrape

# --- Named for makemessages only ----------------------------------------------------------------
MINIMUM_LENGTH_MESSAGE  # lib/passwords.py: keeps our translation of Django's changed message
