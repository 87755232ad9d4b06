"""manage.py export_report --plan ID --period 2022-10 --out FILE: the consolidated report.

By default the brief (at most a few pages: figures, each key task in a few sentences, targets,
problems, next steps); `--full` the full compilation of every entry; `--issue` the document
that can be sent, from the plan's preset, with the period's 文号 (taken once, then reused)."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from luoshi.documents.brief_docx import build_document
from luoshi.documents.models import DocumentPreset
from luoshi.documents.pdf import PdfUnavailable, docx_to_pdf
from luoshi.documents.services import (
    consolidated_report,
    default_options,
    find_period,
    issued_options,
)
from luoshi.lib import clock
from luoshi.plans.models import Plan


class Command(BaseCommand):
    help = (
        "Write the consolidated report (the brief, or --full) of a plan's period as .docx "
        "(or .pdf when OUT ends so)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, required=True, help="plan id")
        parser.add_argument("--period", required=True, help="a month of the period: YYYY-MM")
        parser.add_argument("--out", required=True, help="file to write (.docx or .pdf)")
        parser.add_argument(
            "--include-submitted",
            action="store_true",
            help="also include submitted reports not yet accepted",
        )
        parser.add_argument(
            "--full", action="store_true", help="the full compilation of every entry"
        )
        parser.add_argument(
            "--issue",
            action="store_true",
            help="issue with the plan's preset and the period's document number",
        )
        parser.add_argument("--doc-number", default="", help="issue as a document with this 文号")
        parser.add_argument("--addressee", help="主送机关 (default: the region's government)")
        parser.add_argument("--copy-to", help="抄送 (default: the plan's other issuers)")
        parser.add_argument("--date", help="成文日期 YYYY-MM-DD (default: today)")

    def handle(self, *args, **options):
        plan = (
            Plan.objects.select_related("region", "coordinator").filter(pk=options["plan"]).first()
        )
        if plan is None:
            raise CommandError(_("There is no plan number %(id)s.") % {"id": options["plan"]})
        try:
            period = find_period(plan, options["period"])
            day = datetime.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as error:
            raise CommandError(str(error)) from None
        period.plan = plan
        if options["issue"]:
            preset = DocumentPreset.objects.filter(plan=plan).first()
            if preset is None:
                raise CommandError(
                    _("The plan has no document preset: set it on the plan's documents page.")
                )
            choices = issued_options(None, period, preset, day or clock.today())
        else:
            choices = default_options(plan, day)
        choices.include_submitted = options["include_submitted"]
        choices.full = options["full"]
        if options["doc_number"]:
            choices.as_document, choices.doc_number = True, options["doc_number"]
        if options["addressee"] is not None:
            choices.addressee = options["addressee"]
        if options["copy_to"] is not None:
            choices.copy_to = options["copy_to"]
        report = consolidated_report(None, period, choices)
        data = build_document(report)
        out = Path(options["out"])
        if out.suffix.lower() == ".pdf":
            try:
                data = docx_to_pdf(data)
            except PdfUnavailable as error:
                raise CommandError(str(error)) from None
        out.write_bytes(data)
        figures = report.figures
        summary = _(
            "%(title)s (%(due)s due, %(on_time)s on time, %(late)s late, %(missing)s missing, "
            "%(included)s included)"
        ) % {
            "title": report.title,
            "due": figures.due,
            "on_time": figures.on_time,
            "late": figures.late,
            "missing": figures.missing,
            "included": figures.included,
        }
        self.stdout.write(f"{out}: {summary}")
